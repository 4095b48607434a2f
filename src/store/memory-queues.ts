import { encodeJson, decodeJson } from './codec.js';
import type {
  InboxItem, InboxStore, LeaseRequest, OutboxAddResult, OutboxItem, OutboxStore,
} from './types.js';

/** A lease on a queue item; `until` is unix ms. */
export interface Held {
  owner: string;
  until: number;
}

interface InboxEntry {
  item: InboxItem;
  seq: number;
  doneAt: number | null;
  lease: Held | null;
}

interface OutboxEntry {
  item: OutboxItem;
  lease: Held | null;
}

/** The queue tables of a memory store. */
export interface QueueTables {
  inbox: Map<string, InboxEntry>;
  // Map order is id order: ids only grow and an entry is never re-inserted.
  outbox: Map<number, OutboxEntry>;
  dead: Array<{ item: OutboxItem & { reason: string }; deadAt: number }>;
  sent: Map<string, { json: string; sentAt: number }>;
  seq: { inbox: number; outbox: number };
}

/** What the queue methods share with the rest of the memory store. */
export interface QueueCtx {
  q: QueueTables;
  clock: () => number;
  use: <T>(fn: () => T) => Promise<T>;
}

/** Empty queue tables. */
export function queueTables(): QueueTables {
  return { inbox: new Map(), outbox: new Map(), dead: [], sent: new Map(), seq: { inbox: 0, outbox: 0 } };
}

const copyInbox = (i: InboxItem): InboxItem =>
  ({ key: i.key, memberId: i.memberId, dialogueKey: i.dialogueKey, payload: i.payload, receivedAt: i.receivedAt });
const copyOutbox = (o: OutboxItem): OutboxItem => ({
  id: o.id, memberId: o.memberId, dialogueKey: o.dialogueKey, method: o.method, params: o.params,
  idempotencyKey: o.idempotencyKey, attempts: o.attempts, notBefore: o.notBefore, createdAt: o.createdAt,
});
const toLimit = (limit: number): number => (limit >= 1 ? Math.floor(limit) : 0);
const dialogueOf = (i: { memberId: string; dialogueKey: string }): string => JSON.stringify([i.memberId, i.dialogueKey]);
const live = (lease: Held | null, now: number): lease is Held => lease !== null && lease.until > now;
const leaseFor = (r: LeaseRequest, now: number): Held => ({ owner: r.owner, until: now + r.leaseMs });

function pendingInbox(q: QueueTables, memberId?: string): InboxEntry[] {
  return [...q.inbox.values()]
    .filter((e) => e.doneAt === null && (memberId === undefined || e.item.memberId === memberId))
    .sort((a, b) => a.item.receivedAt - b.item.receivedAt || a.seq - b.seq);
}

function release<T extends { lease: Held | null }>(entries: Iterable<T>, owner: string | undefined): number {
  let n = 0;
  for (const e of entries) {
    if (e.lease === null || (owner !== undefined && e.lease.owner !== owner)) continue;
    e.lease = null;
    n++;
  }
  return n;
}

/** The inbox of the memory store; same semantics as SQLite's (see `InboxStore`). */
export function memoryInbox({ q, clock, use }: QueueCtx): InboxStore {
  return {
    inboxAdd: (item, lease) =>
      use(() => {
        if (q.inbox.has(item.key)) return false;
        const held = lease ? leaseFor(lease, clock()) : null;
        q.inbox.set(item.key, { item: copyInbox(item), seq: ++q.seq.inbox, doneAt: null, lease: held });
        return true;
      }),
    inboxClaim: (claim) =>
      use(() => {
        const now = clock();
        const blocked = new Set<string>();
        const out: InboxItem[] = [];
        for (const e of pendingInbox(q, claim.memberId)) {
          if (out.length >= toLimit(claim.limit)) break;
          const d = dialogueOf(e.item);
          if (blocked.has(d)) continue;
          if (live(e.lease, now)) {
            if (e.lease.owner !== claim.owner) blocked.add(d);
            continue;
          }
          e.lease = leaseFor(claim, now);
          out.push(copyInbox(e.item));
        }
        return out;
      }),
    inboxRelease: (owner) => use(() => release(pendingInbox(q), owner)),
    inboxPendingMembers: () => use(() => [...new Set(pendingInbox(q).map((e) => e.item.memberId))]),
    inboxPendingCount: () => use(() => pendingInbox(q).length),
    inboxPending: (limit) => use(() => pendingInbox(q).slice(0, toLimit(limit)).map((e) => copyInbox(e.item))),
    inboxDone: (key) =>
      use(() => {
        const e = q.inbox.get(key);
        if (!e || e.doneAt !== null) return;
        e.doneAt = clock();
        e.lease = null;
      }),
    inboxPrune: (before) =>
      use(() => {
        let n = 0;
        for (const [k, e] of q.inbox) if (e.doneAt !== null && e.doneAt < before && q.inbox.delete(k)) n++;
        return n;
      }),
  };
}

/** The heads (lowest id) of every dialogue, in id order. */
function heads(q: QueueTables): OutboxEntry[] {
  const seen = new Set<string>();
  const out: OutboxEntry[] = [];
  for (const e of q.outbox.values()) {
    const d = dialogueOf(e.item);
    if (seen.has(d)) continue;
    seen.add(d);
    out.push(e);
  }
  return out;
}

