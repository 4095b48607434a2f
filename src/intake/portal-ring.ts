import type { DispatchJob } from './dispatch-queue.js';
import { Fifo } from './fifo.js';

/** One dialogue's jobs in memory; the head job is the one running or next to run. */
export interface RingDialogue {
  key: string;
  jobs: Fifo<DispatchJob>;
}

/** A portal's in-memory state as {@link PortalRing} keeps it; queues add their own fields. */
export interface RingPortal {
  id: string;
  ready: Fifo<RingDialogue>;
  dialogues: Map<string, RingDialogue>;
  running: number;
  inRing: boolean;
}

/**
 * The in-memory part both dispatch queues share: one ready queue of dialogues per portal, portals served
 * round-robin (each step O(1)), at most `perPortal` running jobs per portal, and the keys of buffered jobs.
 */
export class PortalRing<P extends RingPortal> {
  /** Known portals by member id. */
  readonly portals = new Map<string, P>();
  readonly #ring = new Fifo<P>();
  readonly #keys = new Set<string>();

  constructor(
    private readonly perPortal: number,
    private readonly create: (id: string) => P,
  ) {}

  /** Whether a job with this inbox key is buffered. */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** The inbox keys of every buffered job (running or waiting). */
  keys(): string[] {
    return [...this.#keys];
  }

  /** The portal's record, created on first use. */
  portal(id: string): P {
    let p = this.portals.get(id);
    if (!p) {
      p = this.create(id);
      this.portals.set(id, p);
    }
    return p;
  }

  /** The next job to run, portals taking turns; null when none may run now. */
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

  /** Buffers a job behind its dialogue's earlier ones. */
  push(p: P, job: DispatchJob): void {
    this.#keys.add(job.key);
    let d = p.dialogues.get(job.dialogueKey);
    if (!d) {
      d = { key: job.dialogueKey, jobs: new Fifo() };
      p.dialogues.set(d.key, d);
    }
    d.jobs.push(job);
    // A dialogue with one job just became ready; with more, it is running or already in the ready queue.
    if (d.jobs.length === 1) {
      p.ready.push(d);
      this.#enterRing(p);
    }
  }

  /** Drops a finished job and readies its dialogue's next one; returns its portal, or null if it was unknown. */
  finish(job: DispatchJob): P | null {
    const p = this.portals.get(job.memberId);
    const d = p?.dialogues.get(job.dialogueKey);
    if (!p || !d) return null;
    d.jobs.shift();
    this.#keys.delete(job.key);
    p.running--;
    if (d.jobs.length > 0) p.ready.push(d);
    else p.dialogues.delete(d.key);
    this.#enterRing(p);
    return p;
  }

  #enterRing(p: P): void {
    if (p.inRing || p.ready.length === 0 || p.running >= this.perPortal) return;
    p.inRing = true;
    this.#ring.push(p);
  }
}
