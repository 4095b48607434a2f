/**
 * {@link Metrics} on prom-client: one Registry per instance (tests run many servers in one process), the
 * Prometheus text format on `render()`. The counters and histograms the hot path touches are the
 * hash-free ones of `fast.ts`; the values read at scrape time are prom-client gauges and counters. Label values are bounded: event types and sources from the event
 * model, REST methods from a known table, error codes through a {@link CodeGuard}, bot codes from `bots/`.
 * No member id is a label.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { OutboxStats } from '../outbox/outbox.js';
import type { BotEvent } from '../protocol/events.js';
import { B24ApiError } from '../rest/errors.js';
import { FastCounter, FastHistogram, type HistogramChild } from './fast.js';
import { CodeGuard, errorLabel, methodLabel } from './labels.js';
import type { EventSource, Metrics } from './metrics.js';
import { processMetricsText } from './process.js';

/** What is read at scrape time (cheap, in-memory counters), wired by the server once built. */
export interface MetricSources {
  outbox(): OutboxStats;
  /** Events accepted and not yet handled. */
  pendingEvents(): number;
}

/** Options of {@link PromMetrics}. */
export interface PromMetricsOptions {
  clock?: () => number;
  /** Add the process metrics (CPU, memory, event loop, GC: prom-client's defaults, shared by the process). Default true. */
  processMetrics?: boolean;
}

// Seconds. Handlers: a typical reply is queued in milliseconds; dialogues with slow lookups take seconds.
const HANDLER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// `ts` has a resolution of one second; a platform retry comes minutes later.
const DELIVERY_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
// The platform's batch holds at most 50 commands.
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 30, 40, 50];

interface PollerState {
  bot: string;
  /** Unix ms of the last successful poll (the start, before the first). */
  lastOk: number;
  behind: boolean;
}

