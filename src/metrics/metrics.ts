/**
 * The metrics seam: the hooks the core modules (intake, dispatcher, REST client, poller) call. They never
 * import prom-client; the server wires {@link PromMetrics} (`GET /metrics`), everything else gets
 * {@link NO_METRICS}. Every hook is synchronous, cheap and never throws.
 */
import type { BotEvent } from '../protocol/events.js';

/** How an event reached the intake: pushed to `/events`, or fetched with `imbot.v2.Event.get`. */
export type EventSource = 'push' | 'fetch';

/** The hooks. Arguments are raw (method names, error objects); the implementation bounds the labels. */
export interface Metrics {
  /** An event was persisted and queued. `lagMs`: from its `ts` to now (null when the event has none). */
  eventAccepted(source: EventSource, type: BotEvent['type'], lagMs: number | null): void;
  /** An event was recognised as already accepted (redelivered or re-polled) and ignored. */
  eventDuplicate(source: EventSource): void;
  /** A request to `/events` or `/install` was refused (`code`: the error code of the answer), or a fetched item was skipped. */
  eventRefused(code: string): void;
  /** A handler started `waitedMs` after its event was accepted (null when unknown). */
  handlerStarted(type: BotEvent['type'], waitedMs: number | null): void;
  /** A handler ended, after `ms`; `ok` false when it threw. */
  handlerFinished(type: BotEvent['type'], ok: boolean, ms: number): void;
  /** One attempt of one REST call (alone or inside a batch) ended: `error` null when it succeeded. */
  restCall(method: string, error: unknown): void;
  /** One HTTP request to a portal carried `calls` calls (1 = sent alone, more = a `batch`). */
  restRequest(calls: number): void;
  /** A call waited `ms` in its portal's lane (the limiter) before its request was sent. */
  limiterWait(ms: number): void;
  /** The portal refused a request for its rate limit or a method's time budget (503 / 429). */
  restLimited(error: unknown): void;
  /** An OAuth refresh ended (`ok` false: the OAuth server refused it or could not be reached). */
  tokenRefresh(ok: boolean): void;
  /** A fetch-mode poller started for a bot of a portal. */
  pollerStarted(memberId: string, botCode: string): void;
  /** One `imbot.v2.Event.get` poll ended; `events` on the page, `hasMore` when the portal holds more. */
  pollerPolled(memberId: string, botCode: string, ok: boolean, events: number, hasMore: boolean): void;
  /** The poller ended (stopped, bot deleted, portal gone). */
  pollerStopped(memberId: string, botCode: string): void;
}

const nothing = (): void => undefined;

/** The default: every hook does nothing. */
export const NO_METRICS: Metrics = Object.freeze({
  eventAccepted: nothing, eventDuplicate: nothing, eventRefused: nothing, handlerStarted: nothing, handlerFinished: nothing,
  restCall: nothing, restRequest: nothing, limiterWait: nothing, restLimited: nothing, tokenRefresh: nothing,
  pollerStarted: nothing, pollerPolled: nothing, pollerStopped: nothing,
});
