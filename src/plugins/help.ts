import { Keyboard } from '../protocol/keyboard.js';
import type { BotDefinition, BotPlugin, CommandSpec } from '../router/bot.js';
import type { Context } from '../router/context.js';

type PerLanguage = string | Readonly<Record<string, string>>;

/** Options of {@link commandHelp}. */
export interface CommandHelpOptions {
  /** The command that shows the help; declared (and so registered) by the plugin. Default `help`. */
  command?: string;
  /** Its title in the command list, per language. Default `{ en: 'Help' }`. */
  title?: PerLanguage;
  /** The first line of the help, per language. Default `{ en: 'Commands:' }`. */
  header?: PerLanguage;
  /** Add a button per command without parameters, so a press runs it. Default true. */
  buttons?: boolean;
}

/** `value` in `language`, else English, else the first one given. */
export function pickLanguage(value: PerLanguage | undefined, language: string): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return value[language] ?? value['en'] ?? Object.values(value)[0] ?? '';
}

/** The help text and keyboard for a list of commands, in one language. */
export function renderHelp(commands: readonly CommandSpec[], language: string, opts: CommandHelpOptions = {}): { text: string; keyboard: Keyboard | null } {
  const visible = commands.filter((c) => !c.hidden);
  const lines = visible.map((c) => {
    const params = pickLanguage(c.params, language);
    const title = pickLanguage(c.title, language);
    return `/${c.name}${params ? ` ${params}` : ''}${title ? ` — ${title}` : ''}`;
  });
  const text = [pickLanguage(opts.header ?? { en: 'Commands:' }, language), ...lines].join('\n');
  const pressable = opts.buttons === false ? [] : visible.filter((c) => !c.params && c.name !== (opts.command ?? 'help'));
  const keyboard = pressable.reduce<Keyboard | null>(
    (kb, c) => (kb ?? new Keyboard()).command(pickLanguage(c.title, language) || `/${c.name}`, c.name, undefined, { display: 'LINE' }),
    null,
  );
  return { text, keyboard };
}

/**
 * The help plugin: declares a `/help` command and answers it with the bot's visible commands (titles and
 * parameter hints in the user's language), plus a button per command that takes no parameters. The list
 * is read when the help is asked for, so commands declared later (dialogues, other plugins) appear too.
 *
 * @example
 * defineBot({ code: 'desk', properties: { name: 'Desk' }, commands: [{ name: 'ticket', title: { en: 'New ticket', de: 'Neues Ticket' } }] })
 *   .install(commandHelp({ header: { en: 'I can do this:', de: 'Das kann ich:' } }));
 */
export function commandHelp<C extends Context = Context>(opts: CommandHelpOptions = {}): BotPlugin<C> {
  const name = opts.command ?? 'help';
  return {
    install(bot: BotDefinition<C>) {
      bot.declareCommands({ name, title: opts.title ?? { en: 'Help' } });
      bot.command(name, async (ctx) => {
        const { text, keyboard } = renderHelp(bot.commands, ctx.language, opts);
        await ctx.answer(keyboard ? { text, keyboard } : text);
      });
    },
  };
}
