import pg from 'pg';
import { BotkitError } from '../errors.js';
import { decodeJson, encodeJson, storeClosedError } from './codec.js';
import { checkout } from './postgres-client.js';
import { databaseClock, type DatabaseClock } from './postgres-clock.js';
import { pgInbox, pgOutbox } from './postgres-queues.js';
import {
  BOT_COLUMNS, botFromRow, botValues, commandFromRow, PORTAL_COLUMNS, portalFromRow, portalValues, upsertSql,
} from './postgres-rows.js';
import { PG_MIGRATIONS, runPgMigrations } from './postgres-schema.js';
import type { OffsetStore, PortalStore, StateStore, Store, Versioned } from './types.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/db` (`DATABASE_URL`). */
  url: string;
  /**
   * Unix-ms clock for the times the store stamps itself (leases, done/dead times, setState expiry). Default:
   * the database's clock (the local one plus an offset measured at open and every minute), so instances with
   * skewed clocks still agree on when a lease expires.
   */
  clock?: () => number;
  /** The local clock the default database clock is derived from (tests skew it); default `Date.now`. */
  localClock?: () => number;
  /** Pool size (default 10). */
  max?: number;
}

/** The PostgreSQL store: the {@link Store} plus what cluster coordination needs from the database. */
export interface PostgresStore extends Store {
  readonly pool: pg.Pool;
  /**
   * Extends the leases `owner` holds (inbox and outbox) to `clock() + leaseMs`; a worker calls it while it runs.
   * With `inboxKeys`, only those inbox events' leases: the ones the worker still holds in memory, so an event
   * it lost track of expires and is claimed again instead of staying leased for as long as the worker lives.
   */
  renewLeases(owner: string, leaseMs: number, inboxKeys?: readonly string[]): Promise<void>;
  /**
   * Takes or keeps the named lease (e.g. a fetch poller's leadership) for `owner` until `clock() + leaseMs`:
   * true when `owner` holds it now, false when another owner's lease is live.
   */
  tryLease(name: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the named lease up if `owner` holds it. */
  dropLease(name: string, owner: string): Promise<void>;
  /** Runs `fn` holding the named cluster-wide lock (a session advisory lock; other instances wait). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
}

/** What the method groups share. */
export interface PgCtx {
  pool: pg.Pool;
  clock: () => number;
  /** Runs `fn` unless the store is closed; connection failures become `STORE_UNAVAILABLE`. */
  use: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Runs `fn` in one transaction on one connection. */
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;
}

// Advisory lock namespace of withLock().
const NAMED_LOCK = 0x62326b04;

// Node socket errors, and SQLSTATE classes 08 (connection exception) and 57P (shutdown, cannot connect now).
function isUnavailable(e: unknown): boolean {
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  const message = String((e as Error | null)?.message ?? '');
  return /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('57P') || code === '53300'
    || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

function unavailable(cause: unknown): BotkitError {
  return new BotkitError('STORE_UNAVAILABLE', 'The database cannot be reached', { cause });
}

/**
 * Opens the PostgreSQL store (`DATABASE_URL`): the same semantics as the SQLite store (the shared
 * contract suite runs against both), with every cross-process guarantee taken from the database:
 * `updateTokens` is one conditional `UPDATE`; the inbox key is the primary key (dedupe across
 * instances); inbox claims run one at a time under a transaction advisory lock, so an event is never
 * handed out while an older event of its dialogue is leased to another instance; outbox adds, deliveries
 * and dead-letters take a per-dialogue advisory lock, and claims lease rows with a guarded `UPDATE`.
 * Migrations run under a session advisory lock, so instances starting together apply each step once.
 * While the database is unreachable every method rejects with `STORE_UNAVAILABLE` (the HTTP layer answers
 * 503); the pool reconnects by itself.
 *
 * @example
 * const store = await openPostgresStore({ url: process.env.DATABASE_URL! });
 */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 10, connectionTimeoutMillis: 3000, idleTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // an idle client lost its connection; the next query reconnects
  const dbClock = opts.clock ? null : databaseClock(pool, opts.localClock);
  try {
    await runPgMigrations(pool, PG_MIGRATIONS);
    await dbClock?.measure();
  } catch (e) {
    await pool.end();
    throw e instanceof BotkitError ? e : unavailable(e);
  }
  const clock = opts.clock ?? (dbClock as DatabaseClock).now;
  // Clocks drift (and get stepped by NTP): the offset is measured again every minute; a failure keeps the last one.
  const remeasure = dbClock ? setInterval(() => void dbClock.measure().catch(() => undefined), 60_000).unref() : null;
  let closed = false;
  const use = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw storeClosedError();
    try {
      return await fn();
    } catch (e) {
      throw isUnavailable(e) ? unavailable(e) : e;
    }
  };
  const tx = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const { client: c, release } = await checkout(pool);
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      release();
    }
  };
  const ctx: PgCtx = { pool, clock, use, tx };
  return {
    pool,
    ...portalMethods(ctx), ...pgInbox(ctx), ...pgOutbox(ctx), ...stateMethods(ctx), ...leaseMethods(ctx),
    withLock: (name, fn) => use(async () => {
      const { client: c, release } = await checkout(pool);
      try {
        await c.query('SELECT pg_advisory_lock($1, hashtext($2))', [NAMED_LOCK, name]);
        try {
          return await fn();
        } finally {
          await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [NAMED_LOCK, name]).catch(() => undefined);
        }
      } finally {
        release();
      }
    }),
    ping: async () => {
      if (closed) return false;
      return pool.query('SELECT 1').then(() => true, () => false);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (remeasure) clearInterval(remeasure);
      await pool.end();
    },
  };
}

