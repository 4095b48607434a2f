import { BotkitError, isStoreUnavailable } from '../errors.js';
import { redactString } from '../log.js';
import {
  B24ApiError, B24OperationTimeLimitError, B24QueryLimitError, B24TransportError, isUuidInFlight,
} from '../rest/errors.js';
import { isRetrySafe } from '../rest/retry.js';

/** What the outbox does with a reply whose send failed. */
export type FailureAction =
  | {
    kind: 'retry'; reason: string; /** Unix ms the portal named for the retry, if any. */ notBefore: number | null;
    /** Retried past the attempt limit: the portal is still running the first send of this templateId. */
    untilDelivered?: true;
  }
  | { kind: 'dead'; reason: string };

/**
 * True when the portal refused a call only because what it asks for is already so: classic
 * `imbot.message.like` with `ACTION=plus` answers `WITHOUT_CHANGES` when the like is already set
 * (`outdated/messages/imbot-message-like.md`). That is the call's goal reached, not a failure.
 */
export function isAlreadyDone(method: string, e: unknown): boolean {
  return e instanceof B24ApiError && e.apiCode === 'WITHOUT_CHANGES' && method.toLowerCase() === 'imbot.message.like';
}

/** A short, secret-free description of an error for logs and the dead-letter table. */
export function describeFailure(e: unknown): string {
  if (e instanceof B24ApiError) return `${e.code} ${e.apiCode}: ${redactString(e.description || e.message)}`.slice(0, 500);
  if (e instanceof BotkitError) return `${e.code}: ${redactString(e.message)}`.slice(0, 500);
  return redactString(e instanceof Error ? e.message : String(e)).slice(0, 500);
}

/**
 * Decides between retrying later and dead-lettering. Rate and time limits, network errors before
 * sending and unknown (non-coded) errors are retried. An answer that may have come after the
 * method ran (timeout, reset, 5xx, unreadable) is retried only when a second send cannot post
 * twice (a v2 send with `templateId`); otherwise it is dead-lettered, never blindly re-sent.
 * `MESSAGE_DUPLICATED_BY_UUID` (the first send of this templateId still runs) is retried without limit.
 * `STORE_UNAVAILABLE` (our database was down before the call was sent) is retried without limit too.
 * Portal refusals (4xx, auth, reinstall, unknown portal, refused host) are permanent.
 */
export function classifyFailure(e: unknown, method: string, params: Record<string, unknown>): FailureAction {
  const reason = describeFailure(e);
  if (e instanceof B24OperationTimeLimitError) return { kind: 'retry', reason, notBefore: e.resetAt };
  if (e instanceof B24QueryLimitError) return { kind: 'retry', reason, notBefore: null };
  // "Already being sent" (v2 templateId): a later repeat resolves with the first message's id; the
  // platform re-sends itself after an hour if the first send never finished. Never dead-lettered.
  if (isUuidInFlight(e)) return { kind: 'retry', reason, notBefore: null, untilDelivered: true };
  const ambiguous = (e instanceof B24TransportError && e.maybeExecuted) || (e instanceof B24ApiError && e.status >= 500);
  if (ambiguous) {
    return isRetrySafe(method, params)
      ? { kind: 'retry', reason, notBefore: null }
      : { kind: 'dead', reason: `delivery unknown, not re-sent without an idempotency marker: ${reason}` };
  }
  if (e instanceof B24TransportError) return { kind: 'retry', reason, notBefore: null };
  // Our own database was down when the client read the portal's tokens: nothing was sent, and the reply
  // must outlive the outage however long it lasts (a fault review saw such replies dead-lettered).
  if (isStoreUnavailable(e)) return { kind: 'retry', reason, notBefore: null, untilDelivered: true };
  if (e instanceof BotkitError) return { kind: 'dead', reason };
  return { kind: 'retry', reason, notBefore: null };
}
