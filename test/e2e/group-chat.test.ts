import { expect } from 'chai';
import { startStack, type Stack, type StackOptions } from './harness.js';

// chat-bots-v2/index.md#bot-types: a `bot` gets group events only when mentioned (the platform filters);
// events.md calls ONIMBOTV2MESSAGEADD "a message addressed to the bot". Whether v2 strips the mention
// from the text is UNCONFIRMED (the docs' group example has none): the bot must answer either way.
const cases: Array<{ name: string; opts: StackOptions }> = [
  { name: 'webhook mode, mention stripped by the portal (UNCONFIRMED for v2)', opts: { emulator: { v2GroupMentions: 'strip' } } },
  { name: 'webhook mode, mention kept in the text (UNCONFIRMED for v2)', opts: { emulator: { v2GroupMentions: 'keep' } } },
  { name: 'fetch mode, mention stripped by the portal (UNCONFIRMED for v2)', opts: { auth: 'webhook', emulator: { v2GroupMentions: 'strip' } } },
];

for (const { name, opts } of cases) {
  describe(`e2e group chat (v2, ${name})`, function () {
    this.timeout(30_000);
    let stack: Stack;
    before(async () => {
      stack = await startStack({ api: 'v2', ...opts });
    });
    after(async () => stack.close());

    it('answers a group message addressed to the bot, with ctx.text free of the mention; ignores chatter', async () => {
      const anna = stack.emu.portal.users.add({ name: 'Anna' });
      const chat = stack.emu.portal.createChat({ title: 'Team', userIds: [1, anna] });
      await stack.emu.portal.addBotToChat('echo', chat);
      await stack.emu.portal.waitForMessages(1, { dialogId: chat, botCode: 'echo' });
      await stack.emu.portal.sendMessage({ from: anna, to: chat, text: 'nobody asked the bot' });
      await stack.emu.portal.sendMessage({ from: anna, to: chat, text: ', what is up?', mention: 'echo' });
      const all = await stack.emu.portal.waitForMessages(2, { dialogId: chat, botCode: 'echo' });
      expect(all[1]?.text).to.equal('You said: what is up?');
      await stack.kit.idle();
      expect(stack.emu.portal.messages({ dialogId: chat, botCode: 'echo' }), 'the un-addressed message is not delivered').to.have.length(2);
    });
  });
}