function portalMethods({ pool, clock, use, tx }: PgCtx): PortalStore {
  const q = (sql: string, values: unknown[] = []): Promise<pg.QueryResult> => use(() => pool.query(sql, values));
  return {
    getPortal: async (m) => {
      const { rows } = await q('SELECT * FROM portals WHERE member_id = $1', [m]);
      return rows[0] ? portalFromRow(rows[0]) : null;
    },
    listPortals: async () => (await q('SELECT * FROM portals ORDER BY member_id COLLATE "C"')).rows.map(portalFromRow),
    savePortal: async (p) => void (await q(upsertSql('portals', PORTAL_COLUMNS, ['member_id']), portalValues(p))),
    updateTokens: async (m, t, expected) => (await q(
      `UPDATE portals SET access_token = $1, refresh_token = $2, expires_at = $3, updated_at = $4
       WHERE member_id = $5 AND refresh_token = $6`, [t.accessToken, t.refreshToken, t.expiresAt, clock(), m, expected],
    )).rowCount === 1,
    setPortalStatus: async (m, status) => void (await q('UPDATE portals SET status = $1, updated_at = $2 WHERE member_id = $3', [status, clock(), m])),
    deletePortal: (m) => use(() => tx(async (c) => {
      for (const t of ['portals', 'bots', 'commands', 'offsets', 'sync_hashes']) await c.query(`DELETE FROM ${t} WHERE member_id = $1`, [m]);
    })),
    saveBot: async (b) => void (await q(upsertSql('bots', BOT_COLUMNS, ['member_id', 'code']), botValues(b))),
    listBots: async (m) => (m === undefined
      ? await q('SELECT * FROM bots ORDER BY member_id COLLATE "C", code COLLATE "C"')
      : await q('SELECT * FROM bots WHERE member_id = $1 ORDER BY code COLLATE "C"', [m])).rows.map(botFromRow),
    deleteBot: (m, code) => use(() => tx(async (c) => {
      await c.query('DELETE FROM bots WHERE member_id = $1 AND code = $2', [m, code]);
      await c.query('DELETE FROM commands WHERE member_id = $1 AND bot_code = $2', [m, code]);
    })),
    saveCommand: async (c) => void (await q(
      upsertSql('commands', ['member_id', 'bot_code', 'command', 'command_id', 'spec'], ['member_id', 'bot_code', 'command']),
      [c.memberId, c.botCode, c.command, c.commandId, c.spec ?? null],
    )),
    deleteCommand: async (m, botCode, command) =>
      void (await q('DELETE FROM commands WHERE member_id = $1 AND bot_code = $2 AND command = $3', [m, botCode, command])),
    getSyncHash: async (m) => {
      const { rows } = await q('SELECT hash FROM sync_hashes WHERE member_id = $1', [m]);
      return rows[0] ? String(rows[0]['hash']) : null;
    },
    setSyncHash: async (m, hash) => void (await q(
      `INSERT INTO sync_hashes (member_id, hash, synced_at) VALUES ($1, $2, $3)
       ON CONFLICT (member_id) DO UPDATE SET hash = excluded.hash, synced_at = excluded.synced_at`, [m, hash, clock()],
    )),
    listCommands: async (m, botCode) => (botCode === undefined
      ? await q('SELECT * FROM commands WHERE member_id = $1 ORDER BY bot_code COLLATE "C", command COLLATE "C"', [m])
      : await q('SELECT * FROM commands WHERE member_id = $1 AND bot_code = $2 ORDER BY command COLLATE "C"', [m, botCode])).rows.map(commandFromRow),
  };
}

