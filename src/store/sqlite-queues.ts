import type Database from 'better-sqlite3';
import { decodeJson, encodeJson } from './codec.js';
import { GroupCommit } from './group-commit.js';
import type { InboxRow, LeasedOutboxRow, OutboxRow, Statements } from './sqlite-statements.js';
import type {
  InboxItem, InboxStore, LeaseRequest, OutboxAddResult, OutboxItem, OutboxStore,
} from './types.js';

/** What the queue methods share with the rest of the SQLite store. */
export interface SqliteQueueCtx {
  db: Database.Database;
  s: Statements;
  clock: () => number;
  use: <T>(fn: () => T | Promise<T>) => Promise<T>;
  /** Group-commit flushes, run before the database closes. */
  flushes: Array<() => void>;
}

// LIMIT -1 means "no limit" in SQLite; callers asking for nothing get nothing, as in memory.
const toLimit = (limit: number): number => (limit >= 1 ? Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER) : 0);
const liveAny = (r: { lease_owner: string | null; lease_until: number | null }, now: number): boolean =>
  r.lease_owner !== null && (r.lease_until ?? 0) > now;

type Add = { item: InboxItem; lease: LeaseRequest | undefined };

// The intake's hot path: every accepted event is one insert and, once handled, one update, each batched
// with the others of the same event-loop turn (group commit).
/** The inbox of the SQLite store (see `InboxStore` for the semantics). */
export function sqliteInbox({ db, s, clock, use, flushes }: SqliteQueueCtx): InboxStore {
  const adds = new GroupCommit<Add, boolean>(db.transaction((batch: readonly Add[]) => {
    const now = clock();
    return batch.map(({ item, lease }) => s.inboxAdd.run({
      ...inboxToRow(item), lease_owner: lease?.owner ?? null, lease_until: lease ? now + lease.leaseMs : null,
    }).changes === 1);
  }));
  const dones = new GroupCommit<string, void>(db.transaction((keys: readonly string[]) => {
    const now = clock();
    return keys.map((key) => void s.inboxDone.run(now, key));
  }));
  flushes.push(() => adds.flush(), () => dones.flush());
  const claim = db.transaction((owner: string, leaseMs: number, limit: number, memberId: string | undefined) => {
    const now = clock();
    const blocked = new Set<string>();
    const picked: string[] = [];
    const rows = memberId === undefined ? s.inboxScan.iterate(owner, now) : s.inboxScanMember.iterate(memberId, owner, now);
    for (const r of rows) {
      if (picked.length >= limit) break;
      const d = `${r.member_id}\u0000${r.dialogue_key}`;
      if (blocked.has(d)) continue;
      // Leased (live) by another owner: that owner runs this dialogue; nothing after it may be taken.
      if (liveAny(r, now)) blocked.add(d);
      else picked.push(r.key);
    }
    const out: InboxItem[] = [];
    for (const key of picked) {
      s.inboxLease.run(owner, now + leaseMs, key);
      const row = s.inboxGet.get(key);
      if (row) out.push(inboxFromRow(row));
    }
    return out;
  });
  return {
    inboxAdd: (item, lease) => use(() => adds.submit({ item, lease })),
    inboxClaim: (c) => use(() => claim(c.owner, c.leaseMs, toLimit(c.limit), c.memberId)),
    inboxRelease: (owner) =>
      use(() => (owner === undefined ? s.inboxReleaseAll.run() : s.inboxReleaseOwner.run(owner)).changes),
    inboxPendingMembers: () => use(() => s.inboxPendingMembers.all().map((r) => r.member_id)),
    inboxPendingCount: () => use(() => s.inboxPendingCount.get()?.n ?? 0),
    inboxPending: (limit) => use(() => s.inboxPending.all(toLimit(limit)).map(inboxFromRow)),
    inboxDone: (key) => use(() => dones.submit(key)),
    inboxPrune: (before) => use(() => s.inboxPrune.run(before).changes),
  };
}

type NewReply = Omit<OutboxItem, 'id' | 'attempts' | 'notBefore' | 'createdAt'>;

