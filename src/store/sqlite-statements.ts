import type { Database, RunResult } from 'better-sqlite3';

/**
 * The part of a prepared statement the store uses. Named here so the emitted `.d.ts` (`npm run build`)
 * does not have to name better-sqlite3's internal namespace.
 */
export interface Prepared<P extends unknown[], R> {
  run(...params: P): RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
}

/** A `portals` row as SQLite returns it. */
export interface PortalRow {
  member_id: string;
  domain: string;
  client_endpoint: string;
  auth_mode: string;
  application_token: string | null;
  access_token: string | null;
  refresh_token: string | null;
  expires_at: number | null;
  status: string;
  rate_limit: string | null;
  installed_at: number;
  updated_at: number;
}

/** A `bots` row. */
export interface BotRow {
  member_id: string;
  code: string;
  bot_id: number;
  api: string;
  event_mode: string;
  bot_token: string | null;
  handler_url: string | null;
  registered_at: number;
  spec: string | null;
}

/** A `commands` row. */
export interface CommandRow {
  member_id: string;
  bot_code: string;
  command: string;
  command_id: number;
  spec: string | null;
}

/** The columns of an `inbox` row the store hands out. */
export interface InboxRow {
  key: string;
  member_id: string;
  dialogue_key: string;
  payload: string;
  received_at: number;
}

/** An `outbox` row; `outbox_dead` rows add `reason`. */
export interface OutboxRow {
  id: number;
  member_id: string;
  dialogue_key: string;
  method: string;
  params: string;
  idempotency_key: string;
  attempts: number;
  not_before: number;
  created_at: number;
}

/** What a claim scan reads of an inbox row. */
export interface LeaseRow {
  key: string;
  member_id: string;
  dialogue_key: string;
  lease_owner: string | null;
  lease_until: number | null;
}

/** An outbox row with its lease. */
export interface LeasedOutboxRow extends OutboxRow {
  lease_owner: string | null;
  lease_until: number | null;
}

/** A live `state` row. */
export interface StateRow {
  value: string;
  version: number;
  expires_at: number | null;
}

const PORTAL_COLUMNS = [
  'member_id', 'domain', 'client_endpoint', 'auth_mode', 'application_token', 'access_token',
  'refresh_token', 'expires_at', 'status', 'rate_limit', 'installed_at', 'updated_at',
];
const BOT_COLUMNS = ['member_id', 'code', 'bot_id', 'api', 'event_mode', 'bot_token', 'registered_at', 'handler_url', 'spec'];
const OUTBOX_COLUMNS =
  'id, member_id, dialogue_key, method, params, idempotency_key, attempts, not_before, created_at';

