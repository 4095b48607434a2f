import { expect } from 'chai';
import type { SentMessage } from '@b24-botkit/emulator';
import { defineBot } from '../../src/index.js';
import { loadBots } from '../../src/registry/load-bots.js';
import { startStack, type Stack } from './harness.js';

/** A bot that tries to send too much, to prove limits are checked before any request. */
const big = defineBot({ code: 'big', properties: { name: 'Big' }, commands: [{ name: 'big', title: 'Big' }] })
  .command('big', async (ctx) => {
    try {
      await ctx.reply('x'.repeat(20_001));
    } catch (e) {
      await ctx.answer(`refused: ${(e as { code?: string }).code ?? 'unknown'}`);
    }
  });

/** Waits until the dialog has `n` bot messages and returns the last one. */
async function nth(stack: Stack, dialogId: string, n: number, botCode: string): Promise<SentMessage> {
  const all = await stack.emu.portal.waitForMessages(n, { dialogId, botCode });
  return all[n - 1] as SentMessage;
}

for (const api of ['v2', 'v1'] as const) {
  describe(`e2e bots (${api})`, function () {
    this.timeout(30_000);
    let stack: Stack;
    before(async () => {
      const bots = new Map([...(await loadBots('bots')), ['big', big]]);
      stack = await startStack({ api, bots });
    });
    after(async () => stack.close());

    it('helpdesk: the whole ticket dialogue, with a validation retry and a server restart in the middle', async () => {
      const user = stack.emu.portal.users.add({ name: 'Anna Smith' });
      const dlg = String(user);
      const say = (text: string): Promise<unknown> => stack.emu.portal.sendMessage({ from: user, to: 'helpdesk', text });
      await say('/ticket');
      expect((await nth(stack, dlg, 1, 'helpdesk')).text).to.contain('What is the subject?');
      await say('ab');
      expect((await nth(stack, dlg, 2, 'helpdesk')).text).to.contain('at least 3 characters');
      await say('VPN is down');
      expect((await nth(stack, dlg, 3, 'helpdesk')).text).to.contain('Describe the problem');

      await stack.restart();

      await say('It does not connect since this morning');
      const priority = await nth(stack, dlg, 4, 'helpdesk');
      expect(priority.text).to.contain('How urgent');
      expect(JSON.stringify(priority.keyboard)).to.contain('"COMMAND_PARAMS":"high"');
      await say('high please');
      expect((await nth(stack, dlg, 5, 'helpdesk')).text).to.contain('press one of the buttons');
      await stack.emu.portal.pressButton({ from: user, messageId: priority.id, button: 'High' });
      const confirm = await nth(stack, dlg, 6, 'helpdesk');
      expect(confirm.text).to.contain('Submit this ticket?');
      await stack.emu.portal.pressButton({ from: user, messageId: confirm.id, button: 'Submit' });
      const summary = await nth(stack, dlg, 7, 'helpdesk');
      expect(summary.text).to.equal(`Ticket HD-${user}-1 submitted. We will get back to you.`);
      const attach = JSON.stringify(summary.attach);
      for (const part of ['VPN is down', 'It does not connect since this morning', 'High', 'Anna Smith']) expect(attach).to.contain(part);
      await say('thanks');
      expect((await nth(stack, dlg, 8, 'helpdesk')).text).to.contain('Type /ticket');
    });

    it('helpdesk: /cancel and the Cancel button end the dialogue at any step', async () => {
      const user = stack.emu.portal.users.add({ name: 'Bob' });
      const dlg = String(user);
      const say = (text: string): Promise<unknown> => stack.emu.portal.sendMessage({ from: user, to: 'helpdesk', text });
      await say('/ticket');
      await nth(stack, dlg, 1, 'helpdesk');
      await say('/cancel');
      expect((await nth(stack, dlg, 2, 'helpdesk')).text).to.equal('Ticket cancelled.');
      await say('still there?');
      expect((await nth(stack, dlg, 3, 'helpdesk')).text).to.contain('Type /ticket');
      await say('/ticket');
      const ask = await nth(stack, dlg, 4, 'helpdesk');
      await stack.emu.portal.pressButton({ from: user, messageId: ask.id, button: 'Cancel' });
      expect((await nth(stack, dlg, 5, 'helpdesk')).text).to.equal('Ticket cancelled.');
      await say('/cancel');
      expect((await nth(stack, dlg, 6, 'helpdesk')).text).to.equal('Nothing to cancel.');
    });

    it('group chat: answers a mention in the group, and a slash command with a keyboard members press', async () => {
      const anna = stack.emu.portal.users.add({ name: 'Anna' });
      const chat = stack.emu.portal.createChat({ title: 'Lunch', userIds: [1, anna] });
      await stack.emu.portal.addBotToChat('echo', chat);
      await stack.emu.portal.addBotToChat('poll', chat);
      await nth(stack, chat, 1, 'echo');
      await stack.emu.portal.sendMessage({ from: anna, to: chat, text: 'nobody asked the bot' });
      await stack.emu.portal.sendMessage({ from: anna, to: chat, text: 'hi bot', mention: 'echo' });
      const echoed = await nth(stack, chat, 2, 'echo');
      expect(echoed.text).to.equal('You said: hi bot');
      await stack.kit.idle();
      expect(stack.emu.portal.messages({ dialogId: chat, botCode: 'echo' })).to.have.length(2);

      await stack.emu.portal.sendMessage({ from: 1, to: chat, text: '/poll Lunch? | Pizza | Sushi' });
      const pollMsg = await nth(stack, chat, 2, 'poll');
      expect(pollMsg.text).to.contain('Lunch?');
      await stack.emu.portal.pressButton({ from: anna, messageId: pollMsg.id, button: 'Sushi' });
      await stack.emu.portal.pressButton({ from: 1, messageId: pollMsg.id, button: 'Sushi' });
      await stack.kit.idle();
      const updated = stack.emu.portal.messages({ dialogId: chat, botCode: 'poll' }).find((m) => m.id === pollMsg.id);
      expect(updated?.updated).to.equal(true);
      expect(updated?.text).to.contain('Sushi: 2');
      expect(updated?.text).to.contain('Pizza: 0');
    });

    it('refuses an oversize message with MESSAGE_TOO_LONG before any request', async () => {
      const user = stack.emu.portal.users.add({ name: 'Carol' });
      const sends = (): number => stack.emu.portal.requests().filter((r) => /message\.add|Message\.send/.test(r.method)).length;
      const before = sends();
      await stack.emu.portal.sendMessage({ from: user, to: 'big', text: '/big' });
      expect((await nth(stack, String(user), 1, 'big')).text).to.equal('refused: MESSAGE_TOO_LONG');
      expect(sends()).to.equal(before);
    });
  });
}
