import { backoffDelay } from '../backoff.js';
import {
  B24ApiError, B24OperationTimeLimitError, B24QueryLimitError, B24TransportError, isExpiredToken, isUuidInFlight,
} from './errors.js';

/** How often and how patiently a call is retried. */
export interface RetryOptions {
  /** Attempts per call, the first included (default 6). */
  attempts?: number;
  /** First backoff step for network errors and 5xx (default 500 ms), doubled per attempt. */
  baseDelayMs?: number;
  /** Longest single backoff (default 20 s). */
  maxDelayMs?: number;
  /** Longest wait for a method blocked by its time budget before failing the call (default 60 s). */
  maxBlockWaitMs?: number;
  /** Retries after `503 QUERY_LIMIT_EXCEEDED` / `429` per call (default 12); the limiter does the waiting. */
  rateLimitRetries?: number;
}

/** What the call loop does after a failed attempt. */
export type RetryDecision = { kind: 'retry'; delayMs: number } | { kind: 'refresh' } | { kind: 'fail' };

/** The defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: Required<RetryOptions> = {
  attempts: 6, baseDelayMs: 500, maxDelayMs: 20_000, maxBlockWaitMs: 60_000, rateLimitRetries: 12,
};

const READ_SUFFIX = /\.(get|list|fields|search|info|current|count|getcontext|revision\.get)$/i;
const READ_EXACT = new Set(['app.info', 'profile', 'user.current', 'methods', 'scope', 'server.time', 'imbot.bot.list', 'imbot.dialog.get']);
// Methods the platform deduplicates itself (register is idempotent by code) or that only show state.
const IDEMPOTENT = new Set([
  'imbot.v2.bot.register', 'imbot.v2.command.register', 'imbot.v2.chat.inputaction.notify',
  'imbot.chat.sendtyping', 'imbot.v2.chat.message.read', 'imbot.v2.chat.textfield.enabled',
]);

/**
 * The `templateId`s the platform deduplicates: lowercase UUIDv4 only (im module `Message\Uuid::validate`);
 * any other value is dropped silently and a repeat posts again.
 */
export const TEMPLATE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The client-side idempotency marker of a call: v2 `fields.templateId` of `Chat.Message.send`, when
 * it is a UUID the platform deduplicates ({@link TEMPLATE_ID_PATTERN}) and the message is not `system`
 * (system messages skip the check).
 */
export function idempotencyMarker(method: string, params: Record<string, unknown>): string | null {
  if (method.toLowerCase() !== 'imbot.v2.chat.message.send') return null;
  const fields = params['fields'];
  if (typeof fields !== 'object' || fields === null) return null;
  const { templateId: id, system } = fields as Record<string, unknown>;
  if (system === true || system === 'Y') return null;
  return typeof id === 'string' && TEMPLATE_ID_PATTERN.test(id) ? id : null;
}

/**
 * True when sending the call twice cannot post twice: reads, methods the platform deduplicates,
 * and v2 sends that carry a `templateId`. Only such calls are retried after an ambiguous failure
 * (a timeout after sending, a reset, a 5xx, an unreadable answer).
 */
export function isRetrySafe(method: string, params: Record<string, unknown>): boolean {
  const m = method.toLowerCase();
  return READ_SUFFIX.test(m) || READ_EXACT.has(m) || IDEMPOTENT.has(m) || idempotencyMarker(method, params) !== null;
}

/** Exponential backoff with jitter (50-100 % of the step). */
export function backoffMs(attempt: number, opts: Required<RetryOptions>, random: () => number = Math.random): number {
  return backoffDelay({ baseMs: opts.baseDelayMs, maxMs: opts.maxDelayMs }, attempt, { random });
}

interface DecideContext {
  method: string;
  params: Record<string, unknown>;
  /** Failed attempts so far other than rate limits (0 after the first failure). */
  attempt: number;
  /** Rate-limit answers (503/429) so far, this one included. */
  limited: number;
  /** Whether this call already refreshed its token once. */
  refreshed: boolean;
  canRefresh: boolean;
  opts: Required<RetryOptions>;
}

/**
 * The retry policy: refresh once on an expired token; retry the rate limit and the time budget
 * (the limiter does the waiting); retry `MESSAGE_DUPLICATED_BY_UUID` with backoff; retry network errors and 5xx with backoff only when the
 * request never left or the call is {@link isRetrySafe}; fail everything else at once.
 */
export function decideRetry(e: unknown, c: DecideContext): RetryDecision {
  if (isExpiredToken(e)) return c.canRefresh && !c.refreshed ? { kind: 'refresh' } : { kind: 'fail' };
  if (e instanceof B24QueryLimitError || e instanceof B24OperationTimeLimitError) {
    return c.limited <= c.opts.rateLimitRetries ? { kind: 'retry', delayMs: 0 } : { kind: 'fail' };
  }
  if (c.attempt + 1 >= c.opts.attempts) return { kind: 'fail' };
  // The first send with this templateId is still running: a later repeat answers its message id.
  if (isUuidInFlight(e)) return { kind: 'retry', delayMs: backoffMs(c.attempt, c.opts) };
  const retryable = e instanceof B24TransportError || (e instanceof B24ApiError && e.status >= 500);
  if (!retryable) return { kind: 'fail' };
  if (e.maybeExecuted && !isRetrySafe(c.method, c.params)) return { kind: 'fail' };
  return { kind: 'retry', delayMs: backoffMs(c.attempt, c.opts) };
}
