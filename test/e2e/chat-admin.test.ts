/**
 * `ctx.client.chat`: the documented chat-management methods, v2 (`v2/imbot.v2/chats/*.md`) and classic
 * (`outdated/chats/*.md`), against the emulator over loopback. Writes go through the outbox, reads do not.
 */
import { expect } from 'chai';
import { defineBot } from '../../src/index.js';
import { startStack, type Stack } from './harness.js';

let stack: Stack;
let extraUser = 0;

const admin = defineBot({ code: 'admin', properties: { name: 'Admin' } })
  .text('run', async (ctx) => {
    const { chat } = ctx.client;
    const steps: string[] = [];
    const { dialogId, chatId } = await chat.add({ title: 'Team', userIds: [1], color: 'mint', message: 'Welcome' });
    steps.push(`add ${dialogId === `chat${chatId}`}`);
    await chat.update(dialogId, { title: 'Team 2', color: 'lightBlue' });
    steps.push(`title ${(await chat.get(dialogId)).title}`);
    await chat.addUsers(dialogId, [extraUser]);
    steps.push(`users ${(await chat.listUsers(dialogId)).sort((a, b) => a - b).join(',')}`);
    await chat.addManagers(dialogId, [1]);
    steps.push(`managers ${(await chat.get(dialogId)).managerIds.join(',')}`);
    await chat.removeManagers(dialogId, [1]);
    await chat.setOwner(dialogId, 1);
    steps.push(`owner ${(await chat.get(dialogId)).ownerId}`);
    await chat.removeUser(dialogId, extraUser);
    steps.push(`users ${(await chat.listUsers(dialogId)).length}`);
    await chat.leave(dialogId);
    steps.push(await chat.get(dialogId).then(() => 'still in', (e: { code?: string; apiCode?: string }) => `gone ${e.code} ${e.apiCode}`));
    await ctx.reply(steps.join('; '));
  });

for (const api of ['v2', 'v1'] as const) {
  describe(`e2e: ctx.client.chat (${api})`, function () {
    this.timeout(20_000);
    before(async () => {
      stack = await startStack({ api, bots: new Map([['admin', admin]]) });
      extraUser = stack.emu.portal.users.add({ name: 'Extra User' });
    });
    after(async () => stack.close());

    it('add, update, get, addUsers, listUsers, managers, setOwner, removeUser, leave', async () => {
      await stack.emu.portal.sendMessage({ from: 1, to: 'admin', text: 'run' });
      const [answer] = await stack.emu.portal.waitForMessages(1, { botCode: 'admin', dialogId: '1' });
      const bot = stack.emu.portal.bots().find((b) => b.code === 'admin')!;
      const users = [1, bot.id, extraUser].sort((a, b) => a - b).join(',');
      const denied = api === 'v2' ? 'ACCESS_DENIED' : 'ACCESS_ERROR';
      expect(answer!.text).to.equal(`add true; title Team 2; users ${users}; managers 1; owner 1; users 2; gone B24_API_ERROR ${denied}`);
      const welcome = stack.emu.portal.messages({ botCode: 'admin' }).find((m) => m.text === 'Welcome');
      expect(welcome!.dialogId).to.match(/^chat\d+$/);
      const methods = stack.emu.portal.requests().map((r) => r.method).filter((m) => /chat|dialog/i.test(m));
      if (api === 'v2') {
        expect(methods).to.include.members(['imbot.v2.Chat.add', 'imbot.v2.Chat.update', 'imbot.v2.Chat.User.list', 'imbot.v2.Chat.Manager.add', 'imbot.v2.Chat.setOwner', 'imbot.v2.Chat.leave']);
      } else {
        expect(methods).to.include.members(['imbot.chat.add', 'imbot.chat.updateTitle', 'imbot.chat.updateColor', 'imbot.dialog.get', 'imbot.chat.setManager', 'imbot.chat.setOwner', 'imbot.chat.leave']);
      }
    });
  });
}
