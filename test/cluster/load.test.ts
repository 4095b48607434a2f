import { expect } from 'chai';
import { bucketUtilisation, startCluster, type Cluster } from './harness.js';

// The portal's leaky bucket (facts §7.1, docs api-reference/... limits): 20/s with a burst of 50 here, so the
// test is ten times faster than the standard plan's 2/s.
const BUCKET = { rate: 20, burst: 50 };

describe('cluster: one portal bucket shared by 3 instances under load', function () {
  this.timeout(180_000);
  let c: Cluster;
  before(async () => {
    c = await startCluster({ n: 3, emulator: { rateLimit: BUCKET }, env: { B24_RATE_LIMIT: `${BUCKET.rate}/${BUCKET.burst}`, B24_BATCHING: 'off' } });
    expect((await c.emu.portal.install(`${c.proxy.url}/install`)).status).to.equal(200);
  });
  after(async () => c?.close());

  it('events at 60/s for 10 s over 3 instances → every reply once, at most 5 × 503, ≥ 0.9 of the bucket used under sustained load', async () => {
    const users = Array.from({ length: 20 }, (_, i) => c.emu.portal.users.add({ name: `L${i}` }));
    const from = c.emu.portal.requests().length;
    const before503 = c.emu.portal.counters().queryLimitExceeded;
    const sends: Array<Promise<unknown>> = [];
    const t0 = Date.now();
    for (let i = 0; i < 600; i++) {
      const due = t0 + (i * 1000) / 60;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      sends.push(c.emu.portal.sendMessage({ from: users[i % 20]!, to: 'echo', text: `load ${i}` }));
    }
    await Promise.all(sends);
    const acked = Date.now();
    const replies = await c.emu.portal.waitForMessages(600, { botCode: 'echo' }, 90_000);
    const texts = replies.map((m) => `${m.dialogId}:${m.text}`);
    expect(new Set(texts).size, 'every reply once').to.equal(600);
    const limited = c.emu.portal.counters().queryLimitExceeded - before503;
    expect(limited, '503 QUERY_LIMIT_EXCEEDED').to.be.at.most(5);
    // Utilisation under sustained load: from the moment every event was accepted (a backlog of replies
    // certainly waits: 600 replies cannot leave a 20/s bucket in 10 s) to the last reply, sends / what the bucket allows.
    const log = c.emu.portal.requests().slice(from);
    const sustained = bucketUtilisation(log, 'imbot.v2.Chat.Message.send', acked, BUCKET);
    const overall = bucketUtilisation(log, 'imbot.v2.Chat.Message.send', t0, BUCKET);
    const utilisation = sustained.value;
    const last = acked + sustained.windowS * 1000;
    const sent = log.filter((r) => r.method === 'imbot.v2.Chat.Message.send' && r.status === 200);
    console.log(`      load: accepted in ${((acked - t0) / 1000).toFixed(1)} s; ${sent.length} sends, ${limited} × 503; utilisation sustained ${utilisation.toFixed(3)} (${sustained.sends} sends in ${sustained.windowS.toFixed(1)} s), overall ${overall.value.toFixed(3)}`);
    expect(last - acked, 'a backlog remained after the intake').to.be.above(5000);
    const perSecond = new Map<number, number>();
    for (const r of sent) perSecond.set(Math.floor((r.at - t0) / 1000), (perSecond.get(Math.floor((r.at - t0) / 1000)) ?? 0) + 1);
    console.log('      sends per second:', JSON.stringify([...perSecond.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])));
    expect(utilisation).to.be.at.least(0.9);
  });
});
