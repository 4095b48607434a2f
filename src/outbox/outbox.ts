import { BotkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RestClient } from '../rest/client.js';
import { DEDUPE_WINDOW_MS, type OutboxItem, type OutboxStore, type StateStore } from '../store/types.js';
import { classifyFailure, isAlreadyDone } from './failure.js';

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  /** The queue, plus key-value state where delivered idempotency keys are remembered. */
  store: OutboxStore & Pick<StateStore, 'getState' | 'setState'>;
  client: RestClient;
  log: Logger;
  clock?: () => number;
  /** Dialogues sent at once (default 32); one reply per dialogue is in flight at a time. */
  concurrency?: number;
  /** Sends per reply before it is dead-lettered (default 10). */
  maxAttempts?: number;
  /** First retry delay (default 1 s), doubled per attempt up to `maxDelayMs` (default 5 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
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

/** Counters of one outbox since it was created. */
export interface OutboxStats {
  /** Replies this process knows of that are not yet delivered or dead. */
  pending: number;
  delivered: number;
  dead: number;
  retries: number;
}

/** The durable reply queue. */
export interface Outbox {
  /** Persists the reply first, then delivers it in per-dialogue order. Resolves with the portal's result once
   *  confirmed (rejects with the coded error if it went to the dead-letter table). */
  enqueue(item: OutboxEntry): Promise<unknown>;
  /** Starts the worker: resumes everything pending in the store (after a restart). */
  start(): void;
  /** Stops taking new work and waits for in-flight sends up to `deadlineMs` (a duration). */
  drain(deadlineMs: number): Promise<void>;
  stats(): OutboxStats;
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

// Heads of dialogues scanned when the worker starts, to find retries scheduled before a restart.
const PROBE_LIMIT = 1000;
// Delivered idempotency keys are remembered as long as handled events, so that a handler re-run after a
// crash cannot send a reply twice, whatever the method.
const sentKey = (idempotencyKey: string): string => `outbox-sent:${idempotencyKey}`;

/**
 * Creates the durable outbox: a reply is written to the store before it is sent and removed once
 * the portal confirmed it; per dialogue only the oldest reply is in flight, so order holds; on
 * restart `start()` resumes; permanent failures go to the dead-letter table with a warn line.
 *
 * @example
 * const outbox = createOutbox({ store, client, log });
 * outbox.start();
 * await outbox.enqueue({ memberId, dialogueKey: 'chat5', method: 'imbot.v2.Chat.Message.send',
 *   params: { botId, dialogId: 'chat5', fields: { message: 'hi', templateId: key } }, idempotencyKey: key });
 */
export function createOutbox(opts: OutboxOptions): Outbox {
  return new DurableOutbox(opts);
}

class DurableOutbox implements Outbox {
  readonly #o: Required<Omit<OutboxOptions, 'store' | 'client' | 'log'>> & OutboxOptions;
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #known = new Set<number>();
  readonly #retryAt = new Map<number, number>();
  readonly #unmarked = new Set<number>();
  readonly #counts = { delivered: 0, dead: 0, retries: 0 };
  #running = false;
  #stopped = false;
  #pumping = false;
  #again = false;
  #wake: NodeJS.Timeout | null = null;

  constructor(o: OutboxOptions) {
    this.#o = { clock: Date.now, concurrency: 32, maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 300_000, ...o };
  }

  async enqueue(item: OutboxEntry): Promise<unknown> {
    const done = new Promise<unknown>((resolve, reject) => {
      const list = this.#waiters.get(item.idempotencyKey) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(item.idempotencyKey, list);
    });
    const { memberId, dialogueKey, method, idempotencyKey } = item;
    try {
      const sent = await this.#sentResult(idempotencyKey);
      if (sent) {
        this.#settle(idempotencyKey, (w) => w.resolve(sent.result));
        return done;
      }
      const id = await this.#o.store.outboxAdd({ memberId, dialogueKey, method, params: JSON.stringify(item.params), idempotencyKey });
      this.#known.add(id);
    } catch (e) {
      this.#settle(idempotencyKey, (w) => w.reject(e));
      return done;
    }
    if (this.#stopped) {
      this.#settle(idempotencyKey, (w) => w.reject(new BotkitError('OUTBOX_STOPPED', 'The outbox is draining; the reply was persisted and is sent after the next start()')));
    } else this.#kick();
    return done;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopped = false;
    void this.#probe().finally(() => this.#kick());
  }

