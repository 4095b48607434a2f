import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { BotEvent } from '../protocol/events.js';
import type { InboxItem, InboxStore, LeaseRequest } from '../store/types.js';
import type { DispatchJob, DispatchQueue } from './dispatch-queue.js';
import { Fifo } from './fifo.js';
import { PortalRing, type RingPortal } from './portal-ring.js';

/** Options of {@link LocalDispatchQueue}. */
export interface LocalQueueOptions {
  store: InboxStore;
  log: Logger;
  /** Running jobs one portal may hold (the dispatcher's concurrency / 4 by default). */
  perPortal: number;
  /** Events held in memory at most (default 1,000); the rest wait in the inbox and are read in pages. */
  maxBuffered?: number;
  /** Events claimed from the inbox per page (default 100). */
  pageSize?: number;
}

interface Portal extends RingPortal {
  /** The inbox may hold events of this portal that are not in memory: new ones must queue behind them. */
  spilled: boolean;
  /** Inbox writes of spilled events still in flight, and a counter bumped when one lands. */
  spilling: number;
  gen: number;
  /** Inbox writes in flight for this portal: the record must outlive them. */
  adding: number;
}

// In one process the lease only marks what this process holds; every lease is dropped at start.
const LOCAL_LEASE_MS = 3_600_000;

/**
 * The single-process {@link DispatchQueue}: one ready queue of dialogues per portal, portals served
 * round-robin (each step O(1)), a per-portal cap on running jobs. At most `maxBuffered` events live in
 * memory; beyond that, events stay in the inbox and are claimed page by page, per portal, as the buffer
 * drains, so a backlog of any size costs no memory and is resumed whole after a restart. A portal with
 * events in the inbox queues its new events there too, so nothing overtakes an older event of its dialogue.
 */
export class LocalDispatchQueue implements DispatchQueue {
  readonly #o: Required<Omit<LocalQueueOptions, 'store' | 'log'>> & LocalQueueOptions;
  readonly #lease: LeaseRequest = { owner: `dispatch:${process.pid}:${randomUUID()}`, leaseMs: LOCAL_LEASE_MS };
  readonly #ring: PortalRing<Portal>;
  readonly #spilled = new Fifo<Portal>();
  #buffered = 0;
  #stored = 0;
  #writes = 0;
  #refilling = false;
  #listener: () => void = () => undefined;

  constructor(opts: LocalQueueOptions) {
    this.#o = { maxBuffered: 1000, pageSize: 100, ...opts };
    const portal = (id: string): Portal => ({ id, ready: new Fifo(), dialogues: new Map(), running: 0, inRing: false, spilled: false, spilling: 0, gen: 0, adding: 0 });
    this.#ring = new PortalRing(this.#o.perPortal, portal);
  }

  onChange(listener: () => void): void {
    this.#listener = listener;
  }

  get pending(): number {
    return this.#buffered + this.#stored;
  }

  /** Of {@link pending}, the events known to wait in the inbox only (not in memory). */
  get stored(): number {
    return this.#stored;
  }

  /** Internal counters, for diagnostics. */
  debugState(): Record<string, number | boolean> {
    return { buffered: this.#buffered, stored: this.#stored, writes: this.#writes, spilled: this.#spilled.length, refilling: this.#refilling };
  }

  isIdle(): boolean {
    return this.#buffered === 0 && this.#writes === 0 && this.#spilled.length === 0 && !this.#refilling;
  }

  async start(): Promise<number> {
    await this.#o.store.inboxRelease();
    const [members, count] = await Promise.all([this.#o.store.inboxPendingMembers(), this.#o.store.inboxPendingCount()]);
    for (const m of members) this.#spill(this.#ring.portal(m));
    this.#stored = count;
    if (count > 0) this.#o.log.info('resuming unhandled events', { count, portals: members.length });
    await this.#refill();
    return count;
  }

  async add(item: InboxItem, event: BotEvent): Promise<boolean> {
    const p = this.#ring.portal(item.memberId);
    if (p.spilled || this.#buffered >= this.#o.maxBuffered) return this.#addStored(p, item);
    this.#buffered++;
    this.#writes++;
    p.adding++;
    let added = false;
    try {
      added = await this.#o.store.inboxAdd(item, this.#lease);
    } finally {
      this.#writes--;
      p.adding--;
      if (added) this.#ring.push(p, { key: item.key, memberId: item.memberId, dialogueKey: item.dialogueKey, event, receivedAt: item.receivedAt });
      else this.#buffered--;
      this.#changed();
    }
    return added;
  }

  take(): DispatchJob | null {
    return this.#ring.take();
  }

  async complete(job: DispatchJob): Promise<void> {
    this.#finish(job);
    this.#writes++;
    try {
      await this.#o.store.inboxDone(job.key);
    } finally {
      this.#writes--;
      this.#changed();
    }
  }

  #finish(job: DispatchJob): void {
    const p = this.#ring.finish(job);
    if (!p) return;
    this.#buffered--;
    this.#forgetIfEmpty(p);
    if (this.#buffered <= this.#o.maxBuffered / 2 && this.#spilled.length > 0) void this.#refill();
    this.#changed();
  }

  async #addStored(p: Portal, item: InboxItem): Promise<boolean> {
    this.#spill(p);
    p.spilling++;
    p.adding++;
    this.#writes++;
    try {
      const added = await this.#o.store.inboxAdd(item);
      if (added) this.#stored++;
      return added;
    } finally {
      p.spilling--;
      p.adding--;
      p.gen++;
      this.#writes--;
      if (this.#buffered <= this.#o.maxBuffered / 2) void this.#refill();
      this.#changed();
    }
  }

  /** Claims pages of spilled portals, one portal per turn, until the buffer is full or nothing is spilled. */
  async #refill(): Promise<void> {
    if (this.#refilling) return;
    this.#refilling = true;
    try {
      // Whole pages only: small claims as single jobs finish would rescan the portal's backlog each time.
      while (this.#o.maxBuffered - this.#buffered >= Math.min(this.#o.pageSize, this.#o.maxBuffered / 2)) {
        const p = this.#spilled.shift();
        if (!p) break;
        const gen = p.gen;
        const limit = Math.min(this.#o.pageSize, this.#o.maxBuffered - this.#buffered);
        const items = await this.#o.store.inboxClaim({ ...this.#lease, limit, memberId: p.id });
        for (const item of items) {
          if (this.#ring.has(item.key)) continue;
          this.#stored = Math.max(0, this.#stored - 1);
          this.#buffered++;
          const event = JSON.parse(item.payload) as BotEvent;
          this.#ring.push(p, { key: item.key, memberId: item.memberId, dialogueKey: item.dialogueKey, event, receivedAt: item.receivedAt });
        }
        if (items.length < limit && p.gen === gen && p.spilling === 0) {
          p.spilled = false;
          this.#forgetIfEmpty(p);
        } else this.#spilled.push(p);
        this.#changed();
      }
    } catch (e) {
      this.#o.log.error('reading pending events from the inbox failed; retrying in 1 s', { err: e });
      setTimeout(() => void this.#refill(), 1000).unref();
    } finally {
      this.#refilling = false;
      this.#changed();
    }
  }

  /** Drops an empty portal's record; never while a write or a refill may still use it. */
  #forgetIfEmpty(p: Portal): void {
    if (p.dialogues.size === 0 && p.running === 0 && !p.spilled && p.adding === 0) this.#ring.portals.delete(p.id);
  }

  #spill(p: Portal): void {
    if (p.spilled) return;
    p.spilled = true;
    this.#spilled.push(p);
  }

  #changed(): void {
    this.#listener();
  }
}