/** The outbox of the SQLite store (see `OutboxStore` for the semantics). */
export function sqliteOutbox({ db, s, clock, use }: SqliteQueueCtx): OutboxStore {
  const claimHead = (of: { memberId: string; dialogueKey: string }, next: LeaseRequest | undefined, now: number): OutboxItem | null => {
    if (!next) return null;
    const head = s.outboxHead.get(of.memberId, of.dialogueKey);
    if (!head || head.not_before > now || liveAny(head, now)) return null;
    s.outboxLease.run(next.owner, now + next.leaseMs, head.id);
    return outboxFromRow(head);
  };
  const add = db.transaction((i: NewReply, lease: LeaseRequest | undefined): OutboxAddResult => {
    const sent = s.sentGet.get(i.idempotencyKey);
    if (sent) return { status: 'delivered', result: decodeJson<unknown>(sent.result) };
    const queued = s.outboxByKey.get(i.idempotencyKey);
    if (queued) return { status: 'pending', id: queued.id };
    const now = clock();
    const claimed = lease !== undefined && s.outboxHead.get(i.memberId, i.dialogueKey) === undefined;
    const { lastInsertRowid } = s.outboxAdd.run(
      i.memberId, i.dialogueKey, i.method, i.params, i.idempotencyKey, now,
      claimed ? lease.owner : null, claimed ? now + lease.leaseMs : null,
    );
    return { status: 'queued', id: Number(lastInsertRowid), claimed };
  });
  const delivered = db.transaction((item: OutboxItem, json: string, next: LeaseRequest | undefined) => {
    const now = clock();
    s.outboxDone.run(item.id);
    s.sentPut.run(item.idempotencyKey, json, now);
    return claimHead(item, next, now);
  });
  const bury = db.transaction((id: number, reason: string, next: LeaseRequest | undefined) => {
    const now = clock();
    const row = s.outboxGet.get(id);
    if (!row) return null;
    s.outboxBury.run(reason, now, id);
    s.outboxDone.run(id);
    return claimHead({ memberId: row.member_id, dialogueKey: row.dialogue_key }, next, now);
  });
  const takeDead = (id: number, memberId: string | undefined): OutboxRow | null => {
    const row = s.outboxDeadGet.get(id);
    if (!row || (memberId !== undefined && row.member_id !== memberId)) return null;
    s.outboxDeadDelete.run(id);
    return row;
  };
  // `add` inside this transaction runs as a savepoint of it: the dead letter goes and the reply comes in one write.
  const requeue = db.transaction((id: number, memberId: string | undefined): OutboxAddResult | null => {
    const row = takeDead(id, memberId);
    if (!row) return null;
    return add({ memberId: row.member_id, dialogueKey: row.dialogue_key, method: row.method, params: row.params, idempotencyKey: row.idempotency_key }, undefined);
  });
  const discard = db.transaction((id: number, memberId: string | undefined): boolean => takeDead(id, memberId) !== null);
  const claim = db.transaction((owner: string, leaseMs: number, limit: number, perMember: number, skip: ReadonlySet<string>) => {
    const now = clock();
    const counts = new Map<string, number>();
    const picked: OutboxItem[] = [];
    for (const r of s.outboxReadyHeads.iterate(now)) {
      if (picked.length >= limit) break;
      if (skip.has(r.member_id) || liveAny(r, now)) continue;
      const n = counts.get(r.member_id) ?? 0;
      if (n >= perMember) continue;
      counts.set(r.member_id, n + 1);
      picked.push(outboxFromRow(r));
    }
    for (const p of picked) s.outboxLease.run(owner, now + leaseMs, p.id);
    return picked;
  });
  return {
    outboxAdd: (i, lease) => use(() => add(i, lease)),
    outboxClaim: (c) =>
      use(() => claim(c.owner, c.leaseMs, toLimit(c.limit), c.perMember ?? Number.MAX_SAFE_INTEGER, new Set(c.skipMembers ?? []))),
    outboxDelivered: (item, result, next) => use(() => delivered(item, encodeJson(result ?? null), next)),
    outboxRetry: (id, notBefore) => use(() => void s.outboxRetry.run(notBefore, id)),
    outboxDead: (id, reason, next) => use(() => bury(id, reason, next)),
    outboxRelease: (owner) =>
      use(() => (owner === undefined ? s.outboxReleaseAll.run() : s.outboxReleaseOwner.run(owner)).changes),
    outboxSent: (key) =>
      use(() => {
        const row = s.sentGet.get(key);
        return row ? { result: decodeJson<unknown>(row.result) } : null;
      }),
    outboxPrune: (before) => use(() => s.sentPrune.run(before).changes),
    outboxPending: (limit, now) => use(() => s.outboxPending.all(now, toLimit(limit)).map(outboxFromRow)),
    outboxDeadList: (limit, memberId) =>
      use(() => (memberId === undefined ? s.outboxDeadList.all(toLimit(limit)) : s.outboxDeadListMember.all(memberId, toLimit(limit)))
        .map((r) => ({ ...outboxFromRow(r), reason: r.reason }))),
    outboxQueued: (memberId, limit) => use(() => s.outboxQueued.all(memberId, toLimit(limit)).map(outboxFromRow)),
    outboxDeadRetry: (id, memberId) => use(() => requeue(id, memberId)),
    outboxDeadDiscard: (id, memberId) => use(() => discard(id, memberId)),
  };
}

function inboxToRow(i: InboxItem): InboxRow {
  return { key: i.key, member_id: i.memberId, dialogue_key: i.dialogueKey, payload: i.payload, received_at: i.receivedAt };
}

function inboxFromRow(r: InboxRow): InboxItem {
  return { key: r.key, memberId: r.member_id, dialogueKey: r.dialogue_key, payload: r.payload, receivedAt: r.received_at };
}

function outboxFromRow(r: OutboxRow | LeasedOutboxRow): OutboxItem {
  return {
    id: r.id,
    memberId: r.member_id,
    dialogueKey: r.dialogue_key,
    method: r.method,
    params: r.params,
    idempotencyKey: r.idempotency_key,
    attempts: r.attempts,
    notBefore: r.not_before,
    createdAt: r.created_at,
  };
}
