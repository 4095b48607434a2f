import { HttpError } from '../errors.js';
import { isAllowedPortalUrl, type HostPattern } from '../http/host-allowlist.js';
import type { Logger } from '../log.js';
import type { AppUpdateEvent, InstallEvent } from '../protocol/events.js';
import type { OAuthGrant } from '../rest/auth.js';
import type { PortalRecord, PortalStore } from '../store/types.js';
import { FairQueue } from './fair-queue.js';

/** What the installer needs of the REST client: single-attempt calls bounded by a signal. */
export interface TokenCaller {
  callWithToken<T = unknown>(clientEndpoint: string, accessToken: string, method: string, params?: Record<string, unknown>, opts?: { signal?: AbortSignal }): Promise<T>;
  exchangeRefreshToken(refreshToken: string, opts?: { signal?: AbortSignal }): Promise<OAuthGrant>;
}

/** What the installer needs. */
export interface InstallerOptions {
  store: PortalStore;
  client: TokenCaller;
  portalHosts: readonly HostPattern[];
  /** Registers the bots and commands on a freshly stored portal. */
  syncPortal(memberId: string): Promise<unknown>;
  log: Logger;
  clock?: () => number;
  /** Verifications of one portal host running at once; more wait their turn (never refused). Default 2. */
  perHost?: number;
  /** Timeout of each verification call (portal, OAuth server), in ms. Default {@link VERIFY_CALL_TIMEOUT_MS}. */
  callTimeoutMs?: number;
}

/** Each verification call gets this long (ms): a genuine portal answers in well under a second. */
export const VERIFY_CALL_TIMEOUT_MS = 10_000;

type RefusalCode = 'INSTALL_HOST_REFUSED' | 'INSTALL_VERIFY_FAILED' | 'INSTALL_MEMBER_MISMATCH' | 'INSTALL_NOT_ADMIN';

/** The host (with port, if any) of a URL, lower-case. */
function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}

/**
 * Trust-on-first-use with checks, before anything is stored. Cheap checks first: the `client_endpoint`
 * must be an allowed portal host matching the event's `domain` (refused before any request leaves).
 * Then, in turn per portal host (a host that floods or hangs delays only its own installs; nothing is
 * refused for load, because the platform never re-sends ONAPPINSTALL), single-attempt calls with short
 * timeouts: the portal must accept the access token (`app.info`); over an installed portal the token must
 * be an administrator's (`user.admin`), so a user's token pair cannot replace the `application_token`;
 * and the OAuth server, authenticated by our client secret, must confirm that the refresh token belongs
 * to this `member_id` and endpoint. The rotated pair from that check is what gets stored.
 */
export function createInstaller(opts: InstallerOptions): (event: InstallEvent | AppUpdateEvent) => Promise<Record<string, unknown>> {
  const clock = opts.clock ?? Date.now;
  const queue = new FairQueue(opts.perHost ?? 2);
  const timeoutMs = opts.callTimeoutMs ?? VERIFY_CALL_TIMEOUT_MS;
  const refuse = (status: number, code: RefusalCode, message: string, meta: Record<string, unknown>, cause?: unknown): never => {
    opts.log.warn(`install refused: ${message}`, { ...meta, code, ...(cause === undefined ? {} : { err: cause }) });
    throw new HttpError(status, code, message, { cause });
  };

  async function verify(event: InstallEvent | AppUpdateEvent, reinstall: boolean, meta: Record<string, unknown>): Promise<OAuthGrant> {
    const { clientEndpoint, accessToken, refreshToken, memberId } = event.auth;
    const bounded = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(timeoutMs) });
    try {
      await opts.client.callWithToken(clientEndpoint, accessToken, 'app.info', {}, bounded());
    } catch (e) {
      refuse(401, 'INSTALL_VERIFY_FAILED', 'the portal did not accept the access token', meta, e);
    }
    if (reinstall) await proveAdmin(clientEndpoint, accessToken, bounded(), meta);
    let grant: OAuthGrant;
    try {
      grant = await opts.client.exchangeRefreshToken(refreshToken, bounded());
    } catch (e) {
      return refuse(401, 'INSTALL_VERIFY_FAILED', 'the OAuth server did not accept the refresh token', meta, e);
    }
    if ((grant.memberId !== null && grant.memberId !== memberId) || (grant.clientEndpoint !== null && hostOf(grant.clientEndpoint) !== hostOf(clientEndpoint))) {
      refuse(403, 'INSTALL_MEMBER_MISMATCH', 'the tokens belong to another portal', meta);
    }
    return grant;
  }

  // DOC api-reference/common/users/user-admin.md: `true` when the token's user may manage app settings.
  async function proveAdmin(clientEndpoint: string, accessToken: string, o: { signal: AbortSignal }, meta: Record<string, unknown>): Promise<void> {
    let admin: unknown;
    try {
      admin = await opts.client.callWithToken(clientEndpoint, accessToken, 'user.admin', {}, o);
    } catch (e) {
      refuse(401, 'INSTALL_VERIFY_FAILED', 'the portal did not answer user.admin for the access token', meta, e);
    }
    if (admin !== true) refuse(403, 'INSTALL_NOT_ADMIN', 'a reinstall over an installed portal must be made by a portal administrator', meta);
  }

  return async (event) => {
    const a = event.auth;
    const host = hostOf(a.clientEndpoint);
    const meta = { memberId: a.memberId, domain: a.domain, endpointHost: host, event: event.type };
    if (!isAllowedPortalUrl(a.clientEndpoint, opts.portalHosts) || host !== a.domain.toLowerCase()) {
      refuse(403, 'INSTALL_HOST_REFUSED', 'client_endpoint is not an allowed portal host or does not match domain', meta);
    }
    const known = await opts.store.getPortal(a.memberId);
    const grant = await queue.run(host, () => verify(event, known !== null && known.applicationToken !== null, meta));
    const existing = await opts.store.getPortal(a.memberId);
    const now = clock();
    const portal: PortalRecord = {
      memberId: a.memberId,
      domain: a.domain,
      clientEndpoint: a.clientEndpoint,
      authMode: 'oauth',
      applicationToken: a.applicationToken,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
      status: 'active',
      rateLimit: existing?.rateLimit ?? null,
      installedAt: existing?.installedAt ?? now,
      updatedAt: now,
    };
    await opts.store.savePortal(portal);
    opts.log.info(existing ? 'portal reinstalled' : 'portal installed', { memberId: a.memberId, domain: a.domain, event: event.type });
    const report = await opts.syncPortal(a.memberId);
    return { ok: true, report };
  };
}
