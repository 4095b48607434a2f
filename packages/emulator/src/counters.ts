import type { Counters, DeliveryRecord, RestRequestLog } from './types.js';

const MAX_LOG = 5000;
const MAX_DELIVERIES = 1000;

/** A fresh set of zero counters. */
export function emptyCounters(): Counters {
  return {
    requests: 0, byMethod: {}, byStatus: {}, errors: {}, oauthRefreshes: 0, oauthErrors: 0,
    queryLimitExceeded: 0, operationTimeLimit: 0, batchCommands: 0, eventsDelivered: 0, eventsFailed: 0,
    eventsQueued: 0, eventsFetched: 0, messagesPosted: 0, typing: 0, faultsApplied: 0,
  };
}

type NumericCounter = { [K in keyof Counters]: Counters[K] extends number ? K : never }[keyof Counters];

/** The request log, delivery log and counters of one portal, with request listeners. */
export class Stats {
  readonly #counters = emptyCounters();
  readonly #log: RestRequestLog[] = [];
  readonly #deliveries: DeliveryRecord[] = [];
  readonly #listeners = new Set<(entry: RestRequestLog) => void>();
  readonly #deliveryListeners = new Set<(record: DeliveryRecord) => void>();

  /** Records one served request and notifies listeners. */
  record(entry: RestRequestLog): void {
    const c = this.#counters;
    c.requests++;
    c.byMethod[entry.method] = (c.byMethod[entry.method] ?? 0) + 1;
    c.byStatus[String(entry.status)] = (c.byStatus[String(entry.status)] ?? 0) + 1;
    if (entry.error !== undefined) c.errors[entry.error] = (c.errors[entry.error] ?? 0) + 1;
    if (entry.error === 'QUERY_LIMIT_EXCEEDED') c.queryLimitExceeded++;
    if (entry.error === 'OPERATION_TIME_LIMIT') c.operationTimeLimit++;
    if (entry.fault !== undefined) c.faultsApplied++;
    this.#log.push(entry);
    if (this.#log.length > MAX_LOG) this.#log.shift();
    for (const listener of this.#listeners) listener(entry);
  }

  /** Records one event push. */
  recordDelivery(record: DeliveryRecord): void {
    this.#deliveries.push(record);
    if (this.#deliveries.length > MAX_DELIVERIES) this.#deliveries.shift();
    for (const listener of this.#deliveryListeners) listener(record);
  }

  /** Adds `by` to a numeric counter. */
  bump(name: NumericCounter, by = 1): void {
    this.#counters[name] += by;
  }

  /** A deep copy of the counters. */
  snapshot(): Counters {
    return structuredClone(this.#counters);
  }

  /** A copy of the request log. */
  requests(): RestRequestLog[] {
    return this.#log.map((e) => ({ ...e }));
  }

  /** A copy of the delivery log. */
  deliveries(): DeliveryRecord[] {
    return this.#deliveries.map((d) => ({ ...d }));
  }

  /** Subscribes to delivery records; returns the unsubscribe function. */
  onDelivery(listener: (record: DeliveryRecord) => void): () => void {
    this.#deliveryListeners.add(listener);
    return () => void this.#deliveryListeners.delete(listener);
  }

  /** Subscribes to request entries; returns the unsubscribe function. */
  onRequest(listener: (entry: RestRequestLog) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
