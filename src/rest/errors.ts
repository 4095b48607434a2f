import { BotkitError, type ErrorCode } from '../errors.js';

/** What every REST failure tells its caller about whether the portal may have run the method. */
export interface RestFailure {
  /** The REST method that was called (`batch` never shows here: batch errors map back per call). */
  readonly method: string;
  /**
   * True when the request may have reached the portal and run (timeouts after sending, resets,
   * 5xx, unreadable answers). A retry of such a call can post twice unless the method is idempotent.
   */
  readonly maybeExecuted: boolean;
}

/** Details of an error object the portal answered with. */
export interface ApiErrorDetails {
  method: string;
  /** HTTP status; 0 for an error inside a `batch` answer (the platform gives none). */
  status: number;
  /** The portal's `error` (e.g. `CANT_EDIT_MESSAGE`). */
  apiCode: string;
  /** The portal's `error_description`; log it, never branch on it. */
  description: string;
  /** From `Retry-After`, in ms; null when absent. */
  retryAfterMs?: number | null;
}

/**
 * The portal answered `{error, error_description}`. Branch on `apiCode`; subclasses carry the
 * codes the client treats specially (rate limit, time budget, auth).
 *
 * @example
 * catch (e) { if (e instanceof B24ApiError && e.apiCode === 'CANT_EDIT_MESSAGE') ... }
 */
export class B24ApiError extends BotkitError implements RestFailure {
  override readonly name: string = 'B24ApiError';
  readonly method: string;
  readonly status: number;
  readonly apiCode: string;
  readonly description: string;
  readonly retryAfterMs: number | null;
  readonly maybeExecuted: boolean;

  constructor(d: ApiErrorDetails, code: ErrorCode = 'B24_API_ERROR') {
    super(code, `${d.method}: ${d.apiCode}${d.description ? ` (${d.description})` : ''}${d.status ? ` [HTTP ${d.status}]` : ''}`);
    this.method = d.method;
    this.status = d.status;
    this.apiCode = d.apiCode;
    this.description = d.description;
    this.retryAfterMs = d.retryAfterMs ?? null;
    // A 5xx other than the rate limit may come after the method ran (a proxy timing out, a fault).
    this.maybeExecuted = d.status >= 500 && d.apiCode !== 'QUERY_LIMIT_EXCEEDED';
  }
}

/** The rate limit: `QUERY_LIMIT_EXCEEDED` (503, or 429 in v2), or a 429 with another code; nothing ran. */
export class B24QueryLimitError extends B24ApiError {
  override readonly name = 'B24QueryLimitError';
  constructor(d: ApiErrorDetails) {
    super(d, 'B24_QUERY_LIMIT');
  }
}

/** `OPERATION_TIME_LIMIT` (by code; 429): the method's time budget is used up until `resetAt`; nothing ran. */
export class B24OperationTimeLimitError extends B24ApiError {
  override readonly name = 'B24OperationTimeLimitError';
  /** Unix ms when the budget frees up again (from `operating_reset_at`), if the portal said. */
  readonly resetAt: number | null;
  constructor(d: ApiErrorDetails & { resetAt?: number | null }) {
    super(d, 'B24_OPERATION_TIME_LIMIT');
    this.resetAt = d.resetAt ?? null;
  }
}

/** The portal refused the credentials (`NO_AUTH_FOUND`, or a token still refused after a refresh). */
export class B24AuthError extends B24ApiError {
  override readonly name = 'B24AuthError';
  constructor(d: ApiErrorDetails) {
    super(d, 'B24_AUTH_FAILED');
  }
}

/** The OAuth server refused the refresh token: the app must be reinstalled on this portal. */
export class B24ReinstallRequiredError extends BotkitError {
  override readonly name = 'B24ReinstallRequiredError';
  readonly memberId: string;
  constructor(memberId: string, options?: { cause?: unknown }) {
    super('B24_REINSTALL_REQUIRED', `Portal ${memberId} needs the app reinstalled (refresh token refused)`, options);
    this.memberId = memberId;
  }
}

/** No portal with this `member_id` is in the store. */
export class B24PortalUnknownError extends BotkitError {
  override readonly name = 'B24PortalUnknownError';
  readonly memberId: string;
  constructor(memberId: string) {
    super('B24_PORTAL_UNKNOWN', `No credentials are stored for portal ${memberId}`);
    this.memberId = memberId;
  }
}

