import type pg from 'pg';
import { BotkitError } from '../errors.js';
import { checkout } from './postgres-client.js';

/** One schema step of the PostgreSQL store; its position in the list (1-based) is its version. */
export interface PgMigration {
  name: string;
  sql: string;
}

/** The ordered schema history of the PostgreSQL store. Append only: never edit a released step. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    name: 'initial schema (the SQLite schema at version 3)',
    sql: `
      CREATE TABLE portals (
        member_id TEXT PRIMARY KEY, domain TEXT NOT NULL, client_endpoint TEXT NOT NULL, auth_mode TEXT NOT NULL,
        application_token TEXT, access_token TEXT, refresh_token TEXT, expires_at BIGINT, status TEXT NOT NULL,
        rate_limit TEXT, installed_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
      );
      CREATE TABLE bots (
        member_id TEXT NOT NULL, code TEXT NOT NULL, bot_id BIGINT NOT NULL, api TEXT NOT NULL, event_mode TEXT NOT NULL,
        bot_token TEXT, registered_at BIGINT NOT NULL, handler_url TEXT, PRIMARY KEY (member_id, code)
      );
      CREATE TABLE commands (
        member_id TEXT NOT NULL, bot_code TEXT NOT NULL, command TEXT NOT NULL, command_id BIGINT NOT NULL,
        PRIMARY KEY (member_id, bot_code, command)
      );
      CREATE TABLE inbox (
        key TEXT PRIMARY KEY, seq BIGSERIAL NOT NULL, member_id TEXT NOT NULL, dialogue_key TEXT NOT NULL,
        payload TEXT NOT NULL, received_at BIGINT NOT NULL, done BOOLEAN NOT NULL DEFAULT false, done_at BIGINT,
        lease_owner TEXT, lease_until BIGINT
      );
      CREATE INDEX inbox_pending ON inbox (received_at, seq) WHERE NOT done;
      CREATE INDEX inbox_member_pending ON inbox (member_id, received_at, seq) WHERE NOT done;
      CREATE INDEX inbox_done_at ON inbox (done_at) WHERE done;
      CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY, member_id TEXT NOT NULL, dialogue_key TEXT NOT NULL, method TEXT NOT NULL,
        params TEXT NOT NULL, idempotency_key TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        not_before BIGINT NOT NULL, created_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT
      );
      CREATE INDEX outbox_dialogue ON outbox (member_id, dialogue_key, id);
      CREATE INDEX outbox_key ON outbox (idempotency_key);
      CREATE TABLE outbox_dead (
        id BIGINT PRIMARY KEY, member_id TEXT NOT NULL, dialogue_key TEXT NOT NULL, method TEXT NOT NULL,
        params TEXT NOT NULL, idempotency_key TEXT NOT NULL, attempts INTEGER NOT NULL, not_before BIGINT NOT NULL,
        created_at BIGINT NOT NULL, reason TEXT NOT NULL, dead_at BIGINT NOT NULL
      );
      CREATE INDEX outbox_dead_time ON outbox_dead (dead_at);
      CREATE TABLE outbox_sent (idempotency_key TEXT PRIMARY KEY, result TEXT NOT NULL, sent_at BIGINT NOT NULL);
      CREATE INDEX outbox_sent_time ON outbox_sent (sent_at);
      CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL, version BIGINT NOT NULL, expires_at BIGINT);
      CREATE TABLE offsets (member_id TEXT NOT NULL, bot_id BIGINT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (member_id, bot_id));
      CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until BIGINT NOT NULL);
    `,
  },
  {
    name: 'registration sync: applied specs of bots and commands, declared-bots hash per portal (SQLite step 5)',
    sql: `
      ALTER TABLE bots ADD COLUMN spec TEXT;
      ALTER TABLE commands ADD COLUMN spec TEXT;
      CREATE TABLE sync_hashes (member_id TEXT PRIMARY KEY, hash TEXT NOT NULL, synced_at BIGINT NOT NULL);
    `,
  },
];

// pg_advisory_lock key of the migration runner: every instance starting at once waits on it.
const MIGRATION_LOCK = 0x62326b6d; // "b2km"

/**
 * Brings the database to the last schema version. The runner holds a session advisory lock while it
 * reads the version and applies the pending steps (each in its own transaction with its version row), so
 * several instances starting at once apply every step exactly once: the others wait, then find nothing
 * to do. Returns the resulting version.
 *
 * @example
 * await runPgMigrations(pool, PG_MIGRATIONS); // 1 on an empty database, and again on every later start
 */
export async function runPgMigrations(pool: pg.Pool, migrations: readonly PgMigration[]): Promise<number> {
  const { client, release } = await checkout(pool);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS botkit_schema (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM botkit_schema');
      const current = rows[0]?.v ?? 0;
      if (current > migrations.length) {
        throw new BotkitError('STORE_SCHEMA_TOO_NEW', `Database schema version ${current} is newer than this build knows (${migrations.length})`);
      }
      for (let v = current + 1; v <= migrations.length; v++) await applyStep(client, v, migrations[v - 1] as PgMigration);
      return migrations.length;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    release();
  }
}

async function applyStep(client: pg.PoolClient, version: number, step: PgMigration): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query(step.sql);
    await client.query('INSERT INTO botkit_schema (version, name) VALUES ($1, $2)', [version, step.name]);
    await client.query('COMMIT');
  } catch (cause) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new BotkitError('STORE_MIGRATION_FAILED', `Migration ${version} (${step.name}) failed`, { cause });
  }
}
