import type { Logger } from '../log.js';
import { dialogueKey, type BotEvent } from '../protocol/events.js';

/** What the dispatcher needs. */
export interface DispatcherOptions {
  /** Runs the bot for one event; `key` is its dedupe key. */
  handle(event: BotEvent, key: string): Promise<void>;
  /** Called after an event was handled (or its handler threw): marks it done in the inbox. */
  done(key: string): Promise<void>;
  /** How many dialogues run at once. */
  concurrency: number;
  /**
   * How many of them may belong to one portal (default a quarter of `concurrency`, at least 1), so that
   * handlers waiting on one slow portal cannot take every slot.
   */
  perPortal?: number;
  log: Logger;
  /** A handler running longer than this is logged as slow. */
  slowMs?: number;
  clock?: () => number;
}

interface Job {
  key: string;
  event: BotEvent;
}

/**
 * Runs events one at a time per dialogue, in arrival order, and different dialogues concurrently up
 * to a bound. A throwing handler is logged with the event type and portal and does not stop others.
 *
 * @example
 * const d = new Dispatcher({ handle: runtime.handle, done: (k) => store.inboxDone(k), concurrency: 16, log });
 * d.push(key, event);
 */
export class Dispatcher {
  readonly #opts: DispatcherOptions;
  readonly #clock: () => number;
  readonly #queues = new Map<string, Job[]>();
  readonly #ready: string[] = [];
  readonly #pendingKeys = new Set<string>();
  #running = 0;
  readonly #perPortal = new Map<string, number>();
  #idleWaiters: Array<() => void> = [];

  constructor(opts: DispatcherOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? Date.now;
  }

  /** Queues an event. An event whose key is already queued or running is ignored. */
  push(key: string, event: BotEvent): void {
    if (this.#pendingKeys.has(key)) return;
    this.#pendingKeys.add(key);
    const dk = dialogueKey(event);
    const queue = this.#queues.get(dk);
    if (queue) {
      queue.push({ key, event });
      return;
    }
    this.#queues.set(dk, [{ key, event }]);
    this.#ready.push(dk);
    this.#pump();
  }

  /** Number of events queued or running. */
  get size(): number {
    return this.#pendingKeys.size;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.#pendingKeys.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #portalOf(dk: string): string {
    return this.#queues.get(dk)?.[0]?.event.memberId ?? '';
  }

  #pump(): void {
    const cap = this.#opts.perPortal ?? Math.max(1, Math.floor(this.#opts.concurrency / 4));
    while (this.#running < this.#opts.concurrency) {
      const i = this.#ready.findIndex((dk) => (this.#perPortal.get(this.#portalOf(dk)) ?? 0) < cap);
      if (i === -1) return;
      const [dk] = this.#ready.splice(i, 1) as [string];
      const portal = this.#portalOf(dk);
      this.#perPortal.set(portal, (this.#perPortal.get(portal) ?? 0) + 1);
      this.#running++;
      void this.#runDialogue(dk, portal);
    }
  }

  async #runDialogue(dk: string, portal: string): Promise<void> {
    const queue = this.#queues.get(dk) ?? [];
    const job = queue.shift();
    if (job) await this.#runJob(job);
    if (queue.length > 0) this.#ready.push(dk);
    else this.#queues.delete(dk);
    const left = (this.#perPortal.get(portal) ?? 1) - 1;
    if (left > 0) this.#perPortal.set(portal, left);
    else this.#perPortal.delete(portal);
    this.#running--;
    this.#pump();
    if (this.#pendingKeys.size === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  async #runJob({ key, event }: Job): Promise<void> {
    const started = this.#clock();
    const meta = { type: event.type, memberId: event.memberId, botCode: event.bot.code, dialogId: event.chat.dialogId };
    try {
      await this.#opts.handle(event, key);
    } catch (e) {
      this.#opts.log.error('bot handler failed', { ...meta, err: e });
    }
    const ms = this.#clock() - started;
    if (ms > (this.#opts.slowMs ?? 5000)) this.#opts.log.warn('slow bot handler', { ...meta, ms });
    else this.#opts.log.debug('event handled', { ...meta, ms });
    try {
      await this.#opts.done(key);
    } catch (e) {
      this.#opts.log.error('could not mark event handled', { ...meta, err: e });
    }
    this.#pendingKeys.delete(key);
  }
}
