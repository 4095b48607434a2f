/**
 * The catalogue of stable error codes. Callers branch on `code`, never on `message`.
 * Every code listed here is documented in the README (a test checks it).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'One or more environment variables are missing or invalid.',
  BODY_TOO_LARGE: 'The request body exceeds the size limit (413).',
  BODY_UNSUPPORTED_TYPE: 'The request is not application/x-www-form-urlencoded or JSON (415).',
  BODY_MALFORMED: 'The request body cannot be parsed (400).',
  BODY_ENCODED: 'The body has a Content-Encoding other than identity (gzip, deflate, ...); the platform sends plain bodies (415).',
  REQUEST_HEADERS_TOO_LARGE: 'The request headers exceed the server limit (431).',
  REQUEST_BAD: 'The request could not be parsed as HTTP (400).',
  REQUEST_TIMEOUT: 'The request (headers and body) did not arrive within the server\'s request timeout, 30 s (408).',
  BODY_INCOMPLETE: 'The connection closed or broke before the whole request body arrived (400; usually nobody is left to read it).',
  EXPECTATION_FAILED: 'The request carries an Expect header other than 100-continue (417).',
  PATH_MALFORMED: 'The URL path has invalid percent-encoding (400).',
  LISTEN_FAILED: 'The server could not listen on its host and port (e.g. the port is already in use: EADDRINUSE); the process exits with code 1.',
  BODY_TOO_MANY_PARAMS: 'The body has more than 1000 parameters: form keys, or JSON values (object members and array items alike) (413).',
  BODY_TOO_DEEP: 'The body nests deeper than 12 levels (form brackets or JSON arrays/objects) (400).',
  EVENT_INVALID: 'The event does not have the shape its type requires (400).',
  EVENT_FORGED: 'The application_token does not match the stored one for this portal (401).',
  EVENT_UNKNOWN_PORTAL: 'The event comes from a portal that never installed the app (401).',
  EVENT_TOKEN_MISSING: 'The event carries no auth[application_token], so it cannot be authenticated (401).',
  EVENT_STALE: 'With EVENT_MAX_AGE_S set: the event timestamp ts is missing, in the future (beyond 60 s of clock skew) or older than the window (401).',
  INSTALL_HOST_REFUSED: 'The install names a client_endpoint outside B24_PORTAL_HOSTS (403).',
  INSTALL_VERIFY_FAILED: 'The access token of the install event or install page was not accepted by the portal, or the refresh token by the OAuth server (401).',
  INSTALL_NOT_ADMIN: 'The install page was opened, or a second install or update over an installed portal was made, with a token of a user who is not a portal administrator (user.admin is false); nothing was changed (403).',
  INSTALL_PAGE_INVALID: 'The install page request lacks AUTH_ID, REFRESH_ID, member_id, APPLICATION_TOKEN or DOMAIN, or PROTOCOL is not 0 or 1 (400).',
  INSTALL_MEMBER_MISMATCH: 'The OAuth server says the install\'s tokens belong to another portal than its member_id / client_endpoint (403).',
  NOT_FOUND: 'No such route (404).',
  ADMIN_AUTH_REQUIRED: 'The admin page needs the ADMIN_TOKEN password (401).',
  APP_AUTH_REQUIRED: 'The app page was requested without the AUTH_ID and member_id the portal posts when it opens the app (401).',
  APP_PORTAL_UNKNOWN: 'The app page was opened for a portal the app is not installed on (by OAuth), or with a DOMAIN that is not the installed portal\'s (401).',
  APP_AUTH_FAILED: 'The portal did not accept the posted AUTH_ID, named no user for it, or APPLICATION_TOKEN is not the one stored at install (401).',
  APP_NOT_ADMIN: 'The app page was opened by a user who is not a portal administrator (user.admin is false) (403).',
  APP_VERIFY_UNAVAILABLE: 'The portal could not be reached (or was rate-limited) to verify the AUTH_ID of an app page launch (502).',
  APP_SESSION_INVALID: 'An app page request carries no session, a forged or expired one, or one of a portal no longer installed (401).',
  APP_NOT_FOUND: 'An app page or admin action names a bot or dead letter that does not exist on that portal (404).',
  CSRF_ORIGIN_REFUSED: 'An app page or admin action came from another site (Origin, Referer or Sec-Fetch-Site) (403).',
  CSRF_TOKEN_INVALID: 'An app page or admin action carries no CSRF token, or one that does not belong to its session (403).',
  METHOD_NOT_ALLOWED: 'App page and admin actions are POST-only (405).',
  METRICS_AUTH_REQUIRED: 'METRICS_TOKEN is set and the request to /metrics does not carry it as `Authorization: Bearer <token>` (401).',
  CLI_USAGE: 'The command line was called with an unknown command or missing arguments (exit code 2).',
  INTERNAL: 'An unexpected server error (500).',
  B24_API_ERROR: 'The portal answered with an error object (see `apiCode`).',
  B24_QUERY_LIMIT: 'The portal rate limit refused the call after all retries: QUERY_LIMIT_EXCEEDED (503, or 429), or a 429 with any other code.',
  B24_OPERATION_TIME_LIMIT: 'The portal refused the call with OPERATION_TIME_LIMIT (the method time budget, 429) after all retries.',
  B24_AUTH_FAILED: 'The portal refused the credentials (NO_AUTH_FOUND, invalid token after refresh).',
  B24_REINSTALL_REQUIRED: 'The refresh token was refused (invalid_grant); the app must be reinstalled on this portal.',
  B24_PORTAL_UNKNOWN: 'No credentials are stored for this portal.',
  B24_TRANSPORT: 'The request did not complete: connection refused or reset, DNS, TLS.',
  B24_TIMEOUT: 'The portal did not answer within the timeout.',
  B24_BAD_RESPONSE: 'The portal answered with something that is not the expected JSON.',
  MESSAGE_TOO_LONG: 'A message text exceeds the platform limit (20,000 characters).',
  KEYBOARD_OVERSIZE: 'A keyboard exceeds the platform limit (30 KB).',
  ATTACH_OVERSIZE: 'An attachment exceeds the platform limit (30 KB or 60,000 characters serialized).',
  MENU_OVERSIZE: 'A context menu exceeds the platform limit (30 KB).',
  FILE_TOO_LARGE: 'A file to upload or download is larger than the cap (upload: 100 MB by the platform; download: the maxBytes given); nothing was queued.',
  FILE_INVALID: 'A file to upload has no name or no content.',
  FILE_DOWNLOAD_FAILED: 'The portal did not serve the file (bad status, or a download URL outside the portal).',
  CONTEXT_UNSUPPORTED: 'A context helper was called for an event it cannot serve (e.g. answer() outside a command).',
  NEXT_CALLED_TWICE: 'A middleware called next() more than once.',
  BOT_DEFINITION_INVALID: 'A module in bots/ does not export a valid bot definition.',
  DIALOGUE_STEP_UNKNOWN: 'A dialogue names a step it does not have (a stored state from an older deploy, or an untyped step name); a stored one is ended.',
  STATE_CONFLICT: 'The dialogue state was changed concurrently (optimistic version check failed).',
  STORE_CLOSED: 'A store method was called after the store was closed.',
  STORE_VALUE_INVALID: 'A state value cannot be stored because it is not JSON-serialisable.',
  STORE_SCHEMA_TOO_NEW: 'The database was written by a newer version of b24-botkit (unknown schema version).',
  STORE_UNAVAILABLE: 'The database (PostgreSQL) cannot be reached; events are refused with 503 until it is back.',
  STORE_MIGRATION_FAILED: 'A database schema migration failed; the database was left at the previous version.',
  MESSAGE_INVALID: 'An outgoing message is malformed (empty text without an attachment, a field of the wrong type, a BB-code attribute that cannot be encoded).',
  KEYBOARD_INVALID: 'A keyboard button is malformed (no text, not exactly one action, bad command, colour or link).',
  ATTACH_INVALID: 'An attachment block is malformed (missing required field, bad colour, link or display).',
  MENU_INVALID: 'A context menu item is malformed (no text, not exactly one action, bad command or link).',
  B24_HOST_REFUSED: 'The portal URL is not https to a host in B24_PORTAL_HOSTS; nothing was sent.',
  B24_METHOD_INVALID: 'A REST method name is not of the form `scope.method` (letters, digits, dots, underscores); nothing was sent.',
  OUTBOX_STOPPED: 'The outbox is draining: the reply was persisted and will be sent after the next start().',
} as const;

/** A stable error code from {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Base class of every error this framework throws: a stable `code`, a human message and the
 * original `cause`.
 *
 * @example
 * try { await client.call('imbot.v2.Chat.Message.send', params); }
 * catch (e) { if (e instanceof BotkitError && e.code === 'B24_REINSTALL_REQUIRED') notifyAdmin(); }
 */
