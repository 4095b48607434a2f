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
  /** Refuse events whose `ts` is older than this many seconds; 0 disables the check. */
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
  if (opts.maxAgeS > 0 && env.ts > 0 && opts.now / 1000 - env.ts > opts.maxAgeS) {
    throw new HttpError(401, 'EVENT_STALE', `event is older than ${opts.maxAgeS}s`);
  }
  return portal;
}