function headOf(q: QueueTables, memberId: string, dialogueKey: string): OutboxEntry | undefined {
  for (const e of q.outbox.values()) if (e.item.memberId === memberId && e.item.dialogueKey === dialogueKey) return e;
  return undefined;
}

/** Claims the head of a dialogue for `next` when it is ready and not leased. */
function claimHead(q: QueueTables, of: { memberId: string; dialogueKey: string }, next: LeaseRequest | undefined, now: number): OutboxItem | null {
  if (!next) return null;
  const head = headOf(q, of.memberId, of.dialogueKey);
  if (!head || head.item.notBefore > now || live(head.lease, now)) return null;
  head.lease = leaseFor(next, now);
  return copyOutbox(head.item);
}

type NewReply = Omit<OutboxItem, 'id' | 'attempts' | 'notBefore' | 'createdAt'>;

function addReply(q: QueueTables, i: NewReply, lease: LeaseRequest | undefined, now: number): OutboxAddResult {
  const sent = q.sent.get(i.idempotencyKey);
  if (sent) return { status: 'delivered', result: decodeJson<unknown>(sent.json) };
  for (const e of q.outbox.values()) if (e.item.idempotencyKey === i.idempotencyKey) return { status: 'pending', id: e.item.id };
  const isHead = headOf(q, i.memberId, i.dialogueKey) === undefined;
  const id = ++q.seq.outbox;
  const held = lease && isHead ? leaseFor(lease, now) : null;
  q.outbox.set(id, { item: copyOutbox({ ...i, id, attempts: 0, notBefore: 0, createdAt: now }), lease: held });
  return { status: 'queued', id, claimed: held !== null };
}

/** The outbox of the memory store; same semantics as SQLite's (see `OutboxStore`). */
export function memoryOutbox({ q, clock, use }: QueueCtx): OutboxStore {
  return {
    outboxAdd: (i, lease) => use(() => addReply(q, i, lease, clock())),
    outboxClaim: (c) =>
      use(() => {
        const now = clock();
        const skip = new Set(c.skipMembers ?? []);
        const perMember = new Map<string, number>();
        const out: OutboxItem[] = [];
        for (const h of heads(q)) {
          if (out.length >= toLimit(c.limit)) break;
          const m = h.item.memberId;
          if (skip.has(m) || h.item.notBefore > now || live(h.lease, now)) continue;
          if ((perMember.get(m) ?? 0) >= (c.perMember ?? Infinity)) continue;
          perMember.set(m, (perMember.get(m) ?? 0) + 1);
          h.lease = leaseFor(c, now);
          out.push(copyOutbox(h.item));
        }
        return out;
      }),
    outboxDelivered: (item, result, next) =>
      use(() => {
        const json = encodeJson(result ?? null);
        const now = clock();
        q.outbox.delete(item.id);
        q.sent.set(item.idempotencyKey, { json, sentAt: now });
        return claimHead(q, item, next, now);
      }),
    outboxRetry: (id, notBefore) =>
      use(() => {
        const e = q.outbox.get(id);
        if (e) q.outbox.set(id, { item: { ...e.item, attempts: e.item.attempts + 1, notBefore }, lease: null });
      }),
    outboxDead: (id, reason, next) =>
      use(() => {
        const e = q.outbox.get(id);
        if (!e) return null;
        const now = clock();
        q.outbox.delete(id);
        q.dead.push({ item: { ...copyOutbox(e.item), reason }, deadAt: now });
        return claimHead(q, e.item, next, now);
      }),
    outboxRelease: (owner) => use(() => release(q.outbox.values(), owner)),
    outboxSent: (key) =>
      use(() => {
        const s = q.sent.get(key);
        return s ? { result: decodeJson<unknown>(s.json) } : null;
      }),
    outboxPrune: (before) =>
      use(() => {
        let n = 0;
        for (const [k, s] of q.sent) if (s.sentAt < before && q.sent.delete(k)) n++;
        return n;
      }),
    outboxPending: (limit, now) =>
      use(() => heads(q).filter((h) => h.item.notBefore <= now).slice(0, toLimit(limit)).map((h) => copyOutbox(h.item))),
    outboxDeadList: (limit, memberId) =>
      use(() => q.dead.filter((d) => memberId === undefined || d.item.memberId === memberId)
        .sort((a, b) => b.deadAt - a.deadAt || b.item.id - a.item.id)
        .slice(0, toLimit(limit))
        .map((d) => ({ ...copyOutbox(d.item), reason: d.item.reason }))),
    outboxQueued: (memberId, limit) =>
      use(() => [...q.outbox.values()].filter((e) => e.item.memberId === memberId).slice(0, toLimit(limit)).map((e) => copyOutbox(e.item))),
    outboxDeadRetry: (id, memberId) =>
      use(() => {
        const d = takeDead(q, id, memberId);
        if (!d) return null;
        const { memberId: m, dialogueKey, method, params, idempotencyKey } = d;
        return addReply(q, { memberId: m, dialogueKey, method, params, idempotencyKey }, undefined, clock());
      }),
    outboxDeadDiscard: (id, memberId) => use(() => takeDead(q, id, memberId) !== null),
  };
}

/** Removes and returns dead letter `id` (of `memberId` when given). */
function takeDead(q: QueueTables, id: number, memberId: string | undefined): OutboxItem | null {
  const at = q.dead.findIndex((d) => d.item.id === id && (memberId === undefined || d.item.memberId === memberId));
  if (at < 0) return null;
  const [d] = q.dead.splice(at, 1);
  return d ? d.item : null;
}
