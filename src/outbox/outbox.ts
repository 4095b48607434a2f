import { randomUUID } from 'node:crypto';
import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { BotkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LeaseRequest, OutboxAddResult, OutboxItem, OutboxStore } from '../store/types.js';
import { Slots } from './slots.js';
import { classifyFailure, isAlreadyDone } from './failure.js';

/** The REST capability the outbox needs: any method on any stored portal. */
export interface OutboxCaller {
  call<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>): Promise<T>;
}

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  store: OutboxStore;
  client: OutboxCaller;
  log: Logger;
  clock?: () => number;
  /** Replies in flight at once (default 32); one per dialogue. */
  concurrency?: number;
  /** Of which one portal may hold at most this many (default a quarter), so a slow portal cannot stall the rest. */
  perPortal?: number;
  /** Sends per reply before it is dead-lettered (default 10). */
  maxAttempts?: number;
  /** Retry delays (default 1 s doubling to 5 min, jittered; a portal's named reset time wins). */
  backoff?: BackoffPolicy;
  /** This worker's lease owner id (default: random per process). */
  owner?: string;
  /** Lease length (default 10 min): longer than any single send with its client retries. */
  leaseMs?: number;
  /** Drop every lease on start (default true: one process per store). A cluster passes false. */
  releaseAllOnStart?: boolean;
  /**
   * Also look for claimable replies every `pollMs` (default: never). A cluster sets it: replies another
   * instance queued without claiming, or whose owner died (lease expired), have no local event to wake for.
   */
  pollMs?: number;
}

/** A reply to persist and deliver. */
export interface OutboxEntry {
  memberId: string;
  dialogueKey: string;
  method: string;
  params: Record<string, unknown>;
  /** The lead puts it into v2 `fields.templateId`, which makes a re-send after a crash safe. */
  idempotencyKey: string;
}

/** A reply that is durably queued. */
export interface DeliveryHandle {
  /**
   * Settles when the portal confirmed the reply (with the method's `result`), or rejects with the coded
   * error when it was dead-lettered (`OUTBOX_STOPPED` while draining: it is sent after the next start).
   * Awaiting it is optional: an unobserved rejection is not an unhandled one.
   */
  readonly delivered: Promise<unknown>;
}

/** Counters of one outbox since it was created. */
export interface OutboxStats {
  /** Replies this process queued or claimed that are not yet delivered or dead. */
  pending: number;
  delivered: number;
  dead: number;
  retries: number;
}

/** The durable reply queue. */
export interface Outbox {
  /** Persists the reply and resolves once it is durably queued; delivery follows in per-dialogue order. */
  enqueue(item: OutboxEntry): Promise<DeliveryHandle>;
  /** Starts the worker: resumes everything pending in the store (after a restart). */
  start(): void;
  /** Stops taking new work and waits for in-flight sends up to `deadlineMs` (a duration). */
  drain(deadlineMs: number): Promise<void>;
  stats(): OutboxStats;
  /** Resolves when nothing is being sent or claimable now (replies waiting for a retry time do not count). */
  idle(): Promise<void>;
  /**
   * Puts dead letter `id` (of portal `memberId`, when given) back in the queue as a fresh reply with its
   * idempotency key ({@link OutboxStore.outboxDeadRetry}) and wakes the worker to send it. Null: no such dead letter.
   */
  retryDead(id: number, memberId?: string): Promise<OutboxAddResult | null>;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 300_000 };
// Completion writes (delivered, retry, dead) that fail are retried quickly: the reply is already sent.
const WRITE_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 5000 };

/**
 * Creates the durable outbox: a reply is written to the store (with a lease when it heads its dialogue and
 * a slot is free) and sent; delivery removes it and remembers its idempotency key in one write, which
 * also claims the dialogue's next reply. Retries wait in the store, not in a slot. Permanent failures go
 * to the dead-letter table with a warn line.
 *
 * @example
 * const outbox = createOutbox({ store, client, log });
 * outbox.start();
 * const { delivered } = await outbox.enqueue({ memberId, dialogueKey: 'chat5', method: 'imbot.v2.Chat.Message.send',
 *   params: { botId, dialogId: 'chat5', fields: { message: 'hi', templateId: key } }, idempotencyKey: key });
 */
export function createOutbox(opts: OutboxOptions): Outbox {
  return new DurableOutbox(opts);
}

function hitCap(items: readonly OutboxItem[], perMember: number): boolean {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.memberId, (counts.get(i.memberId) ?? 0) + 1);
  return [...counts.values()].some((n) => n >= perMember);
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

class DurableOutbox implements Outbox {
  readonly #o: OutboxOptions;
  readonly #clock: () => number;
  readonly #lease: LeaseRequest;
  readonly #slots: Slots;
  /** Ids being sent by this process, and the delivery chains (for drain). */
  readonly #busy = new Set<number>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #known = new Set<number>();
  readonly #counts = { delivered: 0, dead: 0, retries: 0 };
  readonly #wakes = new Map<number, number>();
  #running = false;
  #stopped = false;
  /** The store may hold ready replies nobody claimed. */
  #backlog = false;
  #claiming = false;
  #gen = 0;
  #timer: NodeJS.Timeout | null = null;
  #poll: NodeJS.Timeout | null = null;
  #idleWaiters: Array<() => void> = [];

