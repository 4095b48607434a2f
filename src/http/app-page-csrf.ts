import type { Request } from 'express';
import { HttpError } from '../errors.js';

/** The name of the CSRF field in every action form (JSON clients of `/admin` may send the `X-CSRF-Token` header instead). */
export const CSRF_FIELD = 'csrf';

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Why a browser request is cross-site, or null when it is not. A request counts as same-site when the
 * browser says so (`Sec-Fetch-Site: same-origin`, or `none` for one the user typed) or its `Origin`
 * (without one, its `Referer`) is `ownOrigin` (`PUBLIC_URL`'s) or names the host the request was sent to.
 * A request with none of these headers is not from a browser form (browsers send `Origin` on every
 * POST): it passes here, and the CSRF token still applies.
 */
export function crossSiteReason(req: Request, ownOrigin: string): string | null {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  const header = req.get('origin') ?? req.get('referer');
  if (header === undefined) return null;
  const origin = originOf(header);
  if (origin === null) return `origin ${header.slice(0, 100)} is opaque`;
  if (origin === originOf(ownOrigin)) return null;
  const host = req.get('host');
  if (host !== undefined && new URL(origin).host === host.toLowerCase()) return null;
  return `origin ${origin} is not this server`;
}

/** Throws `403 CSRF_ORIGIN_REFUSED` for a cross-site request (see {@link crossSiteReason}). */
export function refuseCrossSite(req: Request, ownOrigin: string): void {
  const reason = crossSiteReason(req, ownOrigin);
  if (reason !== null) throw new HttpError(403, 'CSRF_ORIGIN_REFUSED', `cross-site request refused: ${reason}`);
}

/** The CSRF token a request carries: the form field, or the `X-CSRF-Token` header. */
export function csrfOf(req: Request): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return (body && Object.hasOwn(body, CSRF_FIELD) ? body[CSRF_FIELD] : undefined) ?? req.get('x-csrf-token');
}

/** Throws `403 CSRF_TOKEN_INVALID` unless `valid`. */
export function requireCsrf(valid: boolean): void {
  if (!valid) throw new HttpError(403, 'CSRF_TOKEN_INVALID', 'the CSRF token is missing or does not belong to this session');
}
