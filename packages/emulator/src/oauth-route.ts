import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from './core.js';
import { spoilAnswer, type Lingering } from './fault-apply.js';
import { readBody, readParams, sendJson } from './http-io.js';
import { asString } from './params.js';
import { PortalError } from './portal-error.js';
import type { PortalState } from './portal-state.js';
import type { Grant } from './tokens.js';
import type { RestRequestLog } from './types.js';

/** OAuth errors: `invalid_client` answers 401, the others 400 (statuses are UNCONFIRMED in the docs). */
function oauthError(code: string, description: string): PortalError {
  return new PortalError(code, description, code === 'invalid_client' ? 401 : 400);
}

/** The token answer in the shape of the docs' refresh example (facts §1.4). */
export function tokenAnswer(core: Core, portal: PortalState, grant: Grant): Record<string, unknown> {
  return {
    access_token: grant.accessToken, expires: Math.floor(grant.expiresAt / 1000), expires_in: core.tokens.ttlS,
    scope: 'imbot,im', domain: core.host, server_endpoint: core.serverEndpoint, client_endpoint: portal.clientEndpoint,
    member_id: portal.memberId, user_id: grant.userId, status: 'L', refresh_token: grant.refreshToken,
  };
}

function refresh(core: Core, params: Record<string, unknown>): { portal: PortalState | null; answer: Record<string, unknown> } {
  if (asString(params['client_id']) !== core.clientId || asString(params['client_secret']) !== core.clientSecret) {
    throw oauthError('invalid_client', 'Invalid client credentials');
  }
  const grantType = asString(params['grant_type']);
  if (grantType !== 'refresh_token') throw oauthError('invalid_request', `Unsupported grant_type: ${grantType ?? '(none)'}`);
  const token = asString(params['refresh_token']) ?? '';
  const outcome = core.tokens.refresh(token);
  if (!outcome.ok) {
    const portal = outcome.memberId ? (core.portal(outcome.memberId) ?? null) : null;
    throw Object.assign(oauthError('invalid_grant', 'Invalid refresh token'), { portal });
  }
  const portal = core.portal(outcome.grant.memberId) ?? null;
  if (!portal) throw oauthError('invalid_grant', 'The portal is gone');
  return { portal, answer: tokenAnswer(core, portal, outcome.grant) };
}

/**
 * The OAuth server (`/oauth/token/`, GET query or POST form): `grant_type=refresh_token` rotates the
 * pair; the old refresh token answers `invalid_grant` from then on. Logged on the token's portal.
 */
export async function handleOauth(core: Core, lingering: Lingering, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const entry: RestRequestLog = {
    at: core.clock(), path: '/oauth/token/', method: 'oauth.token', httpMethod: req.method ?? 'GET', status: 0, auth: 'none',
  };
  let portal: PortalState | null = null;
  try {
    const params = await readParams(req, await readBody(req));
    const fault = core.faults.take('oauth.token', null);
    if (fault && fault.kind === 'slow') await lingering.sleep(fault.delayMs ?? 1000);
    const spoil = (real?: unknown): boolean => {
      if (!fault || !spoilAnswer(fault, req, res, lingering, real)) return false;
      entry.fault = fault.kind;
      entry.status = fault.kind === 'status' ? (fault.status ?? 500) : 0;
      return true;
    };
    if (!fault?.after && spoil()) return;
    const out = refresh(core, params);
    portal = out.portal;
    portal?.stats.bump('oauthRefreshes');
    if (fault?.after && spoil(out.answer)) return;
    sendJson(res, 200, out.answer);
    entry.status = 200;
  } catch (e) {
    const err = e instanceof PortalError ? e : oauthError('invalid_request', 'Malformed request');
    portal = (e as { portal?: PortalState | null }).portal ?? portal;
    entry.status = err.status;
    entry.error = err.code;
    (portal ?? core.portalAt(0))?.stats.bump('oauthErrors');
    if (!res.headersSent) sendJson(res, err.status, { error: err.code, error_description: err.message });
  } finally {
    (portal ?? core.portalAt(0))?.stats.record(entry);
  }
}
