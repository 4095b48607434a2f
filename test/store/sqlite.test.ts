import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openStore, SQLITE_FILE_NAME } from '../../src/store/index.js';
import { runMigrations, SQLITE_MIGRATIONS } from '../../src/store/sqlite-schema.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { storeContract } from './contract.js';
import { expectCode, rejection } from './harness.js';
import { makeInbox, makePortal, makeReply } from './records.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const rotateScript = fileURLToPath(new URL('./fixtures/rotate-tokens.ts', import.meta.url));

storeContract('sqlite', async ({ clock }) => {
  const dir = await mkdtemp(join(tmpdir(), 'botkit-store-'));
  const store = openSqliteStore({ file: join(dir, 'nested', 'dir', 'botkit.sqlite'), clock });
  return {
    store,
    dispose: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store: file behaviour', () => {
  let dir: string;
  let file: string;
  const opened: Array<{ close(): unknown }> = [];
  const open = (): Store => {
    const store = openSqliteStore({ file });
    opened.push(store);
    return store;
  };
  const raw = (): Database.Database => {
    const db = new Database(file);
    opened.push(db);
    return db;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'botkit-store-'));
    file = join(dir, 'botkit.sqlite');
  });

  afterEach(async () => {
    for (const handle of opened.splice(0)) await handle.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every kind of data across close and reopen, and never reuses outbox ids', async () => {
    const first = open();
    await first.savePortal(makePortal());
    await first.inboxAdd(makeInbox());
    const added = await first.outboxAdd(makeReply());
    if (added.status !== 'queued') throw new Error('expected a new reply');
    const id = added.id;
    await first.setState('dialogue', { step: 2 }, 0, null);
    await first.setOffset('m-1', 45, 9);
    await first.close();

    const second = open();
    expect(await second.getPortal('m-1')).to.deep.equal(makePortal());
    expect(await second.inboxAdd(makeInbox())).to.equal(false);
    expect((await second.outboxPending(10, Date.now())).map((o) => o.id)).to.deep.equal([id]);
    expect(await second.getState('dialogue', 0)).to.deep.equal({ value: { step: 2 }, version: 1, expiresAt: null });
    expect(await second.getOffset('m-1', 45)).to.equal(9);
    const [head] = await second.outboxPending(1, Date.now());
    await second.outboxDelivered(head!, { id: 7 });
    const next = await second.outboxAdd(makeReply({ idempotencyKey: 'idem-2' }));
    expect(next.status === 'queued' && next.id).to.be.greaterThan(id);
    expect(await second.outboxAdd(makeReply())).to.deep.equal({ status: 'delivered', result: { id: 7 } });
  });

  it('puts the file in WAL mode', async () => {
    await open().close();
    expect(raw().pragma('journal_mode', { simple: true })).to.equal('wal');
  });

  it('migrates a new file to the last version once; reopening keeps version and data', async () => {
    const store = open();
    await store.setOffset('m-1', 1, 5);
    await store.close();
    const db = raw();
    expect(db.pragma('user_version', { simple: true })).to.equal(SQLITE_MIGRATIONS.length);
    db.close();
    const again = open();
    expect(await again.getOffset('m-1', 1)).to.equal(5);
    expect(raw().pragma('user_version', { simple: true })).to.equal(SQLITE_MIGRATIONS.length);
  });

  it('moves delivered keys that schema 2 kept in state into their own table, results intact', async () => {
    const db = raw();
    runMigrations(db, SQLITE_MIGRATIONS.slice(0, 2));
    const put = db.prepare('INSERT INTO state (key, value, version, expires_at) VALUES (?, ?, 1, ?)');
    put.run('outbox-sent:k1', JSON.stringify({ result: { id: 9 } }), 172_800_000 + 5);
    put.run('sess:kept', '{"a":1}', null);
    db.close();
    const store = open();
    expect(await store.outboxSent('k1')).to.deep.equal({ result: { id: 9 } });
    expect(await store.getState('outbox-sent:k1', 0)).to.equal(null);
    expect(await store.getState('sess:kept', 0)).to.deep.include({ value: { a: 1 } });
    expect(await store.outboxPrune(5)).to.equal(0);
    expect(await store.outboxPrune(6)).to.equal(1);
  });

  it('refuses a file from a newer schema with STORE_SCHEMA_TOO_NEW', async () => {
    const db = raw();
    db.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    db.close();
    let thrown: unknown;
    try {
      open();
    } catch (err) {
      thrown = err;
    }
    expectCode(thrown, 'STORE_SCHEMA_TOO_NEW');
  });

  it('lets a second connection see tokens the first wrote, and its stale CAS lose', async () => {
    const a = open();
    const b = open();
    await a.savePortal(makePortal());
    expect(await b.getPortal('m-1')).to.include({ refreshToken: 'refresh-1' });
    const rotated = { accessToken: 'access-a', refreshToken: 'refresh-a', expiresAt: 1 };
    expect(await a.updateTokens('m-1', rotated, 'refresh-1')).to.equal(true);
    expect(await b.getPortal('m-1')).to.include(rotated);
    expect(await b.updateTokens('m-1', { ...rotated, refreshToken: 'refresh-b' }, 'refresh-1')).to.equal(false);
  });

  it('sees tokens rotated by child processes; of two racing children exactly one wins', async function () {
    this.timeout(30_000);
    const parent = open();
    await parent.savePortal(makePortal());
    const child = (suffix: string) =>
      run(process.execPath, ['--import', 'tsx', rotateScript, file, 'm-1', 'refresh-1', suffix], { cwd: repoRoot });
    const outputs = await Promise.all([child('x'), child('y')]);
    const oks = outputs.map((o) => (JSON.parse(o.stdout) as { ok: boolean }).ok);
    expect(oks.filter(Boolean)).to.have.length(1);
    const winner = oks[0] ? 'x' : 'y';
    expect(await parent.getPortal('m-1')).to.include({ accessToken: `access-${winner}`, refreshToken: `refresh-${winner}`, expiresAt: 42 });
  });
});

