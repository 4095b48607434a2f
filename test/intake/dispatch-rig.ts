import type { BackoffPolicy } from '../../src/backoff.js';
import { Dispatcher } from '../../src/intake/dispatcher.js';
import { LocalDispatchQueue } from '../../src/intake/local-queue.js';
import { createLogger, type Logger } from '../../src/log.js';
import { dialogueKey, type BotEvent } from '../../src/protocol/events.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';

/** A dispatcher over a local queue over a store (memory by default). */
export interface DispatchRig {
  d: Dispatcher;
  queue: LocalDispatchQueue;
  store: Store;
  /** Accepts an event as the intake does (persist, then queue); false for a key seen before. */
  push(key: string, event: BotEvent): Promise<boolean>;
}

/** Options of {@link dispatchRig}. */
export interface DispatchRigOptions {
  handle(event: BotEvent, key: string): Promise<void>;
  concurrency: number;
  perPortal?: number;
  maxBuffered?: number;
  pageSize?: number;
  store?: Store;
  log?: Logger;
  storeRetry?: BackoffPolicy;
}

let received = 0;

/** Builds the rig; the queue is not started (call `queue.start()` to resume a store's pending events). */
export function dispatchRig(o: DispatchRigOptions): DispatchRig {
  const log = o.log ?? createLogger({ silent: true });
  const store = o.store ?? createMemoryStore();
  const queue = new LocalDispatchQueue({
    store, log, perPortal: o.perPortal ?? Math.max(1, Math.floor(o.concurrency / 4)),
    ...(o.maxBuffered !== undefined ? { maxBuffered: o.maxBuffered } : {}),
    ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
  });
  const d = new Dispatcher({ queue, handle: o.handle, concurrency: o.concurrency, log, ...(o.storeRetry ? { storeRetry: o.storeRetry } : {}) });
  return {
    d, queue, store,
    push: (key, event) => queue.add(
      { key, memberId: event.memberId, dialogueKey: dialogueKey(event), payload: JSON.stringify(event), receivedAt: ++received },
      event,
    ),
  };
}
