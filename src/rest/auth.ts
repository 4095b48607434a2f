import type { BackoffPolicy } from '../backoff.js';
import { BotkitError } from '../errors.js';
import { isAllowedPortalUrl, type HostPattern } from '../http/host-allowlist.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PortalRecord, TokenStore } from '../store/types.js';
import {
  B24AuthError, B24HostRefusedError, B24PortalUnknownError, B24ReinstallRequiredError,
} from './errors.js';
import { DEFAULT_PERSIST_BACKOFF, GrantKeeper } from './grant-keeper.js';
import { postForm, type Transport } from './transport.js';

/** The OAuth application whose tokens the client refreshes. */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** The token endpoint (`B24_OAUTH_URL`); the only place `client_secret` is ever sent. */
  oauthUrl: string;
}

/** Where one request goes and what it carries. */
export interface RequestTarget {
  url: string;
  body: Record<string, unknown>;
  /** The access token inside `body.auth` (OAuth), null for webhooks. */
  token: string | null;
}

const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** Throws {@link B24HostRefusedError} unless `url` is https to an allowed host (or loopback http). */
export function assertAllowedUrl(url: string, hosts: readonly HostPattern[]): void {
  if (!isAllowedPortalUrl(url, hosts)) throw new B24HostRefusedError(hostOf(url));
}

/**
 * The allowlist check of portal endpoints, remembering the endpoints it allowed: a request URL is the
 * endpoint plus a method name (checked by {@link assertMethodName}: no `/`, `?` or `..`), so the endpoint
 * alone decides scheme, host and port, and a portal's endpoint rarely changes. Saves parsing a URL twice
 * per call (once when the call is queued, once when it is sent). Refusals are not remembered.
 */
export class AllowedEndpoints {
  static readonly #MAX = 10_000;
  readonly #ok = new Set<string>();
  readonly #hosts: readonly HostPattern[];

  constructor(hosts: readonly HostPattern[]) {
    this.#hosts = hosts;
  }

