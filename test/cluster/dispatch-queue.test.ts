import { expect } from 'chai';
import { ClusterDispatchQueue } from '../../src/cluster/dispatch-queue.js';
import type { DispatchJob } from '../../src/intake/dispatch-queue.js';
import { createLogger } from '../../src/log.js';
import type { BotEvent } from '../../src/protocol/events.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { createTestDatabase, requireServices, type TestDatabase } from './services.js';

const log = createLogger({ silent: true });
const event = {} as BotEvent; // the queue carries events opaquely

/** A minimal dispatcher loop over one queue: takes jobs while any, "handles" them after `ms`, records the order. */
function runner(q: ClusterDispatchQueue, name: string, handled: Array<{ by: string; key: string }>, ms: () => number): void {
  const pump = (): void => {
    for (let job: DispatchJob | null; (job = q.take()) !== null;) {
      const j = job;
      setTimeout(() => {
        handled.push({ by: name, key: j.key });
        void q.complete(j);
      }, ms());
    }
  };
  q.onChange(pump);
}

describe('cluster dispatch queue over PostgreSQL claims', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let stores: PostgresStore[] = [];
  before(async () => {
    await requireServices();
    db = await createTestDatabase();
  });
  after(async () => db?.drop());
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it('events of one dialogue accepted by two instances alternately are handled in acceptance order, each once', async () => {
    stores = [await openPostgresStore({ url: db.url }), await openPostgresStore({ url: db.url })];
    const queues = stores.map((store, i) => new ClusterDispatchQueue({ store, log, owner: `I${i}`, leaseMs: 15_000, perPortal: 4, pollMs: 50 }));
    const handled: Array<{ by: string; key: string }> = [];
    queues.forEach((q, i) => runner(q, `I${i}`, handled, () => Math.random() * 15));
    await Promise.all(queues.map((q) => q.start()));
    const keys: string[] = [];
    for (let n = 0; n < 40; n++) {
      const key = `ev-${n}`;
      keys.push(key);
      // instance n % 2; dialogue (n >> 1) % 2: each dialogue's events arrive through both instances in turn
      const d = (n >> 1) % 2 === 0 ? 'dlg-a' : 'dlg-b';
      await queues[n % 2]!.add({ key, memberId: 'm', dialogueKey: d, payload: JSON.stringify({ n }), receivedAt: Date.now() }, event);
    }
    for (let i = 0; i < 1200 && handled.length < 40; i++) await new Promise((r) => setTimeout(r, 25));
    expect(handled.map((h) => h.key).sort()).to.deep.equal([...keys].sort());
    for (const d of [0, 1]) {
      const ofDialogue = (k: string): boolean => (Number(k.slice(3)) >> 1) % 2 === d;
      expect(handled.map((h) => h.key).filter(ofDialogue), `dialogue ${d}`).to.deep.equal(keys.filter(ofDialogue));
    }
    await Promise.all(queues.map((q) => q.close()));
  });

  it('a dead instance\'s claimed events are taken over once its lease expires', async () => {
    stores = [await openPostgresStore({ url: db.url }), await openPostgresStore({ url: db.url })];
    await stores[0]!.pool.query('TRUNCATE inbox');
    await stores[0]!.inboxAdd({ key: 'x1', memberId: 'm', dialogueKey: 'd', payload: '{}', receivedAt: 1 });
    await stores[0]!.inboxAdd({ key: 'x2', memberId: 'm', dialogueKey: 'd', payload: '{}', receivedAt: 2 });
    // claimed by an instance that then dies without renewing its lease
    expect((await stores[0]!.inboxClaim({ owner: 'dead', leaseMs: 300, limit: 1 })).map((i) => i.key)).to.deep.equal(['x1']);
    const alive = new ClusterDispatchQueue({ store: stores[1]!, log, owner: 'alive', leaseMs: 15_000, perPortal: 4, pollMs: 50 });
    const handled: Array<{ by: string; key: string }> = [];
    runner(alive, 'alive', handled, () => 1);
    await alive.start();
    for (let i = 0; i < 100 && handled.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(handled.map((h) => h.key)).to.deep.equal(['x1', 'x2']);
    await alive.close();
  });
});
