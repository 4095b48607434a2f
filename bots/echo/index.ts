import { bb, defineBot } from '../../src/index.js';

/**
 * Echo: the smallest complete bot. User text is escaped (`bb.escape`) so that BB-code a user types
 * (`[URL=...]`) is shown as typed, not rendered as the bot's own markup. Repeats every message, answers `/echo <text>`, greets when it joins.
 */
export const echo = defineBot({
  code: 'echo',
  properties: { name: 'Echo', color: 'aqua', workPosition: 'Repeats what you say' },
  commands: [{ name: 'echo', title: { en: 'Echo the text back', de: 'Text wiederholen' }, params: { en: 'text', de: 'Text' } }],
  texts: {
    en: { welcome: 'Hi! I am Echo. Write me anything and I will repeat it. Try /echo hello', empty: 'Nothing to echo: try /echo hello' },
    de: { welcome: 'Hallo! Ich bin Echo. Schreib mir etwas, ich wiederhole es. Probier /echo hallo', empty: 'Nichts zu wiederholen: /echo hallo' },
  },
})
  .join((ctx) => ctx.reply(ctx.t('welcome')))
  .command('echo', (ctx) => ctx.answer(bb.escape(ctx.event.command.params.trim()) || ctx.t('empty')))
  .text(null, (ctx) => ctx.reply(`You said: ${bb.escape(ctx.text)}`));
