import { expect } from 'chai';
import { webhookMemberId } from '../../src/server.js';
import { startStack, type Stack } from './harness.js';

describe('e2e fetch mode poller', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ auth: 'webhook' });
  });
  after(async () => stack.close());

  it('keeps per-dialogue order for a burst of messages from several users', async () => {
    const users = [1, stack.emu.portal.users.add({ name: 'B' }), stack.emu.portal.users.add({ name: 'C' })];
    for (let i = 0; i < 5; i++) for (const u of users) await stack.emu.portal.sendMessage({ from: u, to: 'echo', text: `m${i}` });
    for (const u of users) {
      const got = await stack.emu.portal.waitForMessages(5, { botCode: 'echo', dialogId: String(u) });
      expect(got.map((m) => m.text)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `You said: m${i}`));
    }
  });

  it('treats BOT_NOT_FOUND as the bot being deleted: forgets it and stops polling it', async () => {
    const memberId = webhookMemberId(stack.config.webhookUrl ?? '');
    const bot = (await stack.kit.store.listBots(memberId)).find((b) => b.code === 'poll');
    expect(bot).to.not.equal(undefined);
    await stack.kit.client.call(memberId, 'imbot.v2.Bot.unregister', { botId: bot?.botId, botToken: bot?.botToken });
    await new Promise<void>((resolve) => {
      const check = async (): Promise<void> => {
        if (!(await stack.kit.store.listBots(memberId)).some((b) => b.code === 'poll')) {
          off();
          resolve();
        }
      };
      const off = stack.emu.portal.onRequest(() => void check());
    });
    expect((await stack.kit.store.listBots(memberId)).map((b) => b.code)).to.not.include('poll');
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'still here' });
    const replies = await stack.emu.portal.waitForMessages(6, { botCode: 'echo', dialogId: '1' });
    expect(replies.at(-1)?.text).to.equal('You said: still here');

    // A re-sync registers it again, and a new poller serves the new bot.
    const report = await stack.kit.syncPortal(memberId);
    expect(report.bots.find((b) => b.code === 'poll')?.botId).to.be.a('number').and.not.equal(bot?.botId);
    await stack.emu.portal.sendMessage({ from: 1, to: 'poll', text: '/poll nothing' });
    const [usage] = await stack.emu.portal.waitForMessages(1, { botCode: 'poll', dialogId: '1' });
    expect(usage?.text).to.contain('Usage: /poll');
  });
});

describe('e2e incoming webhook with pushed events (B24_EVENT_MODE=webhook)', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ auth: 'webhook', eventMode: 'webhook' });
  });
  after(async () => stack.close());

  it('registers webhook-mode bots and answers events that carry the bot-derived application token', async () => {
    const echo = stack.emu.portal.bots().find((b) => b.code === 'echo');
    expect([echo?.eventMode, echo?.auth, echo?.webhookUrl]).to.deep.equal(['webhook', 'webhook', `${stack.url}/events`]);
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'pushed' });
    const [reply] = await stack.emu.portal.waitForMessages(1, { botCode: 'echo', dialogId: '1' });
    expect(reply?.text).to.equal('You said: pushed');
  });

  it('refuses a forged token for the same domain', async () => {
    const delivery = stack.emu.portal.deliveries().at(-1);
    const forged = (delivery?.body ?? '').replace(/auth%5Bapplication_token%5D=[^&]*/, 'auth%5Bapplication_token%5D=customforged');
    const { post } = await import('./harness.js');
    const res = await post(delivery?.url ?? '', forged);
    expect(res.status).to.equal(401);
    // A webhook portal is found by the bot-derived token (src/intake/webhook-bots.ts), so a token matching
    // none of its bots leaves the event without a portal.
    expect(res.body).to.have.property('error', 'EVENT_UNKNOWN_PORTAL');
  });
});

describe('e2e incoming webhook with classic bots (v1)', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ auth: 'webhook', api: 'v1' });
  });
  after(async () => stack.close());

  it('registers with CLIENT_ID, receives pushed events and answers messages and commands', async () => {
    const echo = stack.emu.portal.bots().find((b) => b.code === 'echo');
    expect([echo?.api, echo?.auth, echo?.eventMode]).to.deep.equal(['v1', 'webhook', 'webhook']);
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'classic' });
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: '/echo classic command' });
    const replies = await stack.emu.portal.waitForMessages(2, { botCode: 'echo', dialogId: '1' });
    expect(replies.map((m) => m.text)).to.deep.equal(['You said: classic', 'classic command']);
  });
});
