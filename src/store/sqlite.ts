import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { decodeJson, encodeJson, storeClosedError } from './codec.js';
import { secureBeforeOpen, secureFiles } from './file-modes.js';
import { runMigrations, SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { prepareStatements } from './sqlite-statements.js';
import { sqliteInbox, sqliteOutbox, type SqliteQueueCtx } from './sqlite-queues.js';
import type { BotRow, CommandRow, PortalRow, Statements } from './sqlite-statements.js';
import type {
  AuthMode, BotRecord, CommandRecord, OffsetStore, PortalRecord, PortalStore, StateStore, Store, Versioned,
} from './types.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; its parent directory is created (0700) when missing. The files are kept 0600. */
  file: string;
  /** Unix-ms clock for the times the store stamps itself (updatedAt, createdAt, done/dead times, setState expiry). */
  clock?: () => number;
}

/** How long a connection waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating and migrating when needed) the default, embedded store: one SQLite file in WAL
 * mode with `synchronous=NORMAL`. One server process per data directory: its dispatcher and outbox hold the
 * queues' leases for the whole process (they release every lease when they start); a CLI command that only
 * reads (`bots list`) may run beside it, the busy timeout covers that.
 *
 * Semantics shared with every store (see `test/store/contract.ts`):
 * - `updateTokens` is a compare-and-swap on the refresh token (one `UPDATE ... WHERE
 *   refresh_token = ?`); false means another writer rotated the pair first.
 * - `deletePortal` also deletes the portal's bots, commands and offsets; `deleteBot` its commands.
 * - `inboxAdd` is false for a key seen before, handled or not, until `inboxPrune(before)` forgets
 *   keys handled (`done_at`, from the clock) before `before`.
 * - Queues (inbox, outbox): claims, leases, per-dialogue order and the atomic delivery are described on
 *   `InboxStore` and `OutboxStore`; the claim scans run inside one transaction.
 * - `setState` with `expectedVersion` 0 succeeds only if the key is absent or expired (by the
 *   clock); the version then continues from the expired row's, so a stale writer cannot match it.
 *   An expired row never matches a non-zero `expectedVersion`. `getState` hides rows with
 *   `expiresAt <= now`.
 * - After `close()` (idempotent) every method rejects with `STORE_CLOSED`.
 *
 * @example
 * const store = openSqliteStore({ file: './data/botkit.sqlite' });
 * await store.savePortal(portal);
 * const rotated = await store.updateTokens(portal.memberId, fresh, portal.refreshToken!);
 * await store.close();
 */
export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const clock = opts.clock ?? Date.now;
  secureBeforeOpen(dirname(opts.file), opts.file);
  const db = new Database(opts.file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    secureFiles(opts.file);
    db.pragma('synchronous = NORMAL');
    runMigrations(db, SQLITE_MIGRATIONS);
    return buildStore(db, prepareStatements(db), clock);
  } catch (err) {
    db.close();
    throw err;
  }
}

type Ctx = SqliteQueueCtx;

function buildStore(db: Database.Database, s: Statements, clock: () => number): Store {
  let closed = false;
  const ctx: Ctx = {
    db, s, clock, flushes: [],
    // async, so that a synchronous SQLite error becomes a rejection as in any other store.
    use: async (fn) => {
      if (closed) throw storeClosedError();
      return fn();
    },
  };
  return {
    ...portalMethods(ctx),
    ...sqliteInbox(ctx),
    ...sqliteOutbox(ctx),
    ...stateMethods(ctx),
    close: async () => {
      if (closed) return;
      for (const flush of ctx.flushes) flush();
      closed = true;
      db.close();
    },
  };
}


