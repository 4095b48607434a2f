import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { isStoreUnavailable } from '../errors.js';
import type { Logger } from '../log.js';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import type { BotEvent } from '../protocol/events.js';
import type { DispatchJob, DispatchQueue } from './dispatch-queue.js';

/** What the dispatcher needs. */
export interface DispatcherOptions {
  /** Where jobs come from: fair across portals, in order per dialogue. */
  queue: DispatchQueue;
  /** Runs the bot for one event; `key` is its dedupe key. */
  handle(event: BotEvent, key: string): Promise<void>;
  /** How many events run at once. */
  concurrency: number;
  log: Logger;
  /** A handler running longer than this is logged as slow. */
  slowMs?: number;
  clock?: () => number;
  /** Times queue waits and handlers (default: nothing). */
  metrics?: Metrics;
  /** Waits between runs of a handler that failed with `STORE_UNAVAILABLE` (default 250 ms doubling to 5 s). */
  storeRetry?: BackoffPolicy;
}

const STORE_RETRY: BackoffPolicy = { baseMs: 250, maxMs: 5000 };

/**
 * Runs events from a {@link DispatchQueue} with bounded concurrency. A throwing handler is logged with
 * the event type and portal and does not stop others; either way the event is completed (marked done).
 * Except when it failed because the store was unreachable (`STORE_UNAVAILABLE`): then the handler runs
 * again, with backoff and in the same slot (its dialogue waits), until it succeeds or fails otherwise. A
 * re-run repeats no reply: outgoing idempotency keys derive from the event key.
 *
 * @example
 * const queue = new LocalDispatchQueue({ store, log, perPortal: 4 });
 * const d = new Dispatcher({ queue, handle: (e, k) => runtime.handle(e, k), concurrency: 16, log });
 * await queue.start();
 */
export class Dispatcher {
  readonly #opts: DispatcherOptions;
  readonly #clock: () => number;
  readonly #metrics: Metrics;
  #running = 0;
  #idleWaiters: Array<() => void> = [];
  /** Jobs started since the event loop last had a turn; instant handlers must not starve I/O. */
  #startedThisTurn = 0;
  #yielding = false;

  constructor(opts: DispatcherOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#metrics = opts.metrics ?? NO_METRICS;
    opts.queue.onChange(() => this.#pump());
  }

  /** Events accepted and not yet handled (running, waiting in memory or in the inbox). */
  get size(): number {
    return this.#opts.queue.pending;
  }

  /** Resolves when nothing is queued, running or waiting in the inbox. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#opts.queue.isIdle();
  }

  #pump(): void {
    if (this.#yielding) return;
    while (this.#running < this.#opts.concurrency) {
      if (this.#startedThisTurn >= this.#opts.concurrency * 2) {
        // Handlers that finish without I/O chain job after job in microtasks: give the loop a turn
        // (HTTP intake, timers, the store's group commit) every few dozen jobs.
        this.#yielding = true;
        setImmediate(() => {
          this.#yielding = false;
          this.#startedThisTurn = 0;
          this.#pump();
        });
        return;
      }
      const job = this.#opts.queue.take();
      if (!job) break;
      this.#running++;
      this.#startedThisTurn++;
      void this.#run(job);
    }
    if (this.#isIdle()) for (const w of this.#idleWaiters.splice(0)) w();
  }

  async #run(job: DispatchJob): Promise<void> {
    const { event } = job;
    const meta = { type: event.type, memberId: event.memberId, botCode: event.bot.code, dialogId: event.chat.dialogId };
    let started = this.#clock();
    this.#metrics.handlerStarted(event.type, job.receivedAt === undefined ? null : started - job.receivedAt);
    let ok = true;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#opts.handle(event, job.key);
        ok = true;
        break;
      } catch (e) {
        ok = false;
        if (!isStoreUnavailable(e)) {
          this.#opts.log.error('bot handler failed', { ...meta, err: e });
          break;
        }
        const wait = backoffDelay(this.#opts.storeRetry ?? STORE_RETRY, attempt);
        if (attempt === 0) this.#opts.log.warn('bot handler failed: the store is unavailable; running it again until it is back', { ...meta, err: e });
        else this.#opts.log.debug('bot handler failed again: the store is unavailable', { ...meta, attempt, wait });
        await new Promise((r) => setTimeout(r, wait));
        started = this.#clock();
      }
    }
    const ms = this.#clock() - started;
    this.#metrics.handlerFinished(event.type, ok, ms);
    if (ms > (this.#opts.slowMs ?? 5000)) this.#opts.log.warn('slow bot handler', { ...meta, ms });
    else this.#opts.log.debug('event handled', { ...meta, ms });
    this.#running--;
    try {
      await this.#opts.queue.complete(job);
    } catch (e) {
      this.#opts.log.error('could not mark event handled', { ...meta, err: e });
    }
    this.#pump();
  }
}