/** The request URL is outside `B24_PORTAL_HOSTS` (or not https): refused before anything was sent. */
export class B24HostRefusedError extends BotkitError {
  override readonly name = 'B24HostRefusedError';
  /** The refused host (never the path: a webhook path holds a secret). */
  readonly host: string;
  constructor(host: string) {
    super('B24_HOST_REFUSED', `Refusing to send a request to ${host || 'an invalid URL'}: not an allowed portal host`);
    this.host = host;
  }
}

/** The request did not complete: connection refused or reset, DNS, TLS. */
export class B24TransportError extends BotkitError implements RestFailure {
  override readonly name: string = 'B24TransportError';
  readonly method: string;
  readonly maybeExecuted: boolean;
  /** The low-level code (`ECONNRESET`, `UND_ERR_SOCKET`, ...), when known. */
  readonly transportCode: string | null;

  constructor(
    d: { method: string; maybeExecuted: boolean; transportCode: string | null; message: string; cause?: unknown },
    code: ErrorCode = 'B24_TRANSPORT',
  ) {
    super(code, `${d.method}: ${d.message}`, { cause: d.cause });
    this.method = d.method;
    this.maybeExecuted = d.maybeExecuted;
    this.transportCode = d.transportCode;
  }
}

/** The portal did not answer in time (connect, headers or body timeout). */
export class B24TimeoutError extends B24TransportError {
  override readonly name = 'B24TimeoutError';
  constructor(d: { method: string; maybeExecuted: boolean; transportCode: string | null; message: string; cause?: unknown }) {
    super(d, 'B24_TIMEOUT');
  }
}

/** The portal answered something that is not the expected JSON (HTML error page, cut-off body). */
export class B24BadResponseError extends B24TransportError {
  override readonly name = 'B24BadResponseError';
  readonly status: number;
  constructor(d: { method: string; status: number; message: string; cause?: unknown }) {
    super({ ...d, maybeExecuted: true, transportCode: null }, 'B24_BAD_RESPONSE');
    this.status = d.status;
  }
}

const OAUTH_EXPIRED = new Set(['expired_token', 'invalid_token']);

/** True for the `401 expired_token` / `invalid_token` answers that call for one token refresh. */
export function isExpiredToken(e: unknown): e is B24AuthError {
  return e instanceof B24AuthError && OAUTH_EXPIRED.has(e.apiCode);
}

/**
 * True for `MESSAGE_DUPLICATED_BY_UUID`: a v2 send with this `templateId` is still running on the
 * portal (im module `SendingService::checkDuplicateByUuid`). Not a failure: the first send is under
 * way, and a repeat after it finished answers the first message's id. Retry later, never give up.
 */
export function isUuidInFlight(e: unknown): e is B24ApiError {
  return e instanceof B24ApiError && e.apiCode === 'MESSAGE_DUPLICATED_BY_UUID';
}

const AUTH_CODES = new Set(['expired_token', 'invalid_token', 'NO_AUTH_FOUND']);
const STATUS_BY_CODE: Record<string, number> = {
  QUERY_LIMIT_EXCEEDED: 503, OPERATION_TIME_LIMIT: 429, expired_token: 401, invalid_token: 401, NO_AUTH_FOUND: 401,
};

/**
 * Builds the error class for an `{error, error_description}` answer. `status` 0 (a batch entry)
 * is inferred from the code where the platform's table fixes it.
 */
export function apiErrorFrom(d: ApiErrorDetails & { resetAt?: number | null }): B24ApiError {
  const status = d.status || STATUS_BY_CODE[d.apiCode] || 0;
  const details = { ...d, status };
  // By code, not status: the v2 docs say the rate limit may answer 429 (`chat-bots-v2/index.md#limits`),
  // `limits.md` gives 503 QUERY_LIMIT_EXCEEDED for it and 429 OPERATION_TIME_LIMIT for the method block.
  // A 429 with any other code is the rate limit ("HTTP 429: use exponential backoff"), never a block.
  if (d.apiCode === 'OPERATION_TIME_LIMIT') return new B24OperationTimeLimitError(details);
  if (d.apiCode === 'QUERY_LIMIT_EXCEEDED' || status === 429) return new B24QueryLimitError(details);
  if (AUTH_CODES.has(d.apiCode) || status === 401) return new B24AuthError(details);
  return new B24ApiError(details);
}
