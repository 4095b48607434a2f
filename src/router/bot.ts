import type { BotProperties, BotType } from '../protocol/outbound.js';
import { Composer, type MiddlewareFn } from './composer.js';
import type { Context } from './context.js';
import type { Dialogue } from './dialogue.js';
import type { AnyDialogue } from './dialogue-control.js';
import type { Texts } from './i18n.js';

/** A slash command a bot declares. Titles and hints become the platform's `LANG`/`title` entries. */
export interface CommandSpec {
  /** Latin letters, digits, `_` and `-`; no slash, no spaces. */
  name: string;
  /** Shown in the command list, per language (`{ en: 'Echo', de: 'Echo' }`) or one string for `en`. */
  title?: string | Readonly<Record<string, string>>;
  /** Parameter hint shown after the command, per language or one string for `en`. */
  params?: string | Readonly<Record<string, string>>;
  /** Hidden commands are not suggested but still run (buttons use them). */
  hidden?: boolean;
  /** Usable in any chat, even where the bot is not a member. */
  common?: boolean;
}

/**
 * A plugin that needs the bot definition, installed with `bot.install(plugin)`: it may add handlers
 * (`bot.command(...)`), declare commands (`bot.declareCommands(...)`) or read `bot.commands`.
 */
export interface BotPlugin<C extends Context = Context> {
  install(bot: BotDefinition<C>): void;
}

/** Who a bot answers in group chats. */
export type GroupPolicy = 'addressed' | 'all';

/** Everything a bot module declares besides its handlers. */
export interface BotOptions {
  /** Unique per portal: latin letters, digits, `_`. */
  code: string;
  type?: BotType;
  properties: BotProperties;
  commands?: readonly CommandSpec[];
  /** Reply texts per language, for `ctx.t(key)`. */
  texts?: Texts;
  /** Language used when the event's language has no text. Default `en`. */
  fallbackLanguage?: string;
  /**
   * Supervisor and personal bots get every message of their group chats: `all` (their default) handles
   * each, `addressed` only those that mention the bot (its commands arrive as command events). Other bot types get only
   * the group messages addressed to them (the platform filters, and may strip the mention from the
   * text), so every one is handled and this option changes nothing for them.
   */
  groupMessages?: GroupPolicy;
}

/**
 * A bot: its declaration plus a {@link Composer} of handlers. Export one from a module in `bots/`
 * (a named export) and the server loads, registers and routes to it.
 *
 * @example
 * export const echo = defineBot({ code: 'echo', properties: { name: 'Echo' }, commands: [{ name: 'echo', title: 'Echo' }] })
 *   .command('echo', (ctx) => ctx.answer(ctx.event.command.params))
 *   .text(null, (ctx) => ctx.reply(ctx.text));
 */
const BRAND = Symbol.for('b24-botkit.BotDefinition');

/**
 * True for a bot definition, also one created by another copy of this module (a second install of the
 * package, or a test runner that loads sources twice), where `instanceof` would say no.
 */
export function isBotDefinition(value: unknown): value is AnyBotDefinition {
  return value instanceof BotDefinition || (typeof value === 'object' && value !== null && BRAND in value);
}

export class BotDefinition<C extends Context = Context> extends Composer<C> {
  readonly [BRAND] = true;
  readonly options: Readonly<BotOptions>;
  readonly #dialogues = new Map<string, AnyDialogue>();
  readonly #declared: CommandSpec[] = [];

  constructor(options: BotOptions) {
    super();
    this.options = options;
  }

  /** The bot's code. */
  get code(): string {
    return this.options.code;
  }

  /** True for supervisor and personal bots: the platform sends them every message of their chats. */
  get seesEveryGroupMessage(): boolean {
    const type = this.options.type ?? 'bot';
    return type === 'supervisor' || type === 'personal';
  }

  /** The effective group policy (it filters only bots that see every group message). */
  get groupPolicy(): GroupPolicy {
    const type = this.options.type ?? 'bot';
    return this.options.groupMessages ?? (type === 'supervisor' || type === 'personal' ? 'all' : 'addressed');
  }

  /** Adds a dialogue: its steps run before the handlers added after it; its button and cancel commands get registered. */
  dialogue<S, K extends string>(d: Dialogue<S, K, C>): this {
    this.#dialogues.set(d.name, d as unknown as AnyDialogue);
    return this.use(d.middleware());
  }

  /**
   * Installs a plugin that needs the bot itself (its declared commands, to add handlers or commands);
   * plugins that only need the context are middleware, added with `use`.
   */
  install(plugin: BotPlugin<C>): this {
    plugin.install(this);
    return this;
  }

  /** Declares more commands (registered on the portals like those in the options); plugins use it. */
  declareCommands(...specs: CommandSpec[]): this {
    this.#declared.push(...specs);
    return this;
  }

  /** Dialogues by name. */
  get dialogues(): ReadonlyMap<string, AnyDialogue> {
    return this.#dialogues;
  }

  /** Declared commands plus the hidden button and cancel commands of its dialogues. */
  get commands(): CommandSpec[] {
    const out = new Map<string, CommandSpec>();
    for (const c of this.options.commands ?? []) out.set(c.name.toLowerCase(), c);
    for (const c of this.#declared) if (!out.has(c.name.toLowerCase())) out.set(c.name.toLowerCase(), c);
    for (const d of this.#dialogues.values()) {
      if (!out.has(d.buttonCommand)) out.set(d.buttonCommand, { name: d.buttonCommand, hidden: true });
      for (const c of d.cancelCommands) if (!out.has(c)) out.set(c, { name: c, title: { en: 'Cancel' } });
    }
    return [...out.values()];
  }
}

/**
 * A bot of any context type, as the server holds them: what loading, registration and the runtime
 * read. Its handlers expect the fields its context declares; the plugins it installs with `use`
 * provide them before they run.
 */
export interface AnyBotDefinition {
  readonly options: Readonly<BotOptions>;
  readonly code: string;
  readonly groupPolicy: GroupPolicy;
  /** True for supervisor and personal bots: the platform sends them every message of their chats. */
  readonly seesEveryGroupMessage: boolean;
  readonly dialogues: ReadonlyMap<string, AnyDialogue>;
  readonly commands: CommandSpec[];
  middleware(): MiddlewareFn<never>;
}

/**
 * Declares a bot. `C` is its context type: `Context` plus the flavours of the plugins it uses.
 * See {@link BotDefinition}.
 *
 * @example
 * type MyContext = Context & SessionFlavor<{ visits: number }>;
 * export const counter = defineBot<MyContext>({ code: 'counter', properties: { name: 'Counter' } })
 *   .use(session({ initial: () => ({ visits: 0 }) }))
 *   .text(null, (ctx) => ctx.reply(`Visit ${++ctx.state.visits}`));
 */
export function defineBot<C extends Context = Context>(options: BotOptions): BotDefinition<C> {
  return new BotDefinition<C>(options);
}
