import { HttpError } from '../errors.js';
import { secretsEqual } from '../intake/verify.js';
import { B24ApiError, B24OperationTimeLimitError, B24QueryLimitError } from '../rest/errors.js';
import type { PortalRecord, TokenStore } from '../store/types.js';

/** What the launch check needs of the REST client: one call with a given token, bounded by a signal. */
export interface TokenCaller {
  callWithToken<T = unknown>(clientEndpoint: string, accessToken: string, method: string, params?: Record<string, unknown>, opts?: { signal?: AbortSignal }): Promise<T>;
}

/** What the portal posts when it opens the app page (facts §2.2; DOC settings/oauth/simple-way.md). */
export interface LaunchParams {
  authId: string | undefined;
  memberId: string | undefined;
  /** From the query string (`DOMAIN`), or the body. */
  domain: string | undefined;
  applicationToken: string | undefined;
}

/** A verified launch: the portal and the administrator who opened the page. */
export interface Launch {
  portal: PortalRecord;
  userId: number;
}

/** Each verification call gets this long (ms). */
export const LAUNCH_CALL_TIMEOUT_MS = 10_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads the launch parameters: `DOMAIN`, `PROTOCOL`, `LANG`, `APP_SID` come in the query string, the rest in the form body. */
export function launchParams(query: Record<string, unknown>, body: Record<string, unknown>): LaunchParams {
  return {
    authId: str(body['AUTH_ID']),
    memberId: str(body['member_id']),
    domain: str(query['DOMAIN']) ?? str(body['DOMAIN']),
    applicationToken: str(body['APPLICATION_TOKEN']),
  };
}

/** The stored OAuth portal a launch names, or `401 APP_PORTAL_UNKNOWN` (not installed, a webhook portal, or another domain). */
export async function launchPortal(store: TokenStore, p: LaunchParams): Promise<PortalRecord> {
  if (p.authId === undefined || p.memberId === undefined) {
    throw new HttpError(401, 'APP_AUTH_REQUIRED', 'open this page from the app in your Bitrix24 portal (no AUTH_ID and member_id were posted)');
  }
  const portal = await store.getPortal(p.memberId);
  if (!portal || portal.authMode !== 'oauth') throw new HttpError(401, 'APP_PORTAL_UNKNOWN', 'the app is not installed on this portal');
  return portal;
}

function unverified(e: unknown, method: string): HttpError {
  // The portal answered, and refused the token: a forged, expired or foreign AUTH_ID.
  if (e instanceof B24ApiError && !(e instanceof B24QueryLimitError) && !(e instanceof B24OperationTimeLimitError) && e.status < 500) {
    return new HttpError(401, 'APP_AUTH_FAILED', `the portal did not accept AUTH_ID (${method}: ${e.apiCode})`, { cause: e });
  }
  return new HttpError(502, 'APP_VERIFY_UNAVAILABLE', `the portal could not be asked to verify AUTH_ID (${method})`, { cause: e });
}

/**
 * Verifies a launch of the app page with the portal itself; nothing is cached, so every launch is asked
 * afresh. Cheap checks first (no request leaves): the posted `DOMAIN` must be the installed portal's and
 * `APPLICATION_TOKEN` the one stored at install (the same value events carry, DOC simple-way.md). Then,
 * with the posted `AUTH_ID` on the stored portal's own endpoint: `profile` names the user (DOC
 * api-reference/common/users/profile.md, `ID`) and `user.admin` must be `true` (DOC
 * api-reference/common/users/user-admin.md: the user may manage app settings). A refused token is `401
 * APP_AUTH_FAILED`, a non-administrator `403 APP_NOT_ADMIN`, an unreachable portal `502 APP_VERIFY_UNAVAILABLE`.
 */
export async function verifyLaunch(client: TokenCaller, portal: PortalRecord, p: LaunchParams, timeoutMs = LAUNCH_CALL_TIMEOUT_MS): Promise<Launch> {
  if (p.domain === undefined || p.domain.toLowerCase() !== portal.domain.toLowerCase()) {
    throw new HttpError(401, 'APP_PORTAL_UNKNOWN', 'DOMAIN does not match the portal the app is installed on');
  }
  if (portal.applicationToken !== null && !secretsEqual(p.applicationToken ?? '', portal.applicationToken)) {
    throw new HttpError(401, 'APP_AUTH_FAILED', 'APPLICATION_TOKEN does not match the one stored at install');
  }
  const call = async <T>(method: string): Promise<T> => {
    try {
      return await client.callWithToken<T>(portal.clientEndpoint, p.authId ?? '', method, {}, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw unverified(e, method);
    }
  };
  const profile = await call<{ ID?: unknown } | null>('profile');
  const userId = Number(profile?.ID);
  if (!Number.isSafeInteger(userId) || userId < 1) throw new HttpError(401, 'APP_AUTH_FAILED', 'the portal named no user for AUTH_ID (profile)');
  const admin = await call<unknown>('user.admin');
  if (admin !== true) throw new HttpError(403, 'APP_NOT_ADMIN', `user ${userId} is not an administrator of this portal; only administrators may manage the bots`);
  return { portal, userId };
}
