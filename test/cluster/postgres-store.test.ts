import { expect } from 'chai';
import pg from 'pg';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-schema.js';
import { storeContract } from '../store/contract.js';
import { createTestDatabase, requireServices, type TestDatabase } from './services.js';
import { openTcpGate, type TcpGate } from './tcp-gate.js';

describe('postgres store', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    await requireServices();
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  // The shared contract (the same suite as memory and SQLite); each test starts from empty tables.
  storeContract('postgres', async ({ clock }) => {
    const store = await openPostgresStore({ url: db.url, clock, max: 3 });
    await store.pool.query('TRUNCATE portals, bots, commands, inbox, outbox, outbox_dead, outbox_sent, state, offsets, leases, sync_hashes');
    return { store, dispose: () => store.close() };
  });

  describe('migrations', () => {
    it('five instances opening an empty database at once apply every step exactly once', async () => {
      const fresh = await createTestDatabase();
      try {
        const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore({ url: fresh.url, max: 2 })));
        const { rows } = await stores[0]!.pool.query('SELECT version, count(*) AS n FROM botkit_schema GROUP BY version ORDER BY version');
        expect(rows.map((r) => [r.version, Number(r.n)])).to.deep.equal(PG_MIGRATIONS.map((_, i) => [i + 1, 1]));
        await Promise.all(stores.map((s) => s.close()));
      } finally {
        await fresh.drop();
      }
    });

    it('refuses a database from a newer schema with STORE_SCHEMA_TOO_NEW', async () => {
      const fresh = await createTestDatabase();
      try {
        const c = new pg.Client({ connectionString: fresh.url });
        await c.connect();
        await c.query('CREATE TABLE botkit_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
        await c.query('INSERT INTO botkit_schema (version, name) VALUES (99, $1)', ['future']);
        await c.end();
        const err = await openPostgresStore({ url: fresh.url }).then(() => null, (e: unknown) => e);
        expect((err as { code?: string }).code).to.equal('STORE_SCHEMA_TOO_NEW');
      } finally {
        await fresh.drop();
      }
    });
  });

  describe('cluster guarantees', () => {
    let a: PostgresStore;
    let b: PostgresStore;
    beforeEach(async () => {
      a = await openPostgresStore({ url: db.url, max: 4 });
      b = await openPostgresStore({ url: db.url, max: 4 });
      await a.pool.query('TRUNCATE inbox, outbox, outbox_sent, leases');
    });
    afterEach(async () => {
      await a.close();
      await b.close();
    });

    it('concurrent claims from two instances never hand out one event twice, and keep each dialogue with one owner', async () => {
      for (let i = 0; i < 200; i++) {
        await a.inboxAdd({ key: `k${i}`, memberId: 'm', dialogueKey: `d${i % 10}`, payload: '{}', receivedAt: 1000 + i });
      }
      const seen = new Map<string, string>();
      const owners = new Map<string, Set<string>>();
      const claimLoop = async (s: PostgresStore, owner: string): Promise<void> => {
        for (;;) {
          const items = await s.inboxClaim({ owner, leaseMs: 60_000, limit: 7 });
          if (items.length === 0) return;
          for (const it of items) {
            expect(seen.has(it.key), `${it.key} handed out twice`).to.equal(false);
            seen.set(it.key, owner);
            owners.set(it.dialogueKey, (owners.get(it.dialogueKey) ?? new Set()).add(owner));
          }
        }
      };
      await Promise.all([claimLoop(a, 'A'), claimLoop(b, 'B'), claimLoop(a, 'A2'), claimLoop(b, 'B2')]);
      expect(seen.size).to.equal(200);
      for (const [d, o] of owners) expect(o.size, `dialogue ${d} split over ${[...o].join(',')}`).to.equal(1);
    });

    // An event a worker lost track of (a claim whose answer was lost in a cut) must expire, not be renewed forever.
    it('renewLeases with the keys a worker holds renews only those; the others expire and go to another worker', async () => {
      for (const k of ['held', 'lost']) await a.inboxAdd({ key: k, memberId: 'm', dialogueKey: k, payload: '{}', receivedAt: 1 });
      expect((await a.inboxClaim({ owner: 'A', leaseMs: 300, limit: 10 })).map((i) => i.key).sort()).to.deep.equal(['held', 'lost']);
      await a.renewLeases('A', 60_000, ['held']);
      await new Promise((r) => setTimeout(r, 400));
      expect((await b.inboxClaim({ owner: 'B', leaseMs: 60_000, limit: 10 })).map((i) => i.key)).to.deep.equal(['lost']);
    });

    it('a named lease has one holder until it expires; renewLeases keeps a worker\'s claims', async () => {
      expect(await a.tryLease('poller:x', 'A', 1000)).to.equal(true);
      expect(await b.tryLease('poller:x', 'B', 1000)).to.equal(false);
      expect(await a.tryLease('poller:x', 'A', 1000)).to.equal(true);
      await a.dropLease('poller:x', 'A');
      expect(await b.tryLease('poller:x', 'B', 1000)).to.equal(true);
      await a.inboxAdd({ key: 'r1', memberId: 'm', dialogueKey: 'd', payload: '{}', receivedAt: 1 });
      await a.inboxClaim({ owner: 'A', leaseMs: 1, limit: 10 });
      await a.renewLeases('A', 60_000);
      expect(await b.inboxClaim({ owner: 'B', leaseMs: 1000, limit: 10 })).to.deep.equal([]);
    });
  });

  // A fault review skewed one instance's clock by +20 s: it took the others' live leases (events handled twice,
  // two handlers of one dialogue at once). The store's default clock is the database's.
  describe('instances whose clocks disagree', () => {
    let a: PostgresStore;
    let ahead: PostgresStore;
    before(async () => {
      a = await openPostgresStore({ url: db.url, max: 2 });
      ahead = await openPostgresStore({ url: db.url, max: 2, localClock: () => Date.now() + 20_000 });
      await a.pool.query('TRUNCATE inbox, leases');
    });
    after(async () => {
      await a?.close();
      await ahead?.close();
    });

    it('an instance 20 s ahead takes neither a live named lease nor a live event lease of another', async () => {
      expect(await a.tryLease('poller:x', 'A', 5000)).to.equal(true);
      expect(await ahead.tryLease('poller:x', 'B', 5000)).to.equal(false);
      await a.inboxAdd({ key: 'skew-1', memberId: 'm', dialogueKey: 'd', payload: '{}', receivedAt: 1 });
      expect((await a.inboxClaim({ owner: 'A', leaseMs: 15_000, limit: 5 })).map((i) => i.key)).to.deep.equal(['skew-1']);
      expect(await ahead.inboxClaim({ owner: 'B', leaseMs: 15_000, limit: 5 })).to.deep.equal([]);
    });
  });

  describe('a connection dropped while a client is checked out', () => {
    let gate: TcpGate;
    let store: PostgresStore;
    before(async () => {
      const u = new URL(db.url);
      gate = await openTcpGate(u.hostname, Number(u.port || 5432));
      u.port = String(gate.port);
      store = await openPostgresStore({ url: u.toString(), max: 4 });
      await store.pool.query('TRUNCATE inbox');
    });
    after(async () => {
      await store?.close();
      await gate?.close();
    });

    // pg-pool listens for `error` only on idle clients: without our own listener the dropped connection of a
    // client held by withLock or a transaction is an uncaught error, and mocha fails this test with it.
    it('withLock and transactions in flight fail with STORE_UNAVAILABLE, the process lives, the store works once PostgreSQL is back', async () => {
      let unblock!: () => void;
      const held = new Promise<void>((r) => (unblock = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const locked = store.withLock('gate-test', async () => {
        entered();
        await held;
        return 'done';
      });
      await inside;
      let stop = false;
      const codes: string[] = [];
      const claims = (async () => {
        while (!stop) {
          await store.inboxClaim({ owner: 'G', leaseMs: 1000, limit: 5 }).catch((e: { code?: string }) => codes.push(String(e.code)));
        }
      })();
      await new Promise((r) => setTimeout(r, 100));
      await gate.down();
      await new Promise((r) => setTimeout(r, 300));
      unblock();
      expect(await locked).to.equal('done');
      stop = true;
      await claims;
      expect(codes.length, 'claims failed while the database was cut').to.be.greaterThan(0);
      expect([...new Set(codes)]).to.deep.equal(['STORE_UNAVAILABLE']);
      await gate.up();
      expect(await store.ping()).to.equal(true);
      await store.inboxAdd({ key: 'after-cut', memberId: 'm', dialogueKey: 'd', payload: '{}', receivedAt: 1 });
      expect((await store.inboxClaim({ owner: 'G', leaseMs: 1000, limit: 5 })).map((i) => i.key)).to.include('after-cut');
    });
  });
});
