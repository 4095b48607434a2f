import { expect } from 'chai';
import { startCluster, type Cluster } from './harness.js';

const POLL_MS = 200;

// Fetch mode (imbot.v2.Event.get, docs api-reference/chat-bots/... event-get): one poller per bot across the cluster.
describe('cluster: fetch mode, 3 instances on one incoming webhook', function () {
  this.timeout(240_000);
  let c: Cluster;
  before(async () => {
    c = await startCluster({
      n: 3,
      // The webhook URL is created on the emulator's default portal; OAuth is off.
      env: { B24_CLIENT_ID: '', B24_CLIENT_SECRET: '', B24_EVENT_MODE: 'fetch', B24_POLL_INTERVAL_MS: String(POLL_MS) },
      webhook: true,
    });
  });
  after(async () => c?.close());

  const fetchBots = (): number => c.emu.portal.bots().filter((b) => b.eventMode === 'fetch').length;

  it('registers each bot once although three instances started together', () => {
    const codes = c.emu.portal.bots().map((b) => b.code);
    expect(codes.length).to.be.above(0);
    expect(new Set(codes).size).to.equal(codes.length);
  });

  it('30 events answered once each, polling no more than one poller would', async () => {
    const users = Array.from({ length: 30 }, (_, i) => c.emu.portal.users.add({ name: `F${i}` }));
    for (const u of users) await c.emu.portal.sendMessage({ from: u, to: 'echo', text: `fetched ${u}` });
    await c.emu.portal.waitForMessages(30, { botCode: 'echo' }, 30_000);
    const texts = c.emu.portal.messages({ botCode: 'echo' }).map((m) => `${m.dialogId}:${m.text}`);
    expect(new Set(texts).size).to.equal(texts.length);
    expect(texts).to.have.length(30);
    // idle polling over 3 s: one poller per bot polls every POLL_MS at most
    const count = (): number => c.emu.portal.requests().filter((r) => r.method === 'imbot.v2.Event.get').length;
    const before = count();
    await new Promise((r) => setTimeout(r, 3000));
    const polls = count() - before;
    const onePoller = fetchBots() * (3000 / POLL_MS);
    console.log(`      fetch: ${polls} Event.get in 3 s idle; one poller per bot would make ≤ ${onePoller}`);
    expect(polls).to.be.at.most(onePoller * 1.2 + fetchBots());
  });

  it('each instance killed in turn while events are queued: the others answer them within 60 s', async () => {
    for (let i = 0; i < 3; i++) {
      await c.kill(i);
      const user = c.emu.portal.users.add({ name: `Turn${i}` });
      for (let k = 0; k < 3; k++) await c.emu.portal.sendMessage({ from: user, to: 'echo', text: `turn ${i}.${k}` });
      const t0 = Date.now();
      const replies = await c.emu.portal.waitForMessages(3, { botCode: 'echo', dialogId: String(user) }, 60_000);
      expect(replies.map((m) => m.text)).to.deep.equal([0, 1, 2].map((k) => `You said: turn ${i}.${k}`));
      console.log(`      fetch: instance ${i} killed, its events answered after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await c.restart(i);
    }
  });
});
