import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors.js';
import type { PortalRecord } from '../store/types.js';

/** What {@link authenticateEvent} needs from an event's envelope. */
export interface EnvelopeAuth {
  memberId: string;
  applicationToken: string;
  ts: number;
}

/** Options of {@link authenticateEvent}. */
export interface VerifyOptions {
  /**
   * Refuse events whose `ts` is older than this many seconds, missing, or more than
   * {@link MAX_CLOCK_SKEW_S} in the future; 0 disables the check.
   */
  maxAgeS: number;
  /** Current time in ms (injectable clock). */
  now: number;
}

/**
 * Compares two secrets in constant time (hashing first, so that neither the length nor the content
 * leaks through timing).
 */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Authenticates a pushed event against the portal it claims to come from: the portal must be known,
 * its stored `application_token` must equal the event's, and the event must not be stale.
 * Pure: no I/O, injectable clock. Throws a 401 {@link HttpError} otherwise.
 *
 * @example
 * authenticateEvent(envelope, await store.getPortal(envelope.memberId), { maxAgeS: 0, now: Date.now() });
 */
export function authenticateEvent(env: EnvelopeAuth, portal: PortalRecord | null, opts: VerifyOptions): PortalRecord {
  if (!portal || portal.applicationToken === null) {
    throw new HttpError(401, 'EVENT_UNKNOWN_PORTAL', 'no app installation is known for this member_id');
  }
  if (!secretsEqual(env.applicationToken, portal.applicationToken)) {
    throw new HttpError(401, 'EVENT_FORGED', 'application_token does not match');
  }
  if (opts.maxAgeS > 0) checkAge(env.ts, opts);
  return portal;
}

/** How far an event's `ts` may run ahead of our clock (the portal's and our clocks differ a little). */
export const MAX_CLOCK_SKEW_S = 60;

// With a window set, an event must say when it was sent: omitting `ts` must not bypass the window.
function checkAge(ts: number, opts: VerifyOptions): void {
  const nowS = opts.now / 1000;
  if (ts <= 0) throw new HttpError(401, 'EVENT_STALE', 'event has no ts (EVENT_MAX_AGE_S is set)');
  if (ts - nowS > MAX_CLOCK_SKEW_S) throw new HttpError(401, 'EVENT_STALE', `event ts is more than ${MAX_CLOCK_SKEW_S}s in the future`);
  if (nowS - ts > opts.maxAgeS) throw new HttpError(401, 'EVENT_STALE', `event is older than ${opts.maxAgeS}s`);
}
