import type { MiddlewareFn } from '../router/composer.js';
import type { Context } from '../router/context.js';

/** A message with plural forms (Intl.PluralRules categories), chosen by the `count` variable. */
export type PluralMessage = Readonly<Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }>;

/** The messages of one locale: text with `{name}` placeholders, or plural forms. */
export type Messages = Readonly<Record<string, string | PluralMessage>>;

/** Variables for `{name}` placeholders; `count` also picks the plural form. */
export type MessageVars = Readonly<Record<string, string | number>>;

/** The field the {@link i18n} plugin adds: translation in this user's language. `K` are the message keys. */
export interface I18nFlavor<K extends string = string> {
  i18n: {
    /** The locale in use for this event: the user's choice, else their language, else the default. */
    readonly locale: string;
    /** The message `key` in {@link I18nFlavor.i18n.locale}, falling back to the default locale, then to the key. */
    t(key: K, vars?: MessageVars): string;
    /** Remembers this user's choice (in `ctx.session`) and switches to it now; an unknown locale is refused. */
    setLocale(locale: string): Promise<boolean>;
    /** The locales there are messages for. */
    readonly locales: readonly string[];
  };
}

/** Options of {@link i18n}. */
export interface I18nOptions<L extends Readonly<Record<string, Messages>>, D extends keyof L & string> {
  /** Messages per locale (`en`, `de`, `pt-br`, ...). */
  locales: L;
  /** The locale whose keys are the typed message keys, and the fallback. */
  defaultLocale: D;
}

// Kept in the user's key-value session; '@' keeps it apart from keys a bot picks.
const LOCALE_KEY = '@locale';

/** The best locale of `available` for a language tag: exact (`pt-br`), then its base (`pt`). */
export function negotiate(tag: string | undefined, available: readonly string[]): string | null {
  if (!tag) return null;
  const wanted = tag.toLowerCase().replace('_', '-');
  const lower = available.map((l) => l.toLowerCase());
  const exact = lower.indexOf(wanted);
  if (exact >= 0) return available[exact] ?? null;
  const base = lower.indexOf(wanted.split('-')[0] ?? '');
  return base >= 0 ? (available[base] ?? null) : null;
}

function own(messages: Messages | undefined, key: string): string | PluralMessage | undefined {
  return messages && Object.hasOwn(messages, key) ? messages[key] : undefined;
}

function format(message: string | PluralMessage, locale: string, vars: MessageVars): string {
  let template: string;
  if (typeof message === 'string') template = message;
  else {
    const count = typeof vars['count'] === 'number' ? vars['count'] : Number(vars['count'] ?? 0);
    template = message[new Intl.PluralRules(locale).select(count)] ?? message.other;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (vars[name] === undefined ? whole : String(vars[name])));
}

/**
 * The i18n plugin: `ctx.i18n.t(key)` in the user's language (read from the event, overridable per user
 * with `ctx.i18n.setLocale`), typed message keys, `{name}` placeholders and plural forms.
 *
 * @example
 * const en = { hi: 'Hello, {name}!', tickets: { one: '{count} ticket', other: '{count} tickets' } };
 * type MyContext = Context & I18nFlavor<keyof typeof en>;
 * defineBot<MyContext>({ code: 'desk', properties: { name: 'Desk' } })
 *   .use(i18n({ defaultLocale: 'en', locales: { en, de: { hi: 'Hallo, {name}!' } } }))
 *   .text(null, (ctx) => ctx.reply(ctx.i18n.t('hi', { name: ctx.user.firstName })));
 */
export function i18n<const L extends Readonly<Record<string, Messages>>, D extends keyof L & string>(
  options: I18nOptions<L, D>,
): MiddlewareFn<Context & I18nFlavor<keyof L[D] & string>> {
  const available = Object.keys(options.locales);
  const messagesOf = (locale: string): Messages | undefined => (Object.hasOwn(options.locales, locale) ? options.locales[locale] : undefined);
  return async (ctx, next) => {
    const chosen = await ctx.session.get<string>(LOCALE_KEY);
    let locale = negotiate(chosen, available) ?? negotiate(ctx.language, available) ?? options.defaultLocale;
    ctx.i18n = {
      get locale() {
        return locale;
      },
      locales: available,
      t(key, vars = {}) {
        const message = own(messagesOf(locale), key) ?? own(messagesOf(options.defaultLocale), key);
        return message === undefined ? key : format(message, locale, vars);
      },
      async setLocale(wanted) {
        const found = negotiate(wanted, available);
        if (found === null) return false;
        await ctx.session.set(LOCALE_KEY, found);
        locale = found;
        return true;
      },
    };
    await next();
  };
}