  async drain(deadlineMs: number): Promise<void> {
    this.#running = false;
    this.#stopped = true;
    if (this.#wake) clearTimeout(this.#wake);
    this.#wake = null;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadlineMs));
    });
    await Promise.race([Promise.allSettled([...this.#inFlight.values()]), deadline]);
    clearTimeout(timer);
  }

  stats(): OutboxStats {
    return { pending: this.#known.size, ...this.#counts };
  }

  #settle(key: string, fn: (w: Waiter) => void): void {
    const list = this.#waiters.get(key);
    const w = list?.shift();
    if (list && list.length === 0) this.#waiters.delete(key);
    if (w) fn(w);
  }

  #kick(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      await this.#retryUnmarked();
      do {
        this.#again = false;
        const free = this.#o.concurrency - this.#inFlight.size;
        if (!this.#running || free <= 0) break;
        const items = await this.#o.store.outboxPending(this.#o.concurrency + this.#inFlight.size, this.#o.clock());
        let started = 0;
        for (const item of items) {
          if (started >= free || !this.#running) break;
          if (this.#inFlight.has(item.id) || this.#unmarked.has(item.id)) continue;
          this.#start(item);
          started++;
        }
      } while (this.#again);
    } catch (e) {
      this.#o.log.error('outbox: reading pending replies failed; retrying in 1 s', { err: e });
      this.#planWake(this.#o.clock() + 1000);
    } finally {
      this.#pumping = false;
    }
  }

  #start(item: OutboxItem): void {
    this.#known.add(item.id);
    this.#retryAt.delete(item.id);
    const task = this.#deliver(item).finally(() => {
      this.#inFlight.delete(item.id);
      this.#kick();
    });
    this.#inFlight.set(item.id, task);
  }

  async #deliver(item: OutboxItem): Promise<void> {
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(item.params) as Record<string, unknown>;
    } catch (e) {
      await this.#bury(item, `params are not JSON: ${String(e)}`, e).catch((err: unknown) => this.#storeError(item, err));
      return;
    }
    // Delivered before (a copy queued again by a handler re-run after a crash): do not send twice.
    const sent = await this.#sentResult(item.idempotencyKey).catch(() => null);
    if (sent) {
      await this.#markDone(item);
      this.#known.delete(item.id);
      this.#settle(item.idempotencyKey, (w) => w.resolve(sent.result));
      return;
    }
    let result: unknown;
    try {
      result = await this.#o.client.call(item.memberId, item.method, params);
    } catch (e) {
      if (!isAlreadyDone(item.method, e)) {
        await this.#failed(item, params, e).catch((err: unknown) => this.#storeError(item, err));
        return;
      }
      result = true;
    }
    await this.#recordSent(item.idempotencyKey, result);
    await this.#markDone(item);
    this.#known.delete(item.id);
    this.#counts.delivered++;
    this.#settle(item.idempotencyKey, (w) => w.resolve(result));
  }

  async #sentResult(idempotencyKey: string): Promise<{ result: unknown } | null> {
    const row = await this.#o.store.getState<{ result: unknown }>(sentKey(idempotencyKey), this.#o.clock());
    return row === null ? null : row.value;
  }