describe('sqlite store: migrations', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => {
    db.close();
  });

  const steps = [
    { name: 'one', sql: 'CREATE TABLE log (step INTEGER); INSERT INTO log VALUES (1);' },
    { name: 'two', sql: 'INSERT INTO log VALUES (2);' },
  ];
  const log = () => db.prepare<[], { step: number }>('SELECT step FROM log ORDER BY rowid').all().map((r) => r.step);

  it('applies pending steps in order, each once', () => {
    expect(runMigrations(db, steps.slice(0, 1))).to.equal(1);
    expect(runMigrations(db, steps)).to.equal(2);
    expect(runMigrations(db, steps)).to.equal(2);
    expect(log()).to.deep.equal([1, 2]);
    expect(db.pragma('user_version', { simple: true })).to.equal(2);
  });

  it('rolls a failing step back entirely and reports STORE_MIGRATION_FAILED', () => {
    const broken = [...steps, { name: 'broken', sql: 'INSERT INTO log VALUES (3); INSERT INTO missing VALUES (1);' }];
    let thrown: unknown;
    try {
      runMigrations(db, broken);
    } catch (err) {
      thrown = err;
    }
    expectCode(thrown, 'STORE_MIGRATION_FAILED');
    expect(log()).to.deep.equal([1, 2]);
    expect(db.pragma('user_version', { simple: true })).to.equal(2);
  });
});

describe('openStore', () => {
  it('opens <dataDir>/botkit.sqlite, creating the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'botkit-store-'));
    const dataDir = join(dir, 'data');
    const store = openStore({ dataDir });
    try {
      await store.setOffset('m-1', 1, 3);
      expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).to.equal(true);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens a memory store that leaves no file behind', async () => {
    const store = openStore({ memory: true });
    await store.setOffset('m-1', 1, 3);
    expect(await store.getOffset('m-1', 1)).to.equal(3);
    await store.close();
    expectCode(await rejection(store.getOffset('m-1', 1)), 'STORE_CLOSED');
  });
});
