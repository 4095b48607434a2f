import type { DispatchJob, DispatchQueue } from '../intake/dispatch-queue.js';
import { Fifo } from '../intake/fifo.js';
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
}

// Minimum gap between two claims of one instance while new work keeps arriving.
const CLAIM_GAP_MS = 20;

interface Dialogue {
  key: string;
  jobs: Fifo<DispatchJob>;
}

interface Portal {
  id: string;
  ready: Fifo<Dialogue>;
  dialogues: Map<string, Dialogue>;
  running: number;
  inRing: boolean;
}

/**
 * The {@link DispatchQueue} of a cluster: every accepted event goes to the shared inbox unclaimed, and each
 * instance claims what it may run (`inboxClaim` with its owner and a lease). The store hands out an event only
 * when no older event of its dialogue is leased by another instance, so a dialogue's events run in order
 * wherever they were accepted; an instance that dies stops renewing its leases and its events are claimed by
 * the others once they expire. Locally: portals take turns, each capped at `perPortal` running jobs.
 */
export class ClusterDispatchQueue implements DispatchQueue {
  readonly #o: Required<Omit<ClusterQueueOptions, 'store' | 'log'>> & ClusterQueueOptions;
  readonly #portals = new Map<string, Portal>();
  readonly #ring = new Fifo<Portal>();
  readonly #keys = new Set<string>();
  #buffered = 0;
  #unclaimed = 0;
  #writes = 0;
  #claiming = false;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #failing = false;
  #listener: () => void = () => undefined;

  constructor(opts: ClusterQueueOptions) {
    this.#o = { maxBuffered: 500, pollMs: 500, ...opts };
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
    for (;;) {
      const p = this.#ring.shift();
      if (!p) return null;
      p.inRing = false;
      const d = p.ready.shift();
      if (!d) continue;
      p.running++;
      this.#enterRing(p);
      return d.jobs.peek() ?? null;
    }
  }

  async complete(job: DispatchJob): Promise<void> {
    this.#writes++;
    try {
      await this.#o.store.inboxDone(job.key);
    } finally {
      this.#writes--;
      this.#finish(job);
    }
    // The dialogue's next event may have been accepted by another instance: it is claimable now.
    void this.#claim();
  }

  #finish(job: DispatchJob): void {
    const p = this.#portals.get(job.memberId);
    const d = p?.dialogues.get(job.dialogueKey);
    if (!p || !d) return;
    d.jobs.shift();
    this.#keys.delete(job.key);
    this.#buffered--;
    p.running--;
    if (d.jobs.length > 0) p.ready.push(d);
    else p.dialogues.delete(d.key);
    this.#enterRing(p);
    if (p.dialogues.size === 0 && p.running === 0) this.#portals.delete(p.id);
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
    if (this.#keys.has(item.key)) return;
    let event: BotEvent;
    try {
      event = JSON.parse(item.payload) as BotEvent;
    } catch (e) {
      this.#o.log.error('unreadable event in the inbox, marked done', { key: item.key, err: e });
      void this.#o.store.inboxDone(item.key).catch(() => undefined);
      return;
    }
    this.#unclaimed = Math.max(0, this.#unclaimed - 1);
    this.#keys.add(item.key);
    this.#buffered++;
    const p = this.#portal(item.memberId);
    let d = p.dialogues.get(item.dialogueKey);
    if (!d) {
      d = { key: item.dialogueKey, jobs: new Fifo() };
      p.dialogues.set(d.key, d);
    }
    d.jobs.push({ key: item.key, memberId: item.memberId, dialogueKey: item.dialogueKey, event });
    if (d.jobs.length === 1) {
      p.ready.push(d);
      this.#enterRing(p);
    }
  }

  #portal(id: string): Portal {
    let p = this.#portals.get(id);
    if (!p) {
      p = { id, ready: new Fifo(), dialogues: new Map(), running: 0, inRing: false };
      this.#portals.set(id, p);
    }
    return p;
  }

  #enterRing(p: Portal): void {
    if (p.inRing || p.ready.length === 0 || p.running >= this.#o.perPortal) return;
    p.inRing = true;
    this.#ring.push(p);
  }
}
