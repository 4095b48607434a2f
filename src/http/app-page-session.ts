import { createHmac } from 'node:crypto';
import { secretsEqual } from '../intake/verify.js';

/** Who opened the app page: a portal administrator, verified with the portal when the page was launched. */
export interface AppSession {
  memberId: string;
  userId: number;
  /** Unix ms after which the session is refused. */
  expiresAt: number;
}

/** How long an app page session lives; every page rendered with it carries a fresh one, so an admin at work keeps it. */
export const APP_SESSION_TTL_MS = 15 * 60_000;
/** How long a CSRF token of the operators' `/admin` page stays valid. */
export const ADMIN_CSRF_TTL_MS = 12 * 3_600_000;

const MAX_TOKEN_LENGTH = 1024;

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** Options of {@link PageTokens}. */
export interface PageTokensOptions {
  /** The server secret (`APP_SESSION_SECRET`, or random per process). */
  secret: string | Buffer;
  clock?: () => number;
  sessionTtlMs?: number;
  adminCsrfTtlMs?: number;
}

/**
 * Signed tokens of the app page and the admin page, all HMAC-SHA256 with keys derived from one server
 * secret (one key per purpose, so a token of one kind is never accepted as another):
 * - the session, `<payload>.<mac>` with the portal, the user and the expiry, carried in the page's own
 *   forms (never a cookie: the page runs in a third-party iframe, where cookies are blocked);
 * - the CSRF token of a session, a MAC of the session token, so it is bound to that session;
 * - the CSRF token of `/admin`, `<expiry>.<mac>`.
 */
export class PageTokens {
  readonly #session: Buffer;
  readonly #csrf: Buffer;
  readonly #admin: Buffer;
  readonly #clock: () => number;
  readonly #ttl: number;
  readonly #adminTtl: number;

  constructor(o: PageTokensOptions) {
    const derive = (purpose: string): Buffer => createHmac('sha256', o.secret).update(`b24-botkit ${purpose}`).digest();
    this.#session = derive('app session');
    this.#csrf = derive('app csrf');
    this.#admin = derive('admin csrf');
    this.#clock = o.clock ?? Date.now;
    this.#ttl = o.sessionTtlMs ?? APP_SESSION_TTL_MS;
    this.#adminTtl = o.adminCsrfTtlMs ?? ADMIN_CSRF_TTL_MS;
  }

  #mac(key: Buffer, text: string): string {
    return createHmac('sha256', key).update(text).digest('base64url');
  }

  /** A new session token for `userId` on portal `memberId`, valid for the session TTL from now. */
  issue(memberId: string, userId: number): { token: string; expiresAt: number } {
    const expiresAt = this.#clock() + this.#ttl;
    const payload = b64(JSON.stringify({ m: memberId, u: userId, e: expiresAt }));
    return { token: `${payload}.${this.#mac(this.#session, payload)}`, expiresAt };
  }

  /** The session a token carries; null when it is malformed, not signed with this secret, or expired. */
  verify(token: unknown): AppSession | null {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
    const [payload, mac, extra] = token.split('.');
    if (payload === undefined || mac === undefined || extra !== undefined) return null;
    if (!secretsEqual(mac, this.#mac(this.#session, payload))) return null;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const { m, u, e } = (data ?? {}) as { m?: unknown; u?: unknown; e?: unknown };
    if (typeof m !== 'string' || typeof u !== 'number' || !Number.isSafeInteger(u) || u < 1 || typeof e !== 'number') return null;
    if (e <= this.#clock()) return null;
    return { memberId: m, userId: u, expiresAt: e };
  }

  /** The CSRF token of a session token. */
  csrf(sessionToken: string): string {
    return this.#mac(this.#csrf, sessionToken);
  }

  /** True when `csrf` is the CSRF token of `sessionToken`. */
  csrfValid(sessionToken: string, csrf: unknown): boolean {
    return typeof csrf === 'string' && csrf.length <= MAX_TOKEN_LENGTH && secretsEqual(csrf, this.csrf(sessionToken));
  }

  /** A fresh CSRF token for the forms of `/admin`. */
  adminCsrf(): string {
    const expiry = String(this.#clock() + this.#adminTtl);
    return `${expiry}.${this.#mac(this.#admin, expiry)}`;
  }

  /** True when `value` is an unexpired `/admin` CSRF token of this secret. */
  adminCsrfValid(value: unknown): boolean {
    if (typeof value !== 'string' || value.length > MAX_TOKEN_LENGTH) return false;
    const [expiry, mac, extra] = value.split('.');
    if (expiry === undefined || mac === undefined || extra !== undefined || !/^\d{1,16}$/.test(expiry)) return false;
    return secretsEqual(mac, this.#mac(this.#admin, expiry)) && Number(expiry) > this.#clock();
  }
}