  constructor(o: OutboxOptions) {
    this.#o = o;
    this.#clock = o.clock ?? Date.now;
    this.#lease = { owner: o.owner ?? `outbox:${process.pid}:${randomUUID()}`, leaseMs: o.leaseMs ?? 600_000 };
    const concurrency = o.concurrency ?? 32;
    this.#slots = new Slots(concurrency, o.perPortal ?? Math.max(1, Math.floor(concurrency / 4)));
  }

  async enqueue(item: OutboxEntry): Promise<DeliveryHandle> {
    const delivered = this.#wait(item.idempotencyKey);
    const reserved = this.#running && this.#slots.take(item.memberId);
    const { memberId, dialogueKey, method, idempotencyKey } = item;
    let added;
    try {
      added = await this.#o.store.outboxAdd({ memberId, dialogueKey, method, params: JSON.stringify(item.params), idempotencyKey }, reserved ? this.#lease : undefined);
    } catch (e) {
      if (reserved) this.#slots.give(memberId);
      this.#settle(idempotencyKey, (w) => w.reject(e));
      throw e;
    }
    const claimed = added.status === 'queued' && added.claimed;
    if (reserved && !claimed) this.#slots.give(memberId);
    if (added.status === 'delivered') {
      this.#settle(idempotencyKey, (w) => w.resolve(added.result));
      return { delivered };
    }
    this.#known.add(added.id);
    if (this.#stopped) {
      this.#settle(idempotencyKey, (w) => w.reject(new BotkitError('OUTBOX_STOPPED', 'The outbox is draining; the reply was persisted and is sent after the next start()')));
    } else if (claimed) {
      this.#start({ id: added.id, memberId, dialogueKey, method, params: JSON.stringify(item.params), idempotencyKey, attempts: 0, notBefore: 0, createdAt: this.#clock() });
    } else if (added.status === 'queued') this.#markBacklog();
    return { delivered };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#o.pollMs !== undefined) {
      this.#poll = setInterval(() => this.#markBacklog(), this.#o.pollMs);
      this.#poll.unref();
    }
    this.#stopped = false;
    void this.#resume();
  }

  async drain(deadlineMs: number): Promise<void> {
    this.#running = false;
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadlineMs));
    });
    await Promise.race([Promise.allSettled([...this.#tasks]), deadline]);
    clearTimeout(timer);
  }

  stats(): OutboxStats {
    return { pending: this.#known.size, ...this.#counts };
  }

  async retryDead(id: number, memberId?: string): Promise<OutboxAddResult | null> {
    const result = await this.#o.store.outboxDeadRetry(id, memberId);
    if (result?.status === 'queued' && this.#running) this.#markBacklog();
    return result;
  }

  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#tasks.size === 0 && !this.#claiming && (!this.#backlog || !this.#running);
  }

  #checkIdle(): void {
    if (this.#isIdle()) for (const w of this.#idleWaiters.splice(0)) w();
  }

  #wait(key: string): Promise<unknown> {
    const p = new Promise<unknown>((resolve, reject) => {
      const list = this.#waiters.get(key) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(key, list);
    });
    p.catch(() => undefined);
    return p;
  }

  #settle(key: string, fn: (w: Waiter) => void): void {
    const list = this.#waiters.get(key);
    this.#waiters.delete(key);
    for (const w of list ?? []) fn(w);
  }

  async #resume(): Promise<void> {
    try {
      if (this.#o.releaseAllOnStart ?? true) await this.#o.store.outboxRelease();
      else await this.#o.store.outboxRelease(this.#lease.owner);
      // Retries scheduled before a restart: their heads are not ready yet; wake when they are.
      const heads = await this.#o.store.outboxPending(1000, Number.MAX_SAFE_INTEGER);
      const now = this.#clock();
      for (const h of heads) if (h.notBefore > now) this.#planWake(h.notBefore, h.id);
    } catch (e) {
      this.#o.log.error('outbox: reading pending replies failed', { err: e });
    }
    this.#markBacklog();
  }

  #markBacklog(): void {
    this.#backlog = true;
    this.#gen++;
    void this.#claim();
  }

  /** Claims ready replies from the store while slots are free and the store may have some. */
  async #claim(): Promise<void> {
    if (this.#claiming) return;
    this.#claiming = true;
    try {
      while (this.#running && this.#backlog && this.#slots.free > 0) {
        const gen = this.#gen;
        const limit = this.#slots.free;
        const skipMembers = this.#slots.full();
        const items = await this.#o.store.outboxClaim({ ...this.#lease, limit, perMember: this.#slots.perPortal, skipMembers });
        // Only a claim that skipped nobody and hit no cap proves the store has nothing more that is ready.
        if (items.length < limit && gen === this.#gen && skipMembers.length === 0 && !hitCap(items, this.#slots.perPortal)) {
          this.#backlog = false;
        }
        for (const item of items) {
          if (this.#busy.has(item.id)) continue;
          this.#slots.force(item.memberId);
          this.#start(item);
        }
        if (items.length === 0) break;
      }
    } catch (e) {
      this.#o.log.error('outbox: claiming pending replies failed; retrying in 1 s', { err: e });
      this.#planWake(this.#clock() + 1000);
    } finally {
      this.#claiming = false;
      this.#checkIdle();
    }
  }

  #start(item: OutboxItem): void {
    this.#known.add(item.id);
    this.#wakes.delete(item.id);
    this.#busy.add(item.id);
    const task: Promise<void> = this.#deliver(item).finally(() => {
      this.#tasks.delete(task);
      this.#checkIdle();
    });
    this.#tasks.add(task);
  }

  /** Sends one reply, records the outcome, and goes on with the dialogue's next reply in the same slot. */
  async #deliver(first: OutboxItem): Promise<void> {
    let item: OutboxItem | null = first;
    while (item) {
      const next: OutboxItem | null = await this.#attempt(item);
      this.#busy.delete(item.id);
      if (next && this.#running && !this.#busy.has(next.id)) {
        this.#known.add(next.id);
        this.#busy.add(next.id);
        item = next;
      } else item = null;
    }
    this.#slots.give(first.memberId);
    if (this.#backlog) void this.#claim();
  }

  async #attempt(item: OutboxItem): Promise<OutboxItem | null> {
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(item.params) as Record<string, unknown>;
    } catch (e) {
      return this.#bury(item, `params are not JSON: ${String(e)}`, e);
    }
    let result: unknown;
    try {
      result = await this.#o.client.call(item.memberId, item.method, params);
    } catch (e) {
      // Already so on the portal (a repeated like): the call's goal is reached.
      if (!isAlreadyDone(item.method, e)) return this.#failed(item, params, e);
      result = true;
    }
    const next = await this.#write('delivered', item, () => this.#o.store.outboxDelivered(item, result ?? null, this.#lease));
    this.#known.delete(item.id);
    this.#counts.delivered++;
    this.#settle(item.idempotencyKey, (w) => w.resolve(result));
    return next;
  }

  async #failed(item: OutboxItem, params: Record<string, unknown>, e: unknown): Promise<OutboxItem | null> {
    const action = classifyFailure(e, item.method, params);
    if (action.kind === 'retry' && (item.attempts + 1 < (this.#o.maxAttempts ?? 10) || action.untilDelivered)) {
      const now = this.#clock();
      const retryAfterMs = action.notBefore === null ? null : action.notBefore - now;
      const notBefore = now + backoffDelay(this.#o.backoff ?? DEFAULT_BACKOFF, item.attempts, { retryAfterMs });
      await this.#write('retry', item, () => this.#o.store.outboxRetry(item.id, notBefore));
      this.#counts.retries++;
      this.#o.log.debug('outbox: reply will be retried', { id: item.id, memberId: item.memberId, reason: action.reason, notBefore });
      this.#planWake(notBefore, item.id);
      return null;
    }
    return this.#bury(item, action.kind === 'dead' ? action.reason : `gave up after ${item.attempts + 1} attempts: ${action.reason}`, e);
  }

  async #bury(item: OutboxItem, reason: string, e: unknown): Promise<OutboxItem | null> {
    const next = await this.#write('dead', item, () => this.#o.store.outboxDead(item.id, reason, this.#lease));
    this.#known.delete(item.id);
    this.#counts.dead++;
    this.#o.log.warn('outbox: reply dead-lettered', {
      id: item.id, memberId: item.memberId, dialogueKey: item.dialogueKey, method: item.method, reason,
    });
    this.#settle(item.idempotencyKey, (w) => w.reject(e));
    return next;
  }

  /**
   * A completion write must land: until it does, the reply stays the head of its dialogue (and would be
   * re-sent after a restart). Retried with backoff while the process runs; the slot is kept meanwhile so
   * the dialogue cannot move on out of order.
   */
  async #write<T>(what: string, item: OutboxItem, fn: () => Promise<T>): Promise<T | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!this.#running && attempt >= 2) {
          this.#o.log.error(`outbox: ${what} write failed while draining; resolved after the next start`, { id: item.id, err });
          return null;
        }
        this.#o.log.error(`outbox: ${what} write failed; retrying`, { id: item.id, attempt, err });
        await new Promise((r) => setTimeout(r, backoffDelay(WRITE_BACKOFF, attempt)));
      }
    }
  }

  #planWake(at: number, id?: number): void {
    if (id !== undefined) this.#wakes.set(id, at);
    let next = at;
    for (const t of this.#wakes.values()) next = Math.min(next, t);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (next === Infinity || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const now = this.#clock();
      for (const [rid, t] of this.#wakes) if (t <= now) this.#wakes.delete(rid);
      if (this.#wakes.size > 0) this.#planWake(Infinity);
      this.#markBacklog();
    }, Math.max(0, next - this.#clock()));
    this.#timer.unref();
  }
}
