import { randomHex } from './ids.js';

/** An access/refresh pair issued for one user of one portal. Refreshing rotates it in place. */
export interface Grant {
  memberId: string;
  userId: number;
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the current access token expires. */
  expiresAt: number;
}

interface AccessEntry {
  memberId: string;
  userId: number;
  expiresAt: number;
  forcedExpired: boolean;
}

/** What an access token is worth on a portal. */
export type AccessCheck = { ok: true; userId: number } | { ok: false; reason: 'expired' | 'unknown' };

/** The outcome of a refresh: the rotated grant, or the portal a dead token belonged to (if known). */
export type RefreshOutcome = { ok: true; grant: Grant } | { ok: false; memberId: string | null };

const MAX_DEAD = 10_000;

/**
 * The OAuth server's token table for every portal: single-use rotating refresh tokens, access tokens
 * that expire by time or on demand, and one reusable grant per user for the tokens events carry.
 */
export class TokenStore {
  readonly #clock: () => number;
  readonly #ttlMs: number;
  readonly #access = new Map<string, AccessEntry>();
  readonly #refresh = new Map<string, Grant>();
  readonly #dead = new Map<string, string>();
  readonly #eventGrants = new Map<string, Grant>();

  constructor(clock: () => number, ttlS: number) {
    this.#clock = clock;
    this.#ttlMs = ttlS * 1000;
  }

  /** The access-token lifetime in seconds. */
  get ttlS(): number {
    return this.#ttlMs / 1000;
  }

  /** Issues a fresh pair (install, `issueTokens`). */
  issue(memberId: string, userId: number): Grant {
    const grant: Grant = { memberId, userId, accessToken: '', refreshToken: randomHex(20), expiresAt: 0 };
    this.#refresh.set(grant.refreshToken, grant);
    this.#mintAccess(grant);
    return grant;
  }

  /** The pair events carry for a user: reused while alive, a new access token when the old one died. */
  forEvent(memberId: string, userId: number): Grant {
    const key = `${memberId}:${userId}`;
    const grant = this.#eventGrants.get(key);
    if (!grant || !this.#refresh.has(grant.refreshToken)) {
      const fresh = this.issue(memberId, userId);
      this.#eventGrants.set(key, fresh);
      return fresh;
    }
    const entry = this.#access.get(grant.accessToken);
    if (!entry || entry.forcedExpired || entry.expiresAt <= this.#clock()) this.#mintAccess(grant);
    return grant;
  }

  /** Rotates a refresh token: the old one dies at once. */
  refresh(refreshToken: string): RefreshOutcome {
    const grant = this.#refresh.get(refreshToken);
    if (!grant) return { ok: false, memberId: this.#dead.get(refreshToken) ?? null };
    this.#refresh.delete(refreshToken);
    this.#bury(refreshToken, grant.memberId);
    grant.refreshToken = randomHex(20);
    this.#refresh.set(grant.refreshToken, grant);
    this.#mintAccess(grant);
    return { ok: true, grant };
  }

  /** Checks an access token presented to portal `memberId`. */
  check(accessToken: string, memberId: string): AccessCheck {
    const entry = this.#access.get(accessToken);
    if (!entry || entry.memberId !== memberId) return { ok: false, reason: 'unknown' };
    if (entry.forcedExpired || entry.expiresAt <= this.#clock()) return { ok: false, reason: 'expired' };
    return { ok: true, userId: entry.userId };
  }

  /** Every access token issued so far for the portal now answers `expired_token`. */
  expireAccess(memberId: string): void {
    for (const entry of this.#access.values()) if (entry.memberId === memberId) entry.forcedExpired = true;
  }

  /** Every refresh token of the portal now answers `invalid_grant`. */
  revokeRefresh(memberId: string): void {
    for (const [token, grant] of this.#refresh) {
      if (grant.memberId !== memberId) continue;
      this.#refresh.delete(token);
      this.#bury(token, memberId);
    }
  }

  /** The app was removed: access and refresh tokens of the portal stop working. */
  revokeAll(memberId: string): void {
    this.revokeRefresh(memberId);
    for (const [token, entry] of this.#access) if (entry.memberId === memberId) this.#access.delete(token);
  }

  #mintAccess(grant: Grant): void {
    grant.accessToken = randomHex(21);
    grant.expiresAt = this.#clock() + this.#ttlMs;
    this.#access.set(grant.accessToken, { memberId: grant.memberId, userId: grant.userId, expiresAt: grant.expiresAt, forcedExpired: false });
    if (this.#access.size > 50_000) this.#pruneAccess();
  }

  #bury(token: string, memberId: string): void {
    this.#dead.set(token, memberId);
    if (this.#dead.size > MAX_DEAD) {
      const oldest = this.#dead.keys().next();
      if (!oldest.done) this.#dead.delete(oldest.value);
    }
  }

  #pruneAccess(): void {
    const horizon = this.#clock() - 3_600_000;
    for (const [token, entry] of this.#access) if (entry.expiresAt < horizon) this.#access.delete(token);
  }
}
