import { expect } from 'chai';
import { startGatedCluster, sleep, type GatedCluster } from './gated.js';
import type { Cluster } from './harness.js';
import type { TcpGate } from './tcp-gate.js';

async function until(ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not ready after ${ms} ms`);
    await sleep(5);
  }
}

/** Replies of the echo bot per `dialogId:text`. */
function replyCounts(c: Cluster): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of c.emu.portal.messages({ botCode: 'echo' })) {
    const k = `${m.dialogId}:${m.text}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

describe('cluster faults: PostgreSQL cut for 2 s in the middle of a burst', function () {
  this.timeout(90_000);
  let g: GatedCluster;
  let c: Cluster;
  let pgGate: TcpGate;
  before(async () => {
    g = await startGatedCluster({ n: 3 });
    ({ c, pg: pgGate } = g);
  });
  after(async () => g?.close());

  it('every event answered 200 gets exactly one reply once the database is back, without a restart', async () => {
    const users = Array.from({ length: 20 }, (_, i) => c.emu.portal.users.add({ name: `Cut${i}` }));
    // Once one event is answered, the install has finished everywhere (events before that may get 503).
    await until(async () => (await c.emu.portal.sendMessage({ from: users[0]!, to: 'echo', text: 'warm' })).deliveries[0]?.status === 200);
    await c.emu.portal.waitForMessages(1, { botCode: 'echo' }, 10_000);
    const accepted = new Set<string>();
    // The cut starts once the burst is being accepted (whenever the emulator gets to delivering it).
    const cut = (async () => {
      await until(async () => accepted.size >= 10, 10_000).catch(() => undefined);
      await pgGate.down();
      await sleep(2000);
      await pgGate.up();
    })();
    // Events that hit the cut while being handled or marked done must run (again) after it, not be forgotten.
    await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      await sleep(i * 10);
      const from = users[i % users.length]!;
      const r = await c.emu.portal.sendMessage({ from, to: 'echo', text: `cut ${i}` }).catch(() => null);
      if (r?.deliveries.some((d) => d.status === 200)) accepted.add(`${from}:You said: cut ${i}`);
    }));
    await cut;
    expect(accepted.size, 'events accepted around the cut').to.be.at.least(5);
    // An event whose claim was lost in the cut waits for its 15 s lease to expire: 30 s leaves room for a slow machine.
    const deadline = Date.now() + 30_000;
    let missing = [...accepted];
    while (missing.length > 0 && Date.now() < deadline) {
      await sleep(250);
      const have = replyCounts(c);
      missing = [...accepted].filter((k) => !have.has(k));
    }
    expect(missing, `accepted events never answered (of ${accepted.size})`).to.deep.equal([]);
    await sleep(2000); // a second reply would come late: give it the time
    const twice = [...replyCounts(c)].filter(([k, n]) => n > 1 && k.includes('You said: cut '));
    expect(twice, 'events answered more than once').to.deep.equal([]);
  });
});