export class BotkitError extends Error {
  override readonly name: string = 'BotkitError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** An error answered to an HTTP caller: a status and a stable code, rendered as `{error, message}`. */
export class HttpError extends BotkitError {
  override readonly name = 'HttpError';
  readonly status: number;
  /** The thrower already wrote this refusal's log line (with its own context): the HTTP layer adds none. */
  readonly logged: boolean;

  constructor(status: number, code: ErrorCode, message: string, options?: { cause?: unknown; logged?: boolean }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.logged = options?.logged ?? false;
  }
}

/** The error a failed `listen` rejects with: `LISTEN_FAILED`, naming the host, port and system code. */
export function listenError(e: unknown, host: string, port: number): BotkitError {
  const sys = (e as NodeJS.ErrnoException | null)?.code;
  const why = sys === 'EADDRINUSE' ? 'address already in use (EADDRINUSE); stop the other process or choose another port'
    : sys === 'EACCES' ? 'permission denied (EACCES)' : (e as Error | null)?.message ?? String(e);
  return new BotkitError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, { cause: e });
}

/**
 * True when `e`, or an error in its `cause` chain, is `STORE_UNAVAILABLE`: the database could not be reached,
 * so the operation may succeed when retried once it is back.
 */
export function isStoreUnavailable(e: unknown): boolean {
  let cur: unknown = e;
  for (let depth = 0; depth < 8 && cur instanceof Error; depth++) {
    if (cur instanceof BotkitError && cur.code === 'STORE_UNAVAILABLE') return true;
    cur = cur.cause;
  }
  return false;
}
