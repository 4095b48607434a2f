import { expect } from 'chai';
import { i18n, negotiate, type I18nFlavor } from '../../src/plugins/i18n.js';
import { defineBot } from '../../src/router/bot.js';
import type { Context } from '../../src/router/context.js';
import { polyglot } from '../../examples/i18n/index.js';
import { commandEvent, messageEvent } from '../helpers/events.js';
import { runtimeRig } from '../helpers/runtime.js';

const at = { bot: { id: 9, code: 'polyglot' } };

describe('plugins/i18n', () => {
  it('the shipped bot answers in the event\'s language with plural forms, and falls back to English', async () => {
    const rig = runtimeRig([polyglot]);
    await rig.handle(messageEvent('x', { ...at, language: 'de' }));
    await rig.handle(messageEvent('xy', { ...at, language: 'de' }));
    await rig.handle(messageEvent('x', { ...at, language: 'fr' }));
    expect(rig.take()).to.deep.equal([
      'Hallo, John! Du hast 1 neue Nachricht.', 'Hallo, John! Du hast 2 neue Nachrichten.', 'Hello, John! You have 1 new message.',
    ]);
  });

  it('a user\'s own choice is remembered over the event language; an unknown one is refused', async () => {
    const rig = runtimeRig([polyglot]);
    await rig.handle(commandEvent('lang', 'de', { ...at, language: 'en' }));
    await rig.handle(messageEvent('x', { ...at, language: 'en' }));
    await rig.handle(commandEvent('lang', 'xx', { ...at, language: 'en' }));
    expect(rig.take()).to.deep.equal(['Sprache: Deutsch', 'Hallo, John! Du hast 1 neue Nachricht.', 'I do not speak that language.']);
  });

  it('negotiates region tags to their base language and ignores inherited keys', async () => {
    expect(negotiate('pt-BR', ['en', 'pt'])).to.equal('pt');
    expect(negotiate('PT_br', ['en', 'pt-br'])).to.equal('pt-br');
    expect(negotiate('fr', ['en'])).to.equal(null);
    const seen: string[] = [];
    const bot = defineBot<Context & I18nFlavor>({ code: 'polyglot', properties: { name: 'P' } })
      .use(i18n({ defaultLocale: 'en', locales: { en: { a: 'A {x}' } } }))
      .use((ctx) => void seen.push(ctx.i18n.locale, ctx.i18n.t('a', { x: 1 }), ctx.i18n.t('constructor'), ctx.i18n.t('missing')));
    await runtimeRig([bot]).handle(messageEvent('x', { ...at, language: 'en-GB' }));
    expect(seen).to.deep.equal(['en', 'A 1', 'constructor', 'missing']);
  });
});
