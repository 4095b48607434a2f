import { bb, defineBot, describeFile } from '../../src/index.js';

/**
 * Echo: the smallest complete bot. Repeats every message, answers a file with its name and size,
 * answers `/echo <text>`, greets when it joins. User text is escaped (`bb.escape`): BB-code a user types
 * (`[URL=...]`) is shown as typed, never rendered as the bot's own markup.
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
  .text(null, async (ctx) => {
    const { files } = ctx.event.message;
    if (files.length === 0) return void (await ctx.reply(`You said: ${bb.escape(ctx.text)}`));
    // v2 events name files by id only: fileInfo reads name and size from the download's headers.
    const described = await Promise.all(files.map(async (f) => describeFile(await ctx.fileInfo(f))));
    await ctx.reply(`You sent ${described.join(', ')}${ctx.text ? ` and said: ${bb.escape(ctx.text)}` : ''}`);
  });
