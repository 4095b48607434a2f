// The i18n plugin: messages in the user's language (from the event, or their own choice), typed keys, plurals.
import { defineBot, i18n, type Context, type I18nFlavor } from '../../src/index.js';

const en = {
  hi: 'Hello, {name}!',
  unread: { one: 'You have {count} new message.', other: 'You have {count} new messages.' },
  switched: 'Language: English',
  unknown: 'I do not speak that language.',
};
const de = {
  hi: 'Hallo, {name}!',
  unread: { one: 'Du hast {count} neue Nachricht.', other: 'Du hast {count} neue Nachrichten.' },
  switched: 'Sprache: Deutsch',
};
type PolyglotContext = Context & I18nFlavor<keyof typeof en>;

export const polyglot = defineBot<PolyglotContext>({
  code: 'polyglot',
  properties: { name: 'Polyglot' },
  commands: [{ name: 'lang', title: { en: 'Language', de: 'Sprache' }, params: 'en | de' }],
})
  .use(i18n({ defaultLocale: 'en', locales: { en, de } }))
  .command('lang', async (ctx) => ctx.answer(ctx.i18n.t((await ctx.i18n.setLocale(ctx.event.command.params)) ? 'switched' : 'unknown')))
  .text(null, (ctx) => ctx.reply(`${ctx.i18n.t('hi', { name: ctx.user.firstName })} ${ctx.i18n.t('unread', { count: ctx.text.length })}`));
