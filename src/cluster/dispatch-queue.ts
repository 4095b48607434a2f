import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { isStoreUnavailable } from '../errors.js';
import type { DispatchJob, DispatchQueue } from '../intake/dispatch-queue.js';
import { Fifo } from '../intake/fifo.js';
import { PortalRing, type RingPortal } from '../intake/portal-ring.js';
import type { Logger } from '../log.js';
import type { BotEvent } from '../protocol/events.js';
import type { InboxItem, InboxStore } from '../store/types.js';

/** Options of {@link ClusterDispatchQueue}. */
export interface ClusterQueueOptions {
  store: InboxStore;
  log: Logger;
  /** This instance's lease owner id. */
  owner: string;
  /** Lease length; the instance renews its leases while alive, a dead one's expire and are claimed by others. */
  leaseMs: number;
  /** Running jobs one portal may hold. */
  perPortal: number;
  /** Events held in memory at most (default 500); the rest wait in the shared inbox. */
  maxBuffered?: number;
  /** How often the inbox is looked at without a local reason (default 500 ms): events accepted elsewhere, expired leases. */
  pollMs?: number;
  /** Waits between attempts to mark a handled event done while the store is unreachable (default 250 ms doubling to 5 s). */
  doneRetry?: BackoffPolicy;
}

// Minimum gap between two claims of one instance while new work keeps arriving.
const CLAIM_GAP_MS = 20;
const DONE_RETRY: BackoffPolicy = { baseMs: 250, maxMs: 5000 };

/**
 * The {@link DispatchQueue} of a cluster: every accepted event goes to the shared inbox unclaimed, and each
 * instance claims what it may run (`inboxClaim` with its owner and a lease). The store hands out an event only
 * when no older event of its dialogue is leased by another instance, so a dialogue's events run in order
 * wherever they were accepted; an instance that dies stops renewing its leases and its events are claimed by
 * the others once they expire. Locally: portals take turns, each capped at `perPortal` running jobs.
 * Only the leases of events this instance holds in memory are renewed ({@link heldKeys}): one it lost track
 * of (a claim whose answer was lost, a done mark that failed for good) expires and is claimed again.
 */
export class ClusterDispatchQueue implements DispatchQueue {
  readonly #o: Required<Omit<ClusterQueueOptions, 'store' | 'log' | 'doneRetry'>> & ClusterQueueOptions;
  readonly #ring: PortalRing<RingPortal>;
  #buffered = 0;
  #unclaimed = 0;
  #writes = 0;
  #claiming = false;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #failing = false;
  #closed = false;
  #listener: () => void = () => undefined;

  constructor(opts: ClusterQueueOptions) {
    this.#o = { maxBuffered: 500, pollMs: 500, ...opts };
    this.#ring = new PortalRing(this.#o.perPortal, (id) => ({ id, ready: new Fifo(), dialogues: new Map(), running: 0, inRing: false }));
  }

  onChange(listener: () => void): void {
    this.#listener = listener;
  }

  get pending(): number {
    return this.#buffered + this.#unclaimed;
  }

  isIdle(): boolean {
    return this.#buffered === 0 && this.#writes === 0 && !this.#claiming;
  }

  async start(): Promise<number> {
    const count = await this.#o.store.inboxPendingCount();
    if (count > 0) this.#o.log.info('pending events in the shared inbox', { count });
    this.#timer = setInterval(() => void this.#claim(), this.#o.pollMs);
    this.#timer.unref();
    await this.#claim();
    return count;
  }

  /** Stops polling and gives this instance's unfinished claims back, so other instances take them at once. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#o.store.inboxRelease(this.#o.owner).catch(() => undefined);
  }

  async add(item: InboxItem, _event: BotEvent): Promise<boolean> {
    this.#writes++;
    let added = false;
    try {
      added = await this.#o.store.inboxAdd(item);
    } finally {
      this.#writes--;
    }
    if (added) {
      this.#unclaimed++;
      void this.#claim();
    }
    return added;
  }

  take(): DispatchJob | null {
    return this.#ring.take();
  }

  /** The inbox keys of the events this instance holds (buffered or running): the leases it renews. */
  heldKeys(): string[] {
    return this.#ring.keys();
  }

  /**
   * Marks the job done. While the store is unreachable the mark is retried (the job stays held: its dialogue
   * waits and its lease is renewed) rather than forgotten under a lease nobody else could take.
   */
  async complete(job: DispatchJob): Promise<void> {
    this.#writes++;
    try {
      await this.#markDone(job.key);
    } finally {
      this.#writes--;
      this.#finish(job);
    }
    // The dialogue's next event may have been accepted by another instance: it is claimable now.
    void this.#claim();
  }

  async #markDone(key: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#o.store.inboxDone(key);
        if (attempt > 0) this.#o.log.info('event marked handled after the store came back', { key, attempts: attempt + 1 });
        return;
      } catch (e) {
        if (this.#closed || !isStoreUnavailable(e)) throw e;
        if (attempt === 0) this.#o.log.warn('marking an event handled failed: the store is unavailable; retrying', { key, err: e });
        await new Promise((r) => setTimeout(r, backoffDelay(this.#o.doneRetry ?? DONE_RETRY, attempt)));
      }
    }
  }

  #finish(job: DispatchJob): void {
    const p = this.#ring.finish(job);
    if (!p) return;
    this.#buffered--;
    if (p.dialogues.size === 0 && p.running === 0) this.#ring.portals.delete(p.id);
    this.#listener();
  }

  /** Claims what this instance may run, while the buffer has room; one claim at a time. */
  async #claim(): Promise<void> {
    if (this.#claiming) {
      this.#again = true;
      return;
    }
    this.#claiming = true;
    try {
      do {
        // Claims of every instance take turns on one database lock: ask at most every CLAIM_GAP_MS.
        if (this.#again) await new Promise((r) => setTimeout(r, CLAIM_GAP_MS));
        this.#again = false;
        const limit = this.#o.maxBuffered - this.#buffered;
        if (limit <= 0) break;
        const items = await this.#o.store.inboxClaim({ owner: this.#o.owner, leaseMs: this.#o.leaseMs, limit });
        if (this.#failing) this.#o.log.info('claiming events from the shared inbox works again');
        this.#failing = false;
        for (const item of items) this.#push(item);
        if (items.length === limit) this.#again = true;
      } while (this.#again);
    } catch (e) {
      // Once per outage: the poll retries every pollMs.
      if (!this.#failing) this.#o.log.warn('claiming events from the shared inbox failed; retrying', { err: e });
      this.#failing = true;
    } finally {
      this.#claiming = false;
      this.#listener();
    }
  }

  #push(item: InboxItem): void {
    if (this.#ring.has(item.key)) return;
    let event: BotEvent;
    try {
      event = JSON.parse(item.payload) as BotEvent;
    } catch (e) {
      this.#o.log.error('unreadable event in the inbox, marked done', { key: item.key, err: e });
      void this.#o.store.inboxDone(item.key).catch(() => undefined);
      return;
    }
    this.#unclaimed = Math.max(0, this.#unclaimed - 1);
    this.#buffered++;
    const p = this.#ring.portal(item.memberId);
    this.#ring.push(p, { key: item.key, memberId: item.memberId, dialogueKey: item.dialogueKey, event, receivedAt: item.receivedAt });
  }
}