function stateMethods({ pool, clock, use }: PgCtx): StateStore & OffsetStore {
  const q = (sql: string, values: unknown[] = []): Promise<pg.QueryResult> => use(() => pool.query(sql, values));
  return {
    getState: async <T>(key: string, now: number): Promise<Versioned<T> | null> => {
      const { rows } = await q('SELECT value, version, expires_at FROM state WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)', [key, now]);
      const r = rows[0];
      return r ? { value: decodeJson<T>(r.value), version: Number(r.version), expiresAt: r.expires_at === null ? null : Number(r.expires_at) } : null;
    },
    setState: async (key, value, expectedVersion, expiresAt) => {
      const json = encodeJson(value);
      const { rows } = expectedVersion === 0
        ? await q(`INSERT INTO state (key, value, version, expires_at) VALUES ($1, $2, 1, $3)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = state.version + 1, expires_at = EXCLUDED.expires_at
            WHERE state.expires_at IS NOT NULL AND state.expires_at <= $4 RETURNING version`, [key, json, expiresAt, clock()])
        : await q(`UPDATE state SET value = $1, version = version + 1, expires_at = $2
            WHERE key = $3 AND version = $4 AND (expires_at IS NULL OR expires_at > $5) RETURNING version`,
        [json, expiresAt, key, expectedVersion, clock()]);
      return rows[0] ? Number(rows[0].version) : null;
    },
    deleteState: async (key) => void (await q('DELETE FROM state WHERE key = $1', [key])),
    getOffset: async (m, botId) => Number((await q('SELECT position FROM offsets WHERE member_id = $1 AND bot_id = $2', [m, botId])).rows[0]?.position ?? 0),
    setOffset: async (m, botId, offset) => void (await q(
      `INSERT INTO offsets (member_id, bot_id, position) VALUES ($1, $2, $3)
       ON CONFLICT (member_id, bot_id) DO UPDATE SET position = EXCLUDED.position`, [m, botId, offset],
    )),
  };
}

function leaseMethods({ pool, clock, use }: PgCtx): Pick<PostgresStore, 'renewLeases' | 'tryLease' | 'dropLease'> {
  return {
    renewLeases: (owner, leaseMs, inboxKeys) => use(async () => {
      const until = clock() + leaseMs;
      if (inboxKeys === undefined) await pool.query('UPDATE inbox SET lease_until = $1 WHERE lease_owner = $2 AND NOT done', [until, owner]);
      else if (inboxKeys.length > 0) {
        await pool.query('UPDATE inbox SET lease_until = $1 WHERE lease_owner = $2 AND NOT done AND key = ANY($3)', [until, owner, [...inboxKeys]]);
      }
      await pool.query('UPDATE outbox SET lease_until = $1 WHERE lease_owner = $2', [until, owner]);
    }),
    tryLease: (name, owner, leaseMs) => use(async () => {
      const now = clock();
      const { rowCount } = await pool.query(
        `INSERT INTO leases (name, owner, until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until
         WHERE leases.owner = EXCLUDED.owner OR leases.until <= $4`, [name, owner, now + leaseMs, now]);
      return rowCount === 1;
    }),
    dropLease: (name, owner) => use(async () => void (await pool.query('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]))),
  };
}
