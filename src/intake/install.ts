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

/** What an install claims: from ONAPPINSTALL/ONAPPUPDATE, or from the install page the portal opens. */
export interface InstallClaim {
  memberId: string;
  domain: string;
  clientEndpoint: string;
  accessToken: string;
  refreshToken: string;
  applicationToken: string;
}

/** A verified, stored install. */
export interface InstallOutcome {
  portal: PortalRecord;
  /** The portal was installed before (its record was replaced). */
  reinstall: boolean;
  /** What `syncPortal` answered. */
  report: unknown;
}

/** Both ways an app gets installed, verified alike. */
export interface InstallService {
  /** ONAPPINSTALL / ONAPPUPDATE: the intake's `install`. */
  fromEvent(event: InstallEvent | AppUpdateEvent): Promise<Record<string, unknown>>;
  /** The install page (a UI app): the same checks, and the token must always be an administrator's. */
  fromPage(claim: InstallClaim): Promise<InstallOutcome>;
}

/**
 * Trust-on-first-use with checks, before anything is stored. Cheap checks first: the `client_endpoint`
 * must be an allowed portal host matching the event's `domain` (refused before any request leaves).
 * Then, in turn per portal host (a host that floods or hangs delays only its own installs; nothing is
 * refused for load, because the platform never re-sends ONAPPINSTALL), single-attempt calls with short
 * timeouts: the portal must accept the access token (`app.info`); over an installed portal, and always on
 * the install page (only administrators install UI apps), the token must be an administrator's
 * (`user.admin`), so a user's token pair cannot replace the `application_token`; and the OAuth server,
 * authenticated by our client secret, must confirm that the refresh token belongs to this `member_id` and
 * endpoint. The rotated pair from that check is what gets stored.
 */
export function createInstallService(opts: InstallerOptions): InstallService {
  const clock = opts.clock ?? Date.now;
  const queue = new FairQueue(opts.perHost ?? 2);
  const timeoutMs = opts.callTimeoutMs ?? VERIFY_CALL_TIMEOUT_MS;
  const refuse = (status: number, code: RefusalCode, message: string, meta: Record<string, unknown>, cause?: unknown): never => {
    opts.log.warn(`install refused: ${message}`, { ...meta, code, ...(cause === undefined ? {} : { err: cause }) });
    throw new HttpError(status, code, message, { cause, logged: true });
  };

  async function verify(claim: InstallClaim, admin: string | null, meta: Record<string, unknown>): Promise<OAuthGrant> {
    const { clientEndpoint, accessToken, refreshToken, memberId } = claim;
    const bounded = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(timeoutMs) });
    try {
      await opts.client.callWithToken(clientEndpoint, accessToken, 'app.info', {}, bounded());
    } catch (e) {
      refuse(401, 'INSTALL_VERIFY_FAILED', 'the portal did not accept the access token', meta, e);
    }
    if (admin !== null) await proveAdmin(clientEndpoint, accessToken, bounded(), admin, meta);
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
  async function proveAdmin(clientEndpoint: string, accessToken: string, o: { signal: AbortSignal }, why: string, meta: Record<string, unknown>): Promise<void> {
    let admin: unknown;
    try {
      admin = await opts.client.callWithToken(clientEndpoint, accessToken, 'user.admin', {}, o);
    } catch (e) {
      refuse(401, 'INSTALL_VERIFY_FAILED', 'the portal did not answer user.admin for the access token', meta, e);
    }
    if (admin !== true) refuse(403, 'INSTALL_NOT_ADMIN', why, meta);
  }

  async function install(claim: InstallClaim, source: string, alwaysAdmin: boolean): Promise<InstallOutcome> {
    const host = hostOf(claim.clientEndpoint);
    const meta = { memberId: claim.memberId, domain: claim.domain, endpointHost: host, event: source };
    if (!isAllowedPortalUrl(claim.clientEndpoint, opts.portalHosts) || host !== claim.domain.toLowerCase()) {
      refuse(403, 'INSTALL_HOST_REFUSED', 'client_endpoint is not an allowed portal host or does not match domain', meta);
    }
    const known = await opts.store.getPortal(claim.memberId);
    const admin = alwaysAdmin ? 'only a portal administrator can install the app'
      : known !== null && known.applicationToken !== null ? 'a reinstall over an installed portal must be made by a portal administrator' : null;
    const grant = await queue.run(host, () => verify(claim, admin, meta));
    const existing = await opts.store.getPortal(claim.memberId);
    const now = clock();
    const portal: PortalRecord = {
      memberId: claim.memberId,
      domain: claim.domain,
      clientEndpoint: claim.clientEndpoint,
      authMode: 'oauth',
      applicationToken: claim.applicationToken,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
      // A UI install is not finished until the page's BX24.installFinish() ran (app.info says so later).
      status: source === 'install_page' ? 'install_unfinished' : 'active',
      rateLimit: existing?.rateLimit ?? null,
      installedAt: existing?.installedAt ?? now,
      updatedAt: now,
    };
    await opts.store.savePortal(portal);
    opts.log.info(existing ? 'portal reinstalled' : 'portal installed', { memberId: claim.memberId, domain: claim.domain, event: source });
    const report = await opts.syncPortal(claim.memberId);
    return { portal, reinstall: existing !== null, report };
  }

  return {
    async fromEvent(event) {
      const a = event.auth;
      const claim: InstallClaim = {
        memberId: a.memberId, domain: a.domain, clientEndpoint: a.clientEndpoint, accessToken: a.accessToken,
        refreshToken: a.refreshToken, applicationToken: a.applicationToken,
      };
      const { report } = await install(claim, event.type, false);
      return { ok: true, report };
    },
    fromPage: (claim) => install(claim, 'install_page', true),
  };
}