/**
 * The Prometheus implementation of the metrics seam.
 *
 * @example
 * const metrics = new PromMetrics();
 * metrics.watch({ outbox: () => outbox.stats(), pendingEvents: () => dispatcher.size });
 * res.type(metrics.contentType).send(await metrics.render());
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  readonly #clock: () => number;
  readonly #process: boolean;
  readonly #codes = new CodeGuard();
  readonly #pollers = new Map<string, PollerState>();
  #sources: MetricSources | null = null;

  readonly #accepted: FastCounter;
  readonly #duplicates: FastCounter;
  readonly #refused: FastCounter;
  readonly #deliveryLag: FastHistogram;
  readonly #queueWait: HistogramChild;
  readonly #handler: FastHistogram;
  readonly #rest: FastCounter;
  readonly #limited: FastCounter;
  readonly #batch: HistogramChild;
  readonly #limiterWait: HistogramChild;
  readonly #refreshes: FastCounter;
  readonly #polls: FastCounter;

  constructor(opts: PromMetricsOptions = {}) {
    this.#clock = opts.clock ?? Date.now;
    this.#process = opts.processMetrics ?? true;
    const r = this.registry;
    this.#accepted = new FastCounter(r, 'botkit_events_accepted_total', 'Events persisted and queued, by source (push, fetch) and event type.', ['source', 'type']);
    this.#duplicates = new FastCounter(r, 'botkit_events_duplicate_total', 'Events ignored because they were accepted before (redelivered or re-polled).', ['source']);
    this.#refused = new FastCounter(r, 'botkit_events_refused_total', 'Requests to /events and /install refused, and fetched items skipped, by error code.', ['code']);
    this.#deliveryLag = new FastHistogram(r, 'botkit_event_delivery_lag_seconds', 'From the event\'s ts (set by the portal) to its acceptance.', DELIVERY_BUCKETS, ['source']);
    this.#queueWait = new FastHistogram(r, 'botkit_event_queue_seconds', 'From an event\'s acceptance to the start of its handler.', WAIT_BUCKETS).child();
    this.#handler = new FastHistogram(r, 'botkit_handler_duration_seconds', 'Bot handler run time, by event type and outcome (ok, error).', HANDLER_BUCKETS, ['type', 'outcome']);
    this.#rest = new FastCounter(r, 'botkit_rest_calls_total', 'REST call attempts (alone or in a batch), by method and outcome (ok, or the error code).', ['method', 'outcome']);
    this.#limited = new FastCounter(r, 'botkit_rest_rate_limited_total',
      'Answers refusing a request for the portal\'s rate limit or a method\'s time budget, by HTTP status (503, 429; batch = inside a batch answer) and code.', ['status', 'code']);
    this.#batch = new FastHistogram(r, 'botkit_rest_batch_size', 'Calls per HTTP request to a portal (1 = sent alone; the count is the number of requests).', BATCH_BUCKETS).child();
    this.#limiterWait = new FastHistogram(r, 'botkit_rest_limiter_wait_seconds', 'Time a call waited in its portal\'s lane (rate limiter) before its request was sent.', WAIT_BUCKETS).child();
    this.#refreshes = new FastCounter(r, 'botkit_token_refreshes_total', 'OAuth token refreshes, by outcome (ok, failed).', ['outcome']);
    this.#polls = new FastCounter(r, 'botkit_poller_polls_total', 'imbot.v2.Event.get polls (fetch mode), by bot and outcome (ok, error).', ['bot', 'outcome']);
    this.#scrapeTimeMetrics();
  }

  /** Reads the outbox and the dispatcher at scrape time. */
  watch(sources: MetricSources): void {
    this.#sources = sources;
  }

  /** The Content-Type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text format (version 0.0.4). */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    const text = this.#process ? `${own}\n${await processMetricsText()}` : own;
    // prom-client 15 writes NaN as `Nan` (the event-loop gauges before their first sample); the format says `NaN`.
    return text.replace(/ Nan$/gm, ' NaN');
  }

  eventAccepted(source: EventSource, type: BotEvent['type'], lagMs: number | null): void {
    this.#accepted.child(source, type).n++;
    if (lagMs !== null) this.#deliveryLag.child(source).observe(Math.max(0, lagMs) / 1000);
  }

  eventDuplicate(source: EventSource): void {
    this.#duplicates.child(source).n++;
  }

  eventRefused(code: string): void {
    this.#refused.child(this.#codes.label(code)).n++;
  }

  handlerStarted(_type: BotEvent['type'], waitedMs: number | null): void {
    if (waitedMs !== null) this.#queueWait.observe(Math.max(0, waitedMs) / 1000);
  }

  handlerFinished(type: BotEvent['type'], ok: boolean, ms: number): void {
    this.#handler.child(type, ok ? 'ok' : 'error').observe(ms / 1000);
  }

  restCall(method: string, error: unknown): void {
    this.#rest.child(methodLabel(method), error === null ? 'ok' : errorLabel(error, this.#codes)).n++;
  }

  restRequest(calls: number): void {
    this.#batch.observe(calls);
  }

  limiterWait(ms: number): void {
    this.#limiterWait.observe(Math.max(0, ms) / 1000);
  }

  restLimited(error: unknown): void {
    if (!(error instanceof B24ApiError)) return;
    this.#limited.child(error.status === 0 ? 'batch' : String(error.status), this.#codes.label(error.apiCode)).n++;
  }

  tokenRefresh(ok: boolean): void {
    this.#refreshes.child(ok ? 'ok' : 'failed').n++;
  }

  pollerStarted(memberId: string, botCode: string): void {
    this.#pollers.set(`${memberId}\0${botCode}`, { bot: botCode, lastOk: this.#clock(), behind: false });
  }

  pollerPolled(memberId: string, botCode: string, ok: boolean, _events: number, hasMore: boolean): void {
    this.#polls.child(botCode, ok ? 'ok' : 'error').n++;
    const state = this.#pollers.get(`${memberId}\0${botCode}`);
    if (!state || !ok) return;
    state.lastOk = this.#clock();
    state.behind = hasMore;
  }

  pollerStopped(memberId: string, botCode: string): void {
    this.#pollers.delete(`${memberId}\0${botCode}`);
  }

  /** Gauges and counters read at scrape time from the outbox, the dispatcher and the pollers. */
  #scrapeTimeMetrics(): void {
    const registers = [this.registry];
    const sources = (): MetricSources | null => this.#sources;
    const stats = (): OutboxStats => sources()?.outbox() ?? { pending: 0, delivered: 0, dead: 0, retries: 0 };
    new Gauge({ name: 'botkit_outbox_pending', help: 'Replies queued by this process and not yet delivered or dead-lettered.', registers,
      collect() { this.set(stats().pending); } });
    const total = (name: string, help: string, read: (s: OutboxStats) => number): void => void new Counter({
      name, help, registers, collect() { this.reset(); this.inc(read(stats())); },
    });
    total('botkit_outbox_delivered_total', 'Replies delivered by this process.', (s) => s.delivered);
    total('botkit_outbox_dead_lettered_total', 'Replies this process moved to the dead letters (they wait there for an operator).', (s) => s.dead);
    total('botkit_outbox_retries_total', 'Reply sends that failed and were scheduled again.', (s) => s.retries);
    new Gauge({ name: 'botkit_events_pending', help: 'Events accepted and not yet handled (running, queued in memory or in the inbox).', registers,
      collect() { this.set(sources()?.pendingEvents() ?? 0); } });
    const pollers = this.#pollers;
    const clock = this.#clock;
    new Gauge({ name: 'botkit_poller_seconds_since_success', help: 'Fetch mode: per bot, the longest time any of its pollers went without a successful poll.', labelNames: ['bot'], registers,
      collect() {
        this.reset();
        const worst = new Map<string, number>();
        for (const p of pollers.values()) worst.set(p.bot, Math.max(worst.get(p.bot) ?? 0, (clock() - p.lastOk) / 1000));
        for (const [bot, s] of worst) this.set({ bot }, s);
      } });
    new Gauge({ name: 'botkit_poller_behind', help: 'Fetch mode: per bot, pollers whose last page said the portal holds more events (hasMore).', labelNames: ['bot'], registers,
      collect() {
        this.reset();
        const behind = new Map<string, number>();
        for (const p of pollers.values()) behind.set(p.bot, (behind.get(p.bot) ?? 0) + (p.behind ? 1 : 0));
        for (const [bot, n] of behind) this.set({ bot }, n);
      } });
  }
}
