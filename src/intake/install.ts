import { HttpError } from '../errors.js';
import { isAllowedPortalUrl, type HostPattern } from '../http/host-allowlist.js';
import type { Logger } from '../log.js';
import type { AppUpdateEvent, InstallEvent } from '../protocol/events.js';
import type { OAuthGrant } from '../rest/auth.js';
import type { PortalRecord, PortalStore } from '../store/types.js';

/** What the installer needs of the REST client. */
export interface TokenCaller {
  callWithToken<T = unknown>(clientEndpoint: string, accessToken: string, method: string, params?: Record<string, unknown>): Promise<T>;
  exchangeRefreshToken(refreshToken: string): Promise<OAuthGrant>;
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
  /** Install verifications (each calls a portal and the OAuth server) allowed at once. Default 4. */
  maxConcurrent?: number;
}

/** The host (with port, if any) of a URL, lower-case. */
function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}

/**
 * Trust-on-first-use with checks, before anything is stored: the `client_endpoint` must be an allowed
 * portal host matching the event's `domain` (refused before any request leaves); that portal must accept
 * the access token (`app.info`); and the OAuth server, authenticated by our client secret, must confirm
 * that the refresh token belongs to this `member_id` and endpoint (so a portal cannot claim another
 * portal's `member_id`). The rotated pair from that check is what gets stored.
 */
export function createInstaller(opts: InstallerOptions): (event: InstallEvent | AppUpdateEvent) => Promise<Record<string, unknown>> {
  const clock = opts.clock ?? Date.now;
  const refuse = (status: number, code: 'INSTALL_HOST_REFUSED' | 'INSTALL_VERIFY_FAILED' | 'INSTALL_MEMBER_MISMATCH', message: string, meta: Record<string, unknown>, cause?: unknown): never => {
    opts.log.warn(`install refused: ${message}`, { ...meta, code, ...(cause === undefined ? {} : { err: cause }) });
    throw new HttpError(status, code, message, { cause });
  };

  async function verify(event: InstallEvent | AppUpdateEvent): Promise<OAuthGrant> {
    const { clientEndpoint, domain, accessToken, refreshToken, memberId } = event.auth;
    const meta = { memberId, domain, endpointHost: hostOf(clientEndpoint) };
    if (!isAllowedPortalUrl(clientEndpoint, opts.portalHosts) || hostOf(clientEndpoint) !== domain.toLowerCase()) {
      refuse(403, 'INSTALL_HOST_REFUSED', 'client_endpoint is not an allowed portal host or does not match domain', meta);
    }
    try {
      await opts.client.callWithToken(clientEndpoint, accessToken, 'app.info');
    } catch (e) {
      refuse(401, 'INSTALL_VERIFY_FAILED', 'the portal did not accept the access token', meta, e);
    }
    let grant: OAuthGrant;
    try {
      grant = await opts.client.exchangeRefreshToken(refreshToken);
    } catch (e) {
      return refuse(401, 'INSTALL_VERIFY_FAILED', 'the OAuth server did not accept the refresh token', meta, e);
    }
    if ((grant.memberId !== null && grant.memberId !== memberId) || (grant.clientEndpoint !== null && hostOf(grant.clientEndpoint) !== hostOf(clientEndpoint))) {
      refuse(403, 'INSTALL_MEMBER_MISMATCH', 'the tokens belong to another portal', meta);
    }
    return grant;
  }

  // Installs are rare and each one makes us call out; a flood of forged ones must not queue unbounded.
  let running = 0;
  const limit = opts.maxConcurrent ?? 4;

  return async (event) => {
    if (running >= limit) {
      opts.log.warn('install refused: too many verifications running', { memberId: event.auth.memberId });
      throw new HttpError(503, 'INSTALL_BUSY', 'too many installs are being verified; try again');
    }
    running++;
    let grant: OAuthGrant;
    try {
      grant = await verify(event);
    } finally {
      running--;
    }
    const a = event.auth;
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
