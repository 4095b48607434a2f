import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import { BotkitError, HttpError, type ErrorCode } from '../errors.js';

/** The HTTP status of each refusal the lower layers (protocol, intake) throw as a plain coded error. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  BODY_TOO_LARGE: 413, BODY_UNSUPPORTED_TYPE: 415, BODY_MALFORMED: 400, BODY_TOO_MANY_PARAMS: 413, BODY_TOO_DEEP: 400,
  BODY_INCOMPLETE: 400, EVENT_INVALID: 400, EVENT_TOKEN_MISSING: 401, EVENT_FORGED: 401, EVENT_UNKNOWN_PORTAL: 401, EVENT_STALE: 401,
};

/** express's body parsers (`/admin`, `/app` forms) tag their errors with a `type`: the refusal each one is. */
const BODY_PARSER_TYPES: Readonly<Record<string, readonly [number, ErrorCode]>> = {
  'entity.too.large': [413, 'BODY_TOO_LARGE'],
  'parameters.too.many': [413, 'BODY_TOO_MANY_PARAMS'],
  'charset.unsupported': [415, 'BODY_UNSUPPORTED_TYPE'],
  'encoding.unsupported': [415, 'BODY_ENCODED'],
  'request.aborted': [400, 'BODY_INCOMPLETE'],
  'request.size.invalid': [400, 'BODY_INCOMPLETE'],
  'entity.parse.failed': [400, 'BODY_MALFORMED'],
};

/**
 * Every error a route can end with, as the refusal it is: our coded errors, the body parsers' errors, a
 * path that is not valid percent-encoding (express's `Failed to decode param`); anything else is a 500.
 * A body cut short on a connection the parser-level handler already refused and logged (`socket`) comes back
 * `logged`: that refusal has its one line.
 */
export function toHttpError(err: unknown, socket?: Socket | null): HttpError {
  const e = classify(err);
  if (e.code !== 'BODY_INCOMPLETE' || e.logged || !refusedAtParser(socket)) return e;
  return new HttpError(e.status, e.code, e.message, { cause: e.cause ?? err, logged: true });
}

function classify(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof BotkitError) {
    const status = STATUS_BY_CODE[err.code];
    if (status !== undefined) return new HttpError(status, err.code, err.message, { cause: err });
    // Nothing is acknowledged that is not persisted: the platform retries a 503 later.
    if (err.code === 'STORE_UNAVAILABLE') return new HttpError(503, err.code, err.message, { cause: err });
    return new HttpError(500, err.code, err.message, { cause: err });
  }
  if (err instanceof URIError) return new HttpError(400, 'PATH_MALFORMED', 'the URL path has invalid percent-encoding', { cause: err });
  const type = (err as { type?: unknown } | null)?.type;
  const known = typeof type === 'string' && Object.hasOwn(BODY_PARSER_TYPES, type) ? BODY_PARSER_TYPES[type] : undefined;
  if (known) return new HttpError(known[0], known[1], (err as Error).message, { cause: err });
  return new HttpError(500, 'INTERNAL', 'internal error', { cause: err });
}

/** Sockets whose request Node's parser refused (and that refusal was answered and logged by `listen`). */
const refusedByParser = new WeakSet<Socket>();

/** Marks `socket` as answered and logged at the parser level. */
export function markRefusedByParser(socket: Socket): void {
  refusedByParser.add(socket);
}

/**
 * True when the request's connection was already refused, answered and logged by the parser-level handler
 * (a body that timed out or was cut short): the route's own failure to read that body is the same refusal.
 */
export function refusedAtParser(socket: Socket | null | undefined): boolean {
  return socket !== null && socket !== undefined && refusedByParser.has(socket);
}

/**
 * First middleware of a router with routes of its own (`/admin`, `/app`): an `OPTIONS` request is refused like an
 * unknown route, before express's router answers it with its automatic `Allow` text (no CORS here). Top-level
 * routes need nothing: the app's 404 handler already catches `OPTIONS` there.
 */
export const refuseOptions: RequestHandler = (req, _res, next) => {
  next(req.method === 'OPTIONS' ? new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.baseUrl}${req.path}`) : undefined);
};
