import { compareText, decodeJson, encodeJson, storeClosedError } from './codec.js';
import { memoryInbox, memoryOutbox, queueTables, type QueueCtx } from './memory-queues.js';
import type { BotRecord, CommandRecord, OffsetStore, PortalRecord, PortalStore, StateStore, Store } from './types.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Unix-ms clock for the times the store stamps itself (updatedAt, createdAt, done/dead times, setState expiry). */
  clock?: () => number;
}

interface Tables {
  portals: Map<string, PortalRecord>;
  bots: Map<string, BotRecord>;
  commands: Map<string, CommandRecord>;
  state: Map<string, { json: string; version: number; expiresAt: number | null }>;
  offsets: Map<string, { memberId: string; position: number }>;
  syncHashes: Map<string, string>;
}

interface Ctx {
  t: Tables;
  clock: () => number;
  use: <T>(fn: () => T) => Promise<T>;
}

/**
 * An in-memory {@link Store} for tests and throwaway runs. It passes the same contract suite as the
 * SQLite store, with the same semantics (see `openSqliteStore`), and copies every record in and
 * out, so callers can never mutate what is stored.
 *
 * @example
 * let now = 1_000;
 * const store = createMemoryStore({ clock: () => now });
 * await store.setState('dialogue:1', { step: 'ask' }, 0, null); // 1
 */
export function createMemoryStore(opts: MemoryStoreOptions = {}): Store {
  let closed = false;
  const ctx: Ctx = {
    t: {
      portals: new Map(), bots: new Map(), commands: new Map(), state: new Map(), offsets: new Map(), syncHashes: new Map(),
    },
    clock: opts.clock ?? Date.now,
    use: async (fn) => {
      if (closed) throw storeClosedError();
      return fn();
    },
  };
  const queues: QueueCtx = { q: queueTables(), clock: ctx.clock, use: ctx.use };
  return {
    ...portalMethods(ctx),
    ...memoryInbox(queues),
    ...memoryOutbox(queues),
    ...stateMethods(ctx),
    close: async () => {
      closed = true;
    },
  };
}

const copyPortal = (p: PortalRecord): PortalRecord => ({
  memberId: p.memberId, domain: p.domain, clientEndpoint: p.clientEndpoint, authMode: p.authMode,
  applicationToken: p.applicationToken, accessToken: p.accessToken, refreshToken: p.refreshToken,
  expiresAt: p.expiresAt, status: p.status, rateLimit: p.rateLimit, installedAt: p.installedAt, updatedAt: p.updatedAt,
});
const copyBot = (b: BotRecord): BotRecord => ({
  memberId: b.memberId, code: b.code, botId: b.botId, api: b.api, eventMode: b.eventMode,
  botToken: b.botToken, handlerUrl: b.handlerUrl, registeredAt: b.registeredAt, ...(b.spec !== undefined ? { spec: b.spec } : {}),
});
const copyCommand = (c: CommandRecord): CommandRecord =>
  ({ memberId: c.memberId, botCode: c.botCode, command: c.command, commandId: c.commandId, ...(c.spec !== undefined ? { spec: c.spec } : {}) });

const compositeKey = (...parts: Array<string | number>): string => JSON.stringify(parts);
const byText = <T>(pick: (v: T) => string[]) => (a: T, b: T): number => {
  const pa = pick(a);
  const pb = pick(b);
  for (let i = 0; i < pa.length; i++) {
    const c = compareText(pa[i] ?? '', pb[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
};
const removeWhere = <T>(map: Map<string, T>, match: (v: T) => boolean): void => {
  for (const [k, v] of map) if (match(v)) map.delete(k);
};

function portalMethods({ t, clock, use }: Ctx): PortalStore {
  const updatePortal = (memberId: string, patch: Partial<PortalRecord>): boolean => {
    const p = t.portals.get(memberId);
    if (p) t.portals.set(memberId, { ...p, ...patch, updatedAt: clock() });
    return p !== undefined;
  };
  return {
    getPortal: (memberId) => use(() => { const p = t.portals.get(memberId); return p ? copyPortal(p) : null; }),
    listPortals: () => use(() => [...t.portals.values()].sort(byText((p) => [p.memberId])).map(copyPortal)),
    savePortal: (portal) => use(() => void t.portals.set(portal.memberId, copyPortal(portal))),
    updateTokens: (memberId, tokens, expected) =>
      use(() => {
        if (t.portals.get(memberId)?.refreshToken !== expected) return false;
        const { accessToken, refreshToken, expiresAt } = tokens;
        return updatePortal(memberId, { accessToken, refreshToken, expiresAt });
      }),
    setPortalStatus: (memberId, status) => use(() => void updatePortal(memberId, { status })),
    deletePortal: (memberId) =>
      use(() => {
        t.portals.delete(memberId);
        removeWhere(t.bots, (b) => b.memberId === memberId);
        removeWhere(t.commands, (c) => c.memberId === memberId);
        removeWhere(t.offsets, (o) => o.memberId === memberId);
        t.syncHashes.delete(memberId);
      }),
    saveBot: (bot) => use(() => void t.bots.set(compositeKey(bot.memberId, bot.code), copyBot(bot))),
    listBots: (memberId) =>
      use(() => [...t.bots.values()]
        .filter((b) => memberId === undefined || b.memberId === memberId)
        .sort(byText((b) => [b.memberId, b.code]))
        .map(copyBot)),
    deleteBot: (memberId, code) =>
      use(() => {
        t.bots.delete(compositeKey(memberId, code));
        removeWhere(t.commands, (c) => c.memberId === memberId && c.botCode === code);
      }),
    saveCommand: (c) => use(() => void t.commands.set(compositeKey(c.memberId, c.botCode, c.command), copyCommand(c))),
    listCommands: (memberId, botCode) =>
      use(() => [...t.commands.values()]
        .filter((c) => c.memberId === memberId && (botCode === undefined || c.botCode === botCode))
        .sort(byText((c) => [c.botCode, c.command]))
        .map(copyCommand)),
    deleteCommand: (memberId, botCode, command) => use(() => void t.commands.delete(compositeKey(memberId, botCode, command))),
    getSyncHash: (memberId) => use(() => t.syncHashes.get(memberId) ?? null),
    setSyncHash: (memberId, hash) => use(() => void t.syncHashes.set(memberId, hash)),
  };
}

function stateMethods({ t, clock, use }: Ctx): StateStore & OffsetStore {
  return {
    getState: <T>(key: string, now: number) =>
      use(() => {
        const e = t.state.get(key);
        if (!e || (e.expiresAt !== null && e.expiresAt <= now)) return null;
        return { value: decodeJson<T>(e.json), version: e.version, expiresAt: e.expiresAt };
      }),
    setState: (key, value, expectedVersion, expiresAt) =>
      use(() => {
        const json = encodeJson(value);
        const e = t.state.get(key);
        const live = e !== undefined && (e.expiresAt === null || e.expiresAt > clock());
        const matches = expectedVersion === 0 ? !live : live && e.version === expectedVersion;
        if (!matches) return null;
        const version = (e?.version ?? 0) + 1;
        t.state.set(key, { json, version, expiresAt });
        return version;
      }),
    deleteState: (key) => use(() => void t.state.delete(key)),
    getOffset: (memberId, botId) => use(() => t.offsets.get(compositeKey(memberId, botId))?.position ?? 0),
    setOffset: (memberId, botId, offset) =>
      use(() => void t.offsets.set(compositeKey(memberId, botId), { memberId, position: offset })),
  };
}
