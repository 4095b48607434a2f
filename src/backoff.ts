/**
 * The one backoff policy of the framework: exponential steps with jitter and a cap, and the portal's
 * `Retry-After` honoured when it names a wait. Used by the REST retry loop, the limiter lane's 503
 * penalty, the outbox's retries and its completion writes, and the fetch-mode poller.
 */

/** How a retry loop waits. */
export interface BackoffPolicy {
  /** The first step, in ms. */
  baseMs: number;
  /** The longest step, in ms (the exponential growth stops there). */
  maxMs: number;
  /** Each step is multiplied by a random factor in `[min, max]` (default 0.5-1: never longer than the step). */
  jitter?: { min: number; max: number };
  /** The longest `Retry-After` honoured (a longer one is cut to it); default `maxMs`. */
  maxRetryAfterMs?: number;
}

/** What one delay is computed from besides the attempt number. */
export interface BackoffInput {
  /** The wait the portal named (`Retry-After`, a reset time), in ms from now; null or absent = none. */
  retryAfterMs?: number | null;
  /** Source of randomness (tests pin it). */
  random?: () => number;
}

const DEFAULT_JITTER = { min: 0.5, max: 1 };

/**
 * The delay before retry number `attempt + 1` (attempt 0 = after the first failure): `baseMs * 2^attempt`
 * capped at `maxMs`, times the jitter factor. A named `retryAfterMs` wins over the computed step (capped at
 * `maxRetryAfterMs`), because the portal knows when it will accept the call again.
 *
 * @example
 * backoffDelay({ baseMs: 1000, maxMs: 300_000 }, 3); // 4,000-8,000 ms
 * backoffDelay({ baseMs: 1000, maxMs: 300_000 }, 0, { retryAfterMs: 30_000 }); // 30,000 ms
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, input: BackoffInput = {}): number {
  const retryAfter = input.retryAfterMs;
  if (retryAfter !== undefined && retryAfter !== null && Number.isFinite(retryAfter)) {
    return Math.max(0, Math.round(Math.min(retryAfter, policy.maxRetryAfterMs ?? policy.maxMs)));
  }
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  const { min, max } = policy.jitter ?? DEFAULT_JITTER;
  const factor = min + (input.random ?? Math.random)() * (max - min);
  return Math.max(0, Math.round(step * factor));
}
