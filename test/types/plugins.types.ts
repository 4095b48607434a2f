import { commandHelp, floodGuard, i18n, session, type I18nFlavor, type SessionFlavor } from '../../src/plugins/index.js';
import { defineBot } from '../../src/router/bot.js';
import type { Context } from '../../src/router/context.js';
import { expectType } from './expect.js';

// A plugin's flavour is declared in the bot's context; then its field is typed in every handler.
const en = { hi: 'Hi {name}', bye: 'Bye' };
type DeskContext = Context & SessionFlavor<{ tickets: number }> & I18nFlavor<keyof typeof en>;
defineBot<DeskContext>({ code: 'desk', properties: { name: 'Desk' } })
  .use(session({ initial: () => ({ tickets: 0 }) }))
  .use(i18n({ defaultLocale: 'en', locales: { en, de: { hi: 'Hallo {name}' } } }))
  .use(floodGuard<DeskContext>({ onLimit: (ctx) => ctx.reply(ctx.i18n.t('bye')) }))
  .install(commandHelp())
  .text(null, (ctx) => {
    expectType<number>()(ctx.state.tickets);
    expectType<string>()(ctx.i18n.t('hi', { name: 'A' }));
    // @ts-expect-error 'hello' is not a message key
    ctx.i18n.t('hello');
  });

// Installing a plugin whose flavour the bot did not declare does not compile.
defineBot({ code: 'plain', properties: { name: 'Plain' } })
  // @ts-expect-error the bot's context lacks SessionFlavor
  .use(session({ initial: () => ({ tickets: 0 }) }));

// A session plugin of another state type does not fit either.
defineBot<DeskContext>({ code: 'desk2', properties: { name: 'Desk' } })
  // @ts-expect-error the state types differ
  .use(session({ initial: () => ({ other: '' }) }));
