import { expect } from 'chai';
import { commandHelp, renderHelp } from '../../src/plugins/help.js';
import { defineBot } from '../../src/router/bot.js';
import { defineDialogue, END } from '../../src/router/dialogue.js';
import { desk } from '../../examples/help/index.js';
import { commandEvent } from '../helpers/events.js';
import { runtimeRig } from '../helpers/runtime.js';

describe('plugins/help', () => {
  it('the shipped bot declares /help and answers it with the visible commands in the user\'s language', async () => {
    expect(desk.commands.map((c) => c.name)).to.deep.equal(['ticket', 'find', 'desk_btn', 'help']);
    const rig = runtimeRig([desk]);
    await rig.handle(commandEvent('help', '', { bot: { id: 9, code: 'desk' }, language: 'de' }));
    const [call] = rig.takeCalls();
    expect(call?.method).to.equal('imbot.v2.Command.answer');
    const fields = call?.params['fields'] as { message: string; keyboard: { BUTTONS: Array<{ TEXT?: string; COMMAND?: string }> } };
    expect(fields.message).to.equal('Das kann ich:\n/ticket — Neues Ticket\n/find Nummer — Ticket suchen\n/help — Help');
    expect(fields.keyboard.BUTTONS.map((b) => [b.TEXT, b.COMMAND])).to.deep.equal([['Neues Ticket', 'ticket']]);
  });

  it('a pressed help button runs its command', async () => {
    const rig = runtimeRig([desk]);
    await rig.handle(commandEvent('ticket', '', { bot: { id: 9, code: 'desk' }, context: 'keyboard' }));
    expect(rig.take()).to.deep.equal(['Ticket #1 created']);
  });

  it('lists commands declared after it (dialogue cancel) and falls back to English', () => {
    const d = defineDialogue({ name: 'form', start: 'a', initial: () => ({}), steps: { a: { text: () => END } } });
    const bot = defineBot({ code: 'x', properties: { name: 'X' }, commands: [{ name: 'go', title: 'Go', params: 'where' }] })
      .install(commandHelp({ command: 'commands', buttons: false }))
      .dialogue(d);
    const { text, keyboard } = renderHelp(bot.commands, 'fr', { command: 'commands', buttons: false });
    expect(text).to.equal('Commands:\n/go where — Go\n/commands — Help\n/cancel — Cancel');
    expect(keyboard).to.equal(null);
  });
});
