import type { BotEvent } from '../protocol/events.js';
import type { InboxItem } from '../store/types.js';

/** One accepted event the dispatcher may run. */
export interface DispatchJob {
  /** The inbox (dedupe) key. */
  key: string;
  memberId: string;
  dialogueKey: string;
  event: BotEvent;
  /** Unix ms when the event was accepted (its inbox item's `receivedAt`), when the queue knows it. */
  receivedAt?: number;
}

/**
 * The queue the dispatcher runs events from, over the durable inbox. The single-process implementation is
 * {@link LocalDispatchQueue}; a cluster replaces it with one over shared, lease-based claims
 * (`InboxStore.inboxClaim`). Every implementation keeps these rules:
 * - per dialogue (`memberId` + `dialogueKey`), events run one at a time in the order they were accepted,
 *   across restarts and across processes;
 * - portals take turns (no portal can starve another), and one portal never holds more than its share of
 *   the running slots;
 * - an event is not forgotten until `complete()` marked it done in the inbox; after a crash it runs again.
 */
export interface DispatchQueue {
  /**
   * Persists an accepted event in the inbox (false, and nothing stored, when its key was seen before) and
   * queues it. Resolves once it is durable: the HTTP answer waits for this.
   */
  add(item: InboxItem, event: BotEvent): Promise<boolean>;
  /** The next job that may run now, or null. Synchronous and O(1): the dispatcher calls it per free slot. */
  take(): DispatchJob | null;
  /** The job finished (handled, or its handler threw): marks it done and frees its dialogue. */
  complete(job: DispatchJob): Promise<void>;
  /** Registers the dispatcher's wake-up: called whenever `take()` may return a job or the queue became idle. */
  onChange(listener: () => void): void;
  /** Resumes what an earlier run left pending (call before accepting new events). Resolves with their number. */
  start(): Promise<number>;
  /** Events accepted and not yet done that this queue knows of (running, waiting in memory or in the inbox). */
  readonly pending: number;
  /** True when nothing is queued, running, being written or waiting in the inbox. */
  isIdle(): boolean;
}
