/** The durable outbox: replies persisted before they are sent, delivered in per-dialogue order. */
export { createOutbox } from './outbox.js';
export type { Outbox, OutboxEntry, OutboxOptions, OutboxStats } from './outbox.js';
export { classifyFailure, describeFailure } from './failure.js';
export type { FailureAction } from './failure.js';