  /** Throws `B24_HOST_REFUSED` unless `endpoint` is an allowed portal URL. */
  assert(endpoint: string): void {
    if (this.#ok.has(endpoint)) return;
    assertAllowedUrl(endpoint, this.#hosts);
    if (this.#ok.size >= AllowedEndpoints.#MAX) this.#ok.clear();
    this.#ok.add(endpoint);
  }
}

/** Refuses method names that could change the request path (`../`, `?`, `/`). */
export function assertMethodName(method: string): void {
  if (!METHOD_NAME.test(method)) {
    // A local check, not a portal answer: its own code, never B24_API_ERROR.
    throw new BotkitError('B24_METHOD_INVALID', `not a REST method name: ${JSON.stringify(method.slice(0, 80))}`);
  }
}

/**
 * Builds the request for `method` on `portal`: the webhook URL + method (the code is the
 * credential), or the client endpoint + method with `auth` in the JSON body, never in the URL.
 * The caller's params (including a v2 `botToken`) pass through untouched.
 */
export function targetFor(portal: PortalRecord, method: string, params: Record<string, unknown>): RequestTarget {
  const url = `${portal.clientEndpoint.replace(/\/?$/, '/')}${method}`;
  if (portal.authMode === 'webhook') return { url, body: params, token: null };
  const token = portal.accessToken ?? '';
  return { url, body: { ...params, auth: token }, token };
}

/** Reads a portal that may be called: known and not waiting for a reinstall. */
export async function loadPortal(store: Pick<TokenStore, 'getPortal'>, memberId: string): Promise<PortalRecord> {
  const portal = await store.getPortal(memberId);
  if (!portal) throw new B24PortalUnknownError(memberId);
  if (portal.status === 'reinstall_required') throw new B24ReinstallRequiredError(memberId);
  return portal;
}

/**
 * A lock around one portal's refresh shared by every process (cluster mode: Redis). Inside it the
 * refresher re-reads the stored pair, so a process that waited finds the rotated pair and sends nothing.
 */
export interface RefreshLock {
  /** Runs `fn` while holding the portal's lock (waiting for another holder first). */
  run<T>(memberId: string, fn: () => Promise<T>): Promise<T>;
}

interface RefresherDeps {
  store: TokenStore;
  /** Cross-process lock; without it the refresh is single-flight within this process only. */
  lock?: RefreshLock;
  oauth: OAuthApp | null;
  transport: Transport;
  log: Logger;
  clock: () => number;
  /** Counts refreshes by outcome (default: nothing). */
  metrics?: Pick<Metrics, 'tokenRefresh'>;
  /** How a refreshed pair the store refused is written again (default 250 ms doubling to 10 s). */
  persistBackoff?: BackoffPolicy;
}

/** What the OAuth server answered to a refresh grant. */
export interface OAuthGrant {
  accessToken: string;
  refreshToken: string;
  /** Unix ms. */
  expiresAt: number;
  /** The portal the token pair belongs to, as the OAuth server says (may be absent on old servers). */
  memberId: string | null;
  clientEndpoint: string | null;
}

/**
 * Redeems a refresh token at `oauthUrl` (POST form: `client_secret` never in a URL). `invalid_grant` and other
 * refusals throw `B24AuthError` with the OAuth error as `apiCode`. An abort by `signal` rejects with its reason.
 */
export async function exchangeRefreshToken(
  transport: Transport, oauth: OAuthApp, refreshToken: string, now: number, signal?: AbortSignal,
): Promise<OAuthGrant> {
  const { status, json } = await postForm(transport, oauth.oauthUrl, {
    grant_type: 'refresh_token', client_id: oauth.clientId, client_secret: oauth.clientSecret, refresh_token: refreshToken,
  }, 'oauth.token', signal);
  const error = typeof json['error'] === 'string' ? json['error'] : null;
  const access = json['access_token'];
  const refresh = json['refresh_token'];
  if (error !== null || typeof access !== 'string' || typeof refresh !== 'string') {
    const description = typeof json['error_description'] === 'string' ? json['error_description'] : 'no tokens in the answer';
    throw new B24AuthError({ method: 'oauth.token', status, apiCode: error ?? 'BAD_OAUTH_ANSWER', description });
  }
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return {
    accessToken: access, refreshToken: refresh, expiresAt: expiryOf(json, now),
    memberId: str(json['member_id']), clientEndpoint: str(json['client_endpoint']),
  };
}

/**
 * Single-flight OAuth refresh per portal: concurrent callers share one request; the new pair is
 * stored (compare-and-swap on the old refresh token) before anyone uses it; a refresh token is
 * never sent twice; `invalid_grant` marks the portal `reinstall_required`. When the store cannot take
 * the new pair, the pair is not dropped (the OAuth server already retired the old refresh token): it
 * serves calls and the next refresh from memory ({@link current}) and is written again with backoff
 * until stored, the cross-process lock held meanwhile; no portal is marked while such a pair waits.
 */
export class TokenRefresher {
  readonly #deps: RefresherDeps;
  readonly #running = new Map<string, Promise<void>>();
  readonly #grants: GrantKeeper;

  constructor(deps: RefresherDeps) {
    this.#deps = deps;
    this.#grants = new GrantKeeper({ store: deps.store, log: deps.log, backoff: deps.persistBackoff ?? DEFAULT_PERSIST_BACKOFF });
  }

  /** The portal as requests must see it: with a refreshed pair the store has not taken yet. */
  current(portal: PortalRecord): PortalRecord {
    return this.#grants.overlay(portal);
  }

  /** Refreshes the portal's tokens unless its current access token is no longer `staleToken`. */
  refresh(memberId: string, staleToken: string): Promise<void> {
    const running = this.#running.get(memberId);
    if (running) return running;
    const pending = this.#grants.accessToken(memberId);
    // A refreshed pair waits to be stored (the lock is held meanwhile): the caller's token is already replaced.
    if (pending !== null && pending !== staleToken) return Promise.resolve();
    const lock = this.#deps.lock;
    let obtained = (): void => undefined;
    const inMemory = new Promise<void>((resolve) => {
      obtained = resolve;
    });
    const run = (): Promise<void> => this.#refresh(memberId, staleToken, obtained);
    const whole = lock ? lock.run(memberId, run) : run();
    // Callers go on once the pair is in memory; the lock is held until the store has it.
    whole.catch(() => undefined);
    const task = Promise.race([whole, inMemory]).finally(() => this.#running.delete(memberId));
    this.#running.set(memberId, task);
    return task;
  }

  /** Stops the backoff of pending writes: each pending pair gets one last write. */
  close(): void {
    this.#grants.close();
  }

  async #refresh(memberId: string, staleToken: string, obtained: () => void): Promise<void> {
    const { store, oauth, transport, log, clock } = this.#deps;
    const stored = await loadPortal(store, memberId);
    const portal = this.#grants.overlay(stored);
    // Someone (this process or another one) already refreshed since the request was built.
    if ((portal.accessToken ?? '') !== staleToken) return;
    if (!oauth || !portal.refreshToken || portal.authMode !== 'oauth') {
      throw new B24AuthError({ method: 'oauth.token', status: 401, apiCode: 'expired_token', description: 'no refresh token or OAuth app' });
    }
    let grant: OAuthGrant;
    try {
      grant = await exchangeRefreshToken(transport, oauth, portal.refreshToken, clock());
      this.#deps.metrics?.tokenRefresh(true);
    } catch (e) {
      this.#deps.metrics?.tokenRefresh(false);
      if (e instanceof B24AuthError && e.apiCode === 'invalid_grant') return this.#refused(portal);
      throw e;
    }
    const { accessToken, refreshToken, expiresAt } = grant;
    // The compare-and-swap expects what the store holds: the pair replaced, or the one a pending pair replaced.
    const outcome = await this.#grants.write(memberId, { accessToken, refreshToken, expiresAt }, stored.refreshToken ?? portal.refreshToken);
    if (outcome === 'stored') log.info('oauth tokens refreshed', { memberId });
    if (outcome !== 'kept') return;
    obtained();
    await this.#grants.settle(memberId);
  }

  async #refused(portal: PortalRecord): Promise<void> {
    const { store, log } = this.#deps;
    const { memberId } = portal;
    if (this.#grants.has(memberId)) {
      // Not proof of a revoked app: a pair this process holds is not stored yet, and marking would strand it.
      log.warn('refresh token refused (invalid_grant) while a refreshed pair waits to be stored: portal not marked', { memberId });
      throw new B24AuthError({ method: 'oauth.token', status: 400, apiCode: 'invalid_grant', description: 'refused while a refreshed pair waits to be stored' });
    }
    const now = await store.getPortal(memberId);
    // Another process rotated the token meanwhile: its new pair is valid, nothing to mark.
    if (now && now.refreshToken !== portal.refreshToken) return;
    await store.setPortalStatus(memberId, 'reinstall_required');
    log.warn('refresh token refused (invalid_grant): portal marked reinstall_required', { memberId });
    throw new B24ReinstallRequiredError(memberId);
  }
}

function expiryOf(json: Record<string, unknown>, now: number): number {
  const expires = Number(json['expires']);
  if (Number.isFinite(expires) && expires > 0) return expires * 1000;
  const ttl = Number(json['expires_in']);
  return now + (Number.isFinite(ttl) && ttl > 0 ? ttl : 3600) * 1000;
}