  async #recordSent(idempotencyKey: string, result: unknown): Promise<void> {
    try {
      await this.#o.store.setState(sentKey(idempotencyKey), { result: result ?? null }, 0, this.#o.clock() + DEDUPE_WINDOW_MS);
    } catch (err) {
      this.#o.log.warn('outbox: could not remember a delivered key', { err });
    }
  }

  async #markDone(item: OutboxItem): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await this.#o.store.outboxDone(item.id);
        this.#unmarked.delete(item.id);
        return;
      } catch (err) {
        if (i >= 2) {
          // Delivered but still stored: never re-sent by this process; a restart re-sends it
          // (deduplicated by the portal where it carries a templateId).
          this.#unmarked.add(item.id);
          this.#o.log.error('outbox: delivered reply could not be marked done; retrying', { id: item.id, err });
          this.#planWake(this.#o.clock() + 1000);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * (i + 1)));
      }
    }
  }

  /**
   * A delivered reply whose row could not be removed is the head of its dialogue: until it is removed,
   * nothing after it is sent. Keep trying (each pump, and on a timer) rather than leave it blocking.
   */
  async #retryUnmarked(): Promise<void> {
    for (const id of [...this.#unmarked]) {
      try {
        await this.#o.store.outboxDone(id);
        this.#unmarked.delete(id);
      } catch {
        this.#planWake(this.#o.clock() + 1000);
      }
    }
  }

  async #failed(item: OutboxItem, params: Record<string, unknown>, e: unknown): Promise<void> {
    const action = classifyFailure(e, item.method, params);
    if (action.kind === 'retry' && (item.attempts + 1 < this.#o.maxAttempts || action.untilDelivered)) {
      const step = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** item.attempts);
      const notBefore = Math.max(action.notBefore ?? 0, this.#o.clock() + Math.round(step * (0.5 + Math.random() * 0.5)));
      await this.#o.store.outboxRetry(item.id, notBefore);
      this.#counts.retries++;
      this.#o.log.debug('outbox: reply will be retried', { id: item.id, memberId: item.memberId, reason: action.reason, notBefore });
      this.#planWake(notBefore, item.id);
      return;
    }
    await this.#bury(item, action.kind === 'dead' ? action.reason : `gave up after ${item.attempts + 1} attempts: ${action.reason}`, e);
  }

  async #bury(item: OutboxItem, reason: string, e: unknown): Promise<void> {
    await this.#o.store.outboxDead(item.id, reason);
    this.#known.delete(item.id);
    this.#counts.dead++;
    this.#o.log.warn('outbox: reply dead-lettered', {
      id: item.id, memberId: item.memberId, dialogueKey: item.dialogueKey, method: item.method, reason,
    });
    this.#settle(item.idempotencyKey, (w) => w.reject(e));
  }

  #storeError(item: OutboxItem, err: unknown): void {
    this.#o.log.error('outbox: store write failed', { id: item.id, err });
    this.#planWake(this.#o.clock() + 1000);
  }

  /** Finds retries scheduled before a restart (their heads are not ready yet) and wakes for them. */
  async #probe(): Promise<void> {
    try {
      const heads = await this.#o.store.outboxPending(PROBE_LIMIT, Number.MAX_SAFE_INTEGER);
      const now = this.#o.clock();
      for (const h of heads) if (h.notBefore > now) this.#planWake(h.notBefore, h.id);
    } catch (e) {
      this.#o.log.error('outbox: reading pending replies failed', { err: e });
    }
  }

  #planWake(at: number, id?: number): void {
    if (id !== undefined) this.#retryAt.set(id, at);
    let next = at;
    for (const t of this.#retryAt.values()) next = Math.min(next, t);
    if (this.#wake) clearTimeout(this.#wake);
    this.#wake = null;
    if (next === Infinity) return;
    this.#wake = setTimeout(() => {
      this.#wake = null;
      const now = this.#o.clock();
      for (const [rid, t] of this.#retryAt) if (t <= now) this.#retryAt.delete(rid);
      if (this.#retryAt.size > 0) this.#planWake(Infinity);
      this.#kick();
    }, Math.max(0, next - this.#o.clock()));
    this.#wake.unref();
  }
}