// Whole-record upsert without REPLACE, which would delete and re-insert the row.
function upsertSql(table: string, columns: readonly string[], keys: readonly string[]): string {
  const updates = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

/** Every statement the SQLite store runs, prepared once at open. */
export function prepareStatements(db: Database) {
  const q = <P extends unknown[] | object = unknown[], R = unknown>(sql: string): Prepared<P extends unknown[] ? P : [P], R> =>
    db.prepare<P, R>(sql) as unknown as Prepared<P extends unknown[] ? P : [P], R>;
  return {
    getPortal: q<[string], PortalRow>('SELECT * FROM portals WHERE member_id = ?'),
    listPortals: q<[], PortalRow>('SELECT * FROM portals ORDER BY member_id'),
    savePortal: q<PortalRow>(upsertSql('portals', PORTAL_COLUMNS, ['member_id'])),
    updateTokens: q<[string, string, number, number, string, string]>(
      `UPDATE portals SET access_token = ?, refresh_token = ?, expires_at = ?, updated_at = ?
       WHERE member_id = ? AND refresh_token = ?`,
    ),
    setPortalStatus: q<[string, number, string]>('UPDATE portals SET status = ?, updated_at = ? WHERE member_id = ?'),
    deletePortal: q<[string]>('DELETE FROM portals WHERE member_id = ?'),
    deletePortalBots: q<[string]>('DELETE FROM bots WHERE member_id = ?'),
    deletePortalCommands: q<[string]>('DELETE FROM commands WHERE member_id = ?'),
    deletePortalOffsets: q<[string]>('DELETE FROM offsets WHERE member_id = ?'),
    deletePortalSyncHash: q<[string]>('DELETE FROM sync_hashes WHERE member_id = ?'),
    saveBot: q<BotRow>(upsertSql('bots', BOT_COLUMNS, ['member_id', 'code'])),
    listAllBots: q<[], BotRow>('SELECT * FROM bots ORDER BY member_id, code'),
    listBots: q<[string], BotRow>('SELECT * FROM bots WHERE member_id = ? ORDER BY code'),
    deleteBot: q<[string, string]>('DELETE FROM bots WHERE member_id = ? AND code = ?'),
    deleteBotCommands: q<[string, string]>('DELETE FROM commands WHERE member_id = ? AND bot_code = ?'),
    saveCommand: q<CommandRow>(
      upsertSql('commands', ['member_id', 'bot_code', 'command', 'command_id', 'spec'], ['member_id', 'bot_code', 'command']),
    ),
    deleteCommand: q<[string, string, string]>('DELETE FROM commands WHERE member_id = ? AND bot_code = ? AND command = ?'),
    getSyncHash: q<[string], { hash: string }>('SELECT hash FROM sync_hashes WHERE member_id = ?'),
    setSyncHash: q<[string, string, number]>(
      `INSERT INTO sync_hashes (member_id, hash, synced_at) VALUES (?, ?, ?)
       ON CONFLICT (member_id) DO UPDATE SET hash = excluded.hash, synced_at = excluded.synced_at`,
    ),
    listCommands: q<[string], CommandRow>('SELECT * FROM commands WHERE member_id = ? ORDER BY bot_code, command'),
    listBotCommands: q<[string, string], CommandRow>(
      'SELECT * FROM commands WHERE member_id = ? AND bot_code = ? ORDER BY command',
    ),
    inboxAdd: q<InboxRow & { lease_owner: string | null; lease_until: number | null }>(
      `INSERT OR IGNORE INTO inbox (key, member_id, dialogue_key, payload, received_at, lease_owner, lease_until)
       VALUES (@key, @member_id, @dialogue_key, @payload, @received_at, @lease_owner, @lease_until)`,
    ),
    inboxPending: q<[number], InboxRow>(
      `SELECT key, member_id, dialogue_key, payload, received_at FROM inbox
       WHERE done = 0 ORDER BY received_at, rowid LIMIT ?`,
    ),
    // Claim scans read no payloads and skip what the claimer itself holds (it neither returns nor blocks).
    inboxScan: q<[string, number], LeaseRow>(
      `SELECT key, member_id, dialogue_key, lease_owner, lease_until FROM inbox INDEXED BY inbox_claim
       WHERE done = 0 AND NOT (lease_owner IS ? AND lease_until > ?) ORDER BY received_at, rowid`,
    ),
    inboxScanMember: q<[string, string, number], LeaseRow>(
      `SELECT key, member_id, dialogue_key, lease_owner, lease_until FROM inbox INDEXED BY inbox_member_claim
       WHERE member_id = ? AND done = 0 AND NOT (lease_owner IS ? AND lease_until > ?) ORDER BY received_at, rowid`,
    ),
    inboxGet: q<[string], InboxRow>('SELECT key, member_id, dialogue_key, payload, received_at FROM inbox WHERE key = ?'),
    inboxLease: q<[string, number, string]>('UPDATE inbox SET lease_owner = ?, lease_until = ? WHERE key = ?'),
    inboxReleaseAll: q<[]>('UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE done = 0 AND lease_owner IS NOT NULL'),
    inboxReleaseOwner: q<[string]>('UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE done = 0 AND lease_owner = ?'),
    inboxPendingMembers: q<[], { member_id: string }>('SELECT DISTINCT member_id FROM inbox WHERE done = 0'),
    inboxPendingCount: q<[], { n: number }>('SELECT COUNT(*) AS n FROM inbox WHERE done = 0'),
    inboxDone: q<[number, string]>(
      'UPDATE inbox SET done = 1, done_at = ?, lease_owner = NULL, lease_until = NULL WHERE key = ? AND done = 0',
    ),
    inboxPrune: q<[number]>('DELETE FROM inbox WHERE done = 1 AND done_at < ?'),
    outboxAdd: q<[string, string, string, string, string, number, string | null, number | null]>(
      `INSERT INTO outbox (member_id, dialogue_key, method, params, idempotency_key, attempts, not_before, created_at,
         lease_owner, lease_until)
       VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
    ),
    outboxByKey: q<[string], { id: number }>('SELECT id FROM outbox WHERE idempotency_key = ? LIMIT 1'),
    outboxHead: q<[string, string], LeasedOutboxRow>(
      `SELECT ${OUTBOX_COLUMNS}, lease_owner, lease_until FROM outbox
       WHERE member_id = ? AND dialogue_key = ? ORDER BY id LIMIT 1`,
    ),
    // Ready heads, oldest first (the claim skips leased ones and caps each portal's share).
    outboxReadyHeads: q<[number], LeasedOutboxRow>(
      `SELECT ${OUTBOX_COLUMNS}, lease_owner, lease_until FROM outbox
       WHERE id IN (SELECT MIN(id) FROM outbox GROUP BY member_id, dialogue_key) AND not_before <= ?
       ORDER BY id`,
    ),
    outboxLease: q<[string, number, number]>('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?'),
    outboxReleaseAll: q<[]>('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL'),
    outboxReleaseOwner: q<[string]>('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?'),
    sentGet: q<[string], { result: string }>('SELECT result FROM outbox_sent WHERE idempotency_key = ?'),
    sentPut: q<[string, string, number]>(
      `INSERT INTO outbox_sent (idempotency_key, result, sent_at) VALUES (?, ?, ?)
       ON CONFLICT (idempotency_key) DO UPDATE SET result = excluded.result, sent_at = excluded.sent_at`,
    ),
    sentPrune: q<[number]>('DELETE FROM outbox_sent WHERE sent_at < ?'),
    // The head of a dialogue is its lowest id; a waiting head hides the rest of its dialogue.
    outboxPending: q<[number, number], OutboxRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox
       WHERE id IN (SELECT MIN(id) FROM outbox GROUP BY member_id, dialogue_key) AND not_before <= ?
       ORDER BY id LIMIT ?`,
    ),
    outboxDone: q<[number]>('DELETE FROM outbox WHERE id = ?'),
    outboxGet: q<[number], OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ?`),
    outboxRetry: q<[number, number]>(
      'UPDATE outbox SET attempts = attempts + 1, not_before = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?',
    ),
    outboxBury: q<[string, number, number]>(
      `INSERT INTO outbox_dead (${OUTBOX_COLUMNS}, reason, dead_at)
       SELECT ${OUTBOX_COLUMNS}, ?, ? FROM outbox WHERE id = ?`,
    ),
    outboxDeadList: q<[number], OutboxRow & { reason: string }>(
      `SELECT ${OUTBOX_COLUMNS}, reason FROM outbox_dead ORDER BY dead_at DESC, id DESC LIMIT ?`,
    ),
    outboxDeadListMember: q<[string, number], OutboxRow & { reason: string }>(
      `SELECT ${OUTBOX_COLUMNS}, reason FROM outbox_dead WHERE member_id = ? ORDER BY dead_at DESC, id DESC LIMIT ?`,
    ),
    outboxDeadGet: q<[number], OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox_dead WHERE id = ?`),
    outboxDeadDelete: q<[number]>('DELETE FROM outbox_dead WHERE id = ?'),
    outboxQueued: q<[string, number], OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE member_id = ? ORDER BY id LIMIT ?`),
    getState: q<[string, number], StateRow>(
      'SELECT value, version, expires_at FROM state WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    insertState: q<[string, string, number | null, number], { version: number }>(
      `INSERT INTO state (key, value, version, expires_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = state.version + 1,
         expires_at = excluded.expires_at
       WHERE state.expires_at IS NOT NULL AND state.expires_at <= ?
       RETURNING version`,
    ),
    updateState: q<[string, number | null, string, number, number], { version: number }>(
      `UPDATE state SET value = ?, version = version + 1, expires_at = ?
       WHERE key = ? AND version = ? AND (expires_at IS NULL OR expires_at > ?)
       RETURNING version`,
    ),
    deleteState: q<[string]>('DELETE FROM state WHERE key = ?'),
    getOffset: q<[string, number], { position: number }>('SELECT position FROM offsets WHERE member_id = ? AND bot_id = ?'),
    setOffset: q<[string, number, number]>(
      `INSERT INTO offsets (member_id, bot_id, position) VALUES (?, ?, ?)
       ON CONFLICT (member_id, bot_id) DO UPDATE SET position = excluded.position`,
    ),
  };
}

/** The prepared statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;
