import type { Database } from 'better-sqlite3';
import { BotkitError } from '../errors.js';

/** One schema step. Its position in the list (1-based) is the `PRAGMA user_version` it leads to. */
export interface Migration {
  /** Short description, for error messages. */
  name: string;
  /** SQL run inside the migration's transaction. */
  sql: string;
}

// Delivered keys used to live in `state` as `outbox-sent:<key>` rows expiring 48 h after delivery.
const DELIVERED_MIGRATION_WINDOW_MS = 48 * 3_600_000;

/** The ordered schema history of the SQLite store. Append only: never edit a released step. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    name: 'initial schema',
    sql: `
      CREATE TABLE portals (
        member_id TEXT PRIMARY KEY,
        domain TEXT NOT NULL,
        client_endpoint TEXT NOT NULL,
        auth_mode TEXT NOT NULL,
        application_token TEXT,
        access_token TEXT,
        refresh_token TEXT,
        expires_at INTEGER,
        status TEXT NOT NULL,
        rate_limit TEXT,
        installed_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE bots (
        member_id TEXT NOT NULL,
        code TEXT NOT NULL,
        bot_id INTEGER NOT NULL,
        api TEXT NOT NULL,
        event_mode TEXT NOT NULL,
        bot_token TEXT,
        registered_at INTEGER NOT NULL,
        PRIMARY KEY (member_id, code)
      ) STRICT;
      CREATE TABLE commands (
        member_id TEXT NOT NULL,
        bot_code TEXT NOT NULL,
        command TEXT NOT NULL,
        command_id INTEGER NOT NULL,
        PRIMARY KEY (member_id, bot_code, command)
      ) STRICT;
      CREATE TABLE inbox (
        key TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        dialogue_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        done_at INTEGER
      ) STRICT;
      CREATE INDEX inbox_pending ON inbox (done, received_at);
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_id TEXT NOT NULL,
        dialogue_key TEXT NOT NULL,
        method TEXT NOT NULL,
        params TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_dialogue ON outbox (member_id, dialogue_key, id);
      CREATE TABLE outbox_dead (
        id INTEGER PRIMARY KEY,
        member_id TEXT NOT NULL,
        dialogue_key TEXT NOT NULL,
        method TEXT NOT NULL,
        params TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        not_before INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        dead_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_dead_time ON outbox_dead (dead_at);
      CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        version INTEGER NOT NULL,
        expires_at INTEGER
      ) STRICT;
      CREATE TABLE offsets (
        member_id TEXT NOT NULL,
        bot_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (member_id, bot_id)
      ) STRICT;
    `,
  },
  {
    name: 'bots remember their event URL',
    sql: 'ALTER TABLE bots ADD COLUMN handler_url TEXT;',
  },
  {
    name: 'queue leases, per-portal inbox index, delivered keys in their own table',
    sql: `
      ALTER TABLE inbox ADD COLUMN lease_owner TEXT;
      ALTER TABLE inbox ADD COLUMN lease_until INTEGER;
      CREATE INDEX inbox_member_pending ON inbox (member_id, done, received_at);
      ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
      ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
      CREATE INDEX outbox_key ON outbox (idempotency_key);
      CREATE TABLE outbox_sent (
        idempotency_key TEXT PRIMARY KEY,
        result TEXT NOT NULL,
        sent_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_sent_time ON outbox_sent (sent_at);
      INSERT OR IGNORE INTO outbox_sent (idempotency_key, result, sent_at)
        SELECT substr(key, 13), COALESCE(value -> '$.result', 'null'), COALESCE(expires_at - ${DELIVERED_MIGRATION_WINDOW_MS}, 0)
        FROM state WHERE key LIKE 'outbox-sent:%';
      DELETE FROM state WHERE key LIKE 'outbox-sent:%';
    `,
  },
  {
    name: 'covering indexes for inbox claims (a claim scan reads no table rows)',
    sql: `
      DROP INDEX inbox_member_pending;
      DROP INDEX inbox_pending;
      CREATE INDEX inbox_member_claim ON inbox (member_id, done, received_at, dialogue_key, lease_owner, lease_until, key);
      CREATE INDEX inbox_claim ON inbox (done, received_at, member_id, dialogue_key, lease_owner, lease_until, key);
    `,
  },
  {
    name: 'registration sync: applied specs of bots and commands, declared-bots hash per portal',
    sql: `
      ALTER TABLE bots ADD COLUMN spec TEXT;
      ALTER TABLE commands ADD COLUMN spec TEXT;
      CREATE TABLE sync_hashes (
        member_id TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        synced_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];

/**
 * Brings the database to the last schema version: applies every step after the current
 * `PRAGMA user_version`, each in its own IMMEDIATE transaction that also bumps the version, so a
 * failed step leaves nothing half-applied and two processes opening a new file at once do not
 * both migrate. Returns the resulting version.
 *
 * @example
 * runMigrations(db, SQLITE_MIGRATIONS); // 1 on a new file, and again 1 on every later open
 */
export function runMigrations(db: Database, migrations: readonly Migration[]): number {
  for (;;) {
    const step = db.transaction(() => applyNext(db, migrations)).immediate();
    if (step === 'done') return migrations.length;
  }
}

function applyNext(db: Database, migrations: readonly Migration[]): 'applied' | 'done' {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw new BotkitError(
      'STORE_SCHEMA_TOO_NEW',
      `Database schema version ${version} is newer than this build knows (${migrations.length})`,
    );
  }
  const next = migrations[version];
  if (next === undefined) return 'done';
  try {
    db.exec(next.sql);
  } catch (cause) {
    throw new BotkitError('STORE_MIGRATION_FAILED', `Migration ${version + 1} (${next.name}) failed`, { cause });
  }
  db.pragma(`user_version = ${version + 1}`);
  return 'applied';
}
