import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RateLimit } from './limiter.js';
import { backoffDelay } from '../backoff.js';
import { MAX_BATCH } from './batch.js';
import type { Bucket } from './limiter.js';
import type { RestResponse } from './transport.js';

/** One call waiting in a portal's lane. */
export interface LaneCall {
  method: string;
  params: Record<string, unknown>;
  batchable: boolean;
  signal: AbortSignal | undefined;
  resolve: (r: RestResponse) => void;
  reject: (e: unknown) => void;
  /** Unix ms when the call entered the lane (set by `submit`; the send link measures the limiter wait). */
  queuedAt?: number;
}

/** Sends a group of calls in one HTTP request (one call alone, or a batch); settles every call. */
export type SendGroup = (calls: LaneCall[], lane: Lane) => Promise<void>;

/** What a lane is built from. */
export interface LaneDeps {
  limit: RateLimit;
  bucket: Bucket;
  send: SendGroup;
  batching: boolean;
  clock: () => number;
}

/**
 * One portal's (or one host's) queue in front of its bucket. Each granted token sends the head
 * group of the queue: a lone call when the queue holds one, up to {@link MAX_BATCH} batchable calls
 * when calls pile up (submitted in the same event-loop turn, or while the bucket is empty). A call
 * arriving at an idle lane goes out in the same turn.
 */
export class Lane {
  readonly limit: RateLimit;
  readonly #d: LaneDeps;
  readonly #queue: LaneCall[] = [];
  #slots = 0;
  #groups = 0;
  #tailRun = 0;
  #inFlight = 0;
  #penaltyUntil = 0;
  #limitStreak = 0;
  readonly #blocks = new Map<string, number>();
  readonly #aborts = new Map<LaneCall, () => void>();

  constructor(deps: LaneDeps) {
    this.#d = deps;
    this.limit = deps.limit;
  }

  /** Queues a call; it is settled by the send function once its group got a token. */
  submit(call: LaneCall): void {
    call.queuedAt = this.#d.clock();
    this.#queue.push(call);
    this.#countPush(call);
    if (call.signal) {
      const signal = call.signal;
      const onAbort = (): void => {
        this.#aborts.delete(call);
        const i = this.#queue.indexOf(call);
        if (i < 0) return;
        this.#queue.splice(i, 1);
        this.#countGroups();
        call.reject(signal.reason);
      };
      this.#aborts.set(call, onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    this.#ensureSlots();
  }

  // The queue splits greedily into groups (a lone unbatchable call, or a run of up to MAX_BATCH
  // batchable ones); one token per group. Counted incrementally: taking the head group from a
  // greedy split leaves the rest split the same way.
  #countGroups(): void {
    this.#groups = 0;
    this.#tailRun = 0;
    for (const c of this.#queue) this.#countPush(c);
  }

  #countPush(c: LaneCall): void {
    if (!this.#d.batching || !c.batchable) {
      this.#groups++;
      this.#tailRun = 0;
    } else if (this.#tailRun === 0 || this.#tailRun === MAX_BATCH) {
      this.#groups++;
      this.#tailRun = 1;
    } else this.#tailRun++;
  }

  #ensureSlots(): void {
    while (this.#slots < this.#groups) {
      this.#slots++;
      void this.#slot();
    }
  }

  #takeGroup(): LaneCall[] {
    const head = this.#queue[0];
    if (!head) return [];
    let n = 1;
    if (this.#d.batching && head.batchable) while (n < MAX_BATCH && this.#queue[n]?.batchable) n++;
    this.#groups--;
    if (n === this.#queue.length) this.#tailRun = 0;
    const group = this.#queue.splice(0, n);
    // Once taken, a call is sent (the transport gets its signal); the queue no longer listens.
    for (const c of group) this.#forgetAbort(c);
    return group;
  }

  async #slot(): Promise<void> {
    try {
      await this.#d.bucket.acquire();
    } catch {
      this.#slots--;
      return;
    }
    // Let every call submitted in this event-loop turn join the group (a lone call loses only one
    // turn): a burst of replies becomes a few batches instead of spending the portal's bucket.
    if (this.#d.batching) await nextTurn();
    this.#slots--;
    const group = this.#takeGroup();
    if (group.length === 0) return;
    this.#inFlight++;
    try {
      await this.#d.send(group, this);
    } finally {
      this.#inFlight--;
    }
  }

  /**
   * The portal answered 503: stop sending for `retryAfterMs`, or an exponential step with jitter
   * (at least 250 ms: the portal's real rate may be lower than the configured one).
   */
  onRateLimited(retryAfterMs: number | null, random: () => number = Math.random): void {
    const now = this.#d.clock();
    if (now < this.#penaltyUntil) return; // one penalty per storm, not one per in-flight request
    this.#limitStreak++;
    const policy = { baseMs: Math.max(250, 1000 / this.limit.rate), maxMs: 30_000, jitter: { min: 0.75, max: 1.25 }, maxRetryAfterMs: 600_000 };
    const ms = backoffDelay(policy, this.#limitStreak - 1, { retryAfterMs, random });
    this.#penaltyUntil = now + ms;
    this.#d.bucket.penalize(ms);
  }

  /** A request sent after the last penalty went through: the next 503 starts the backoff again. */
  onSuccess(): void {
    if (this.#d.clock() >= this.#penaltyUntil) this.#limitStreak = 0;
  }

  /** Blocks `method` until `until` (unix ms): its time budget is used up. */
  block(method: string, until: number): void {
    const key = method.toLowerCase();
    this.#blocks.set(key, Math.max(until, this.#blocks.get(key) ?? 0));
  }

  /** Unix ms until which `method` must not be called; 0 when it may. */
  blockedUntil(method: string): number {
    const until = this.#blocks.get(method.toLowerCase()) ?? 0;
    if (until <= this.#d.clock()) {
      this.#blocks.delete(method.toLowerCase());
      return 0;
    }
    return until;
  }

  #forgetAbort(call: LaneCall): void {
    const onAbort = this.#aborts.get(call);
    if (!onAbort) return;
    this.#aborts.delete(call);
    call.signal?.removeEventListener('abort', onAbort);
  }

  /** Rejects every queued call (the client is closing). */
  rejectQueued(error: (call: LaneCall) => unknown): void {
    const calls = this.#queue.splice(0);
    this.#countGroups();
    for (const c of calls) {
      this.#forgetAbort(c);
      c.reject(error(c));
    }
  }

  /**
   * True when the lane can be dropped without letting a new one exceed the portal: nothing queued
   * or in flight, no penalty or block pending, and the bucket has refilled.
   */
  isIdle(): boolean {
    const now = this.#d.clock();
    for (const [m, until] of this.#blocks) if (until <= now) this.#blocks.delete(m);
    return this.#queue.length === 0 && this.#slots === 0 && this.#inFlight === 0 && this.#blocks.size === 0
      && now >= this.#penaltyUntil && this.#d.bucket.isIdle();
  }

  /** Stops the bucket's timer. */
  close(): void {
    this.#d.bucket.close();
  }

  /** Number of calls waiting for a token. */
  get queued(): number {
    return this.#queue.length;
  }
}
