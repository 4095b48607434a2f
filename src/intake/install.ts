import { HttpError } from '../errors.js';
import { isAllowedPortalUrl, type HostPattern } from '../http/host-allowlist.js';
import type { Logger } from '../log.js';
import type { AppUpdateEvent, InstallEvent } from '../protocol/events.js';
import type { PortalRecord, PortalStore } from '../store/types.js';

/** Calls a portal with an explicit token (the REST client's `callWithToken`). */
export interface TokenCaller {
  callWithToken<T = unknown>(clientEndpoint: string, accessToken: string, method: string, params?: Record<string, unknown>): Promise<T>;
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
 * Trust-on-first-use with a check: the `client_endpoint` must be an allowed portal host and match the
 * event's `domain` (refused before any request leaves), and the access token must be accepted by that
 * portal (`app.info`) before anything is stored. A reinstall for a known `member_id` replaces the stored
 * tokens only after the same verification.
 */
export function createInstaller(opts: InstallerOptions): (event: InstallEvent | AppUpdateEvent) => Promise<Record<string, unknown>> {
  const clock = opts.clock ?? Date.now;

  async function verify(event: InstallEvent | AppUpdateEvent): Promise<void> {
    const { clientEndpoint, domain, accessToken, memberId } = event.auth;
    if (!isAllowedPortalUrl(clientEndpoint, opts.portalHosts) || hostOf(clientEndpoint) !== domain.toLowerCase()) {
      opts.log.warn('install refused: client_endpoint not allowed', { memberId, domain, endpointHost: hostOf(clientEndpoint) });
      throw new HttpError(403, 'INSTALL_HOST_REFUSED', 'client_endpoint is not an allowed portal host or does not match domain');
    }
    try {
      await opts.client.callWithToken(clientEndpoint, accessToken, 'app.info');
    } catch (e) {
      opts.log.warn('install refused: portal did not accept the access token', { memberId, domain, err: e });
      throw new HttpError(401, 'INSTALL_VERIFY_FAILED', 'the portal did not accept the access token', { cause: e });
    }
  }

  return async (event) => {
    await verify(event);
    const a = event.auth;
    const existing = await opts.store.getPortal(a.memberId);
    const now = clock();
    const portal: PortalRecord = {
      memberId: a.memberId,
      domain: a.domain,
      clientEndpoint: a.clientEndpoint,
      authMode: 'oauth',
      applicationToken: a.applicationToken,
      accessToken: a.accessToken,
      refreshToken: a.refreshToken,
      expiresAt: a.expiresAt,
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