function portalMethods({ db, s, clock, use }: Ctx): PortalStore {
  const deletePortal = db.transaction((memberId: string) => {
    for (const st of [s.deletePortal, s.deletePortalBots, s.deletePortalCommands, s.deletePortalOffsets, s.deletePortalSyncHash]) st.run(memberId);
  });
  const deleteBot = db.transaction((memberId: string, code: string) => {
    s.deleteBot.run(memberId, code);
    s.deleteBotCommands.run(memberId, code);
  });
  return {
    getPortal: (memberId) => use(() => mapOptional(s.getPortal.get(memberId), portalFromRow)),
    listPortals: () => use(() => s.listPortals.all().map(portalFromRow)),
    savePortal: (portal) => use(() => void s.savePortal.run(portalToRow(portal))),
    updateTokens: (memberId, t, expected) =>
      use(() => {
        const { changes } = s.updateTokens.run(t.accessToken, t.refreshToken, t.expiresAt, clock(), memberId, expected);
        return changes === 1;
      }),
    setPortalStatus: (memberId, status) => use(() => void s.setPortalStatus.run(status, clock(), memberId)),
    deletePortal: (memberId) => use(() => deletePortal(memberId)),
    saveBot: (bot) => use(() => void s.saveBot.run(botToRow(bot))),
    listBots: (memberId) =>
      use(() => (memberId === undefined ? s.listAllBots.all() : s.listBots.all(memberId)).map(botFromRow)),
    deleteBot: (memberId, code) => use(() => deleteBot(memberId, code)),
    saveCommand: (c) => use(() => void s.saveCommand.run(commandToRow(c))),
    listCommands: (memberId, botCode) =>
      use(() => {
        const rows = botCode === undefined ? s.listCommands.all(memberId) : s.listBotCommands.all(memberId, botCode);
        return rows.map(commandFromRow);
      }),
    deleteCommand: (memberId, botCode, command) => use(() => void s.deleteCommand.run(memberId, botCode, command)),
    getSyncHash: (memberId) => use(() => s.getSyncHash.get(memberId)?.hash ?? null),
    setSyncHash: (memberId, hash) => use(() => void s.setSyncHash.run(memberId, hash, clock())),
  };
}

function stateMethods({ s, clock, use }: Ctx): StateStore & OffsetStore {
  return {
    getState: <T>(key: string, now: number) => use(() => mapOptional(s.getState.get(key, now), stateFromRow<T>)),
    setState: (key, value, expectedVersion, expiresAt) =>
      use(() => {
        const json = encodeJson(value);
        const row = expectedVersion === 0
          ? s.insertState.get(key, json, expiresAt, clock())
          : s.updateState.get(json, expiresAt, key, expectedVersion, clock());
        return row?.version ?? null;
      }),
    deleteState: (key) => use(() => void s.deleteState.run(key)),
    getOffset: (memberId, botId) => use(() => s.getOffset.get(memberId, botId)?.position ?? 0),
    setOffset: (memberId, botId, offset) => use(() => void s.setOffset.run(memberId, botId, offset)),
  };
}

function mapOptional<R, T>(row: R | undefined, map: (row: R) => T): T | null {
  return row === undefined ? null : map(row);
}

function portalFromRow(r: PortalRow): PortalRecord {
  return {
    memberId: r.member_id,
    domain: r.domain,
    clientEndpoint: r.client_endpoint,
    authMode: r.auth_mode as AuthMode,
    applicationToken: r.application_token,
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    expiresAt: r.expires_at,
    status: r.status as PortalRecord['status'],
    rateLimit: r.rate_limit,
    installedAt: r.installed_at,
    updatedAt: r.updated_at,
  };
}

function portalToRow(p: PortalRecord): PortalRow {
  return {
    member_id: p.memberId,
    domain: p.domain,
    client_endpoint: p.clientEndpoint,
    auth_mode: p.authMode,
    application_token: p.applicationToken,
    access_token: p.accessToken,
    refresh_token: p.refreshToken,
    expires_at: p.expiresAt,
    status: p.status,
    rate_limit: p.rateLimit,
    installed_at: p.installedAt,
    updated_at: p.updatedAt,
  };
}

function botFromRow(r: BotRow): BotRecord {
  return {
    memberId: r.member_id,
    code: r.code,
    botId: r.bot_id,
    api: r.api as BotRecord['api'],
    eventMode: r.event_mode as BotRecord['eventMode'],
    botToken: r.bot_token,
    handlerUrl: r.handler_url,
    registeredAt: r.registered_at,
    ...(r.spec !== null ? { spec: r.spec } : {}),
  };
}

function botToRow(b: BotRecord): BotRow {
  return {
    member_id: b.memberId,
    code: b.code,
    bot_id: b.botId,
    api: b.api,
    event_mode: b.eventMode,
    bot_token: b.botToken,
    handler_url: b.handlerUrl,
    registered_at: b.registeredAt,
    spec: b.spec ?? null,
  };
}

function commandToRow(c: CommandRecord): CommandRow {
  return { member_id: c.memberId, bot_code: c.botCode, command: c.command, command_id: c.commandId, spec: c.spec ?? null };
}

function commandFromRow(r: CommandRow): CommandRecord {
  return { memberId: r.member_id, botCode: r.bot_code, command: r.command, commandId: r.command_id, ...(r.spec !== null ? { spec: r.spec } : {}) };
}

function stateFromRow<T>(r: { value: string; version: number; expires_at: number | null }): Versioned<T> {
  return { value: decodeJson<T>(r.value), version: r.version, expiresAt: r.expires_at };
}
