import type { Core } from './core.js';
import { asString, type Params } from './params.js';
import { PortalError } from './portal-error.js';
import type { PortalState } from './portal-state.js';
import type { Caller } from './rest.js';

/** The credentials part of a REST URL: `/rest/<user>/<code>/` for webhooks, none for OAuth. */
export interface WebhookCredentials {
  userId: number;
  code: string;
}

/**
 * Authenticates a REST request (facts §1): a webhook path must name a code created for that user on
 * that portal; otherwise the `auth` param must be a live access token issued for that portal.
 */
export function resolveCaller(core: Core, portal: PortalState, webhook: WebhookCredentials | null, params: Params): Caller {
  if (webhook) {
    if (portal.webhooks.get(webhook.code) !== webhook.userId) throw new PortalError('NO_AUTH_FOUND', 'Wrong authorization data');
    return { kind: 'webhook', userId: webhook.userId, clientId: null, budgetKey: `hook:${webhook.userId}:${webhook.code}` };
  }
  const token = asString(params['auth']);
  if (token === undefined || token === '') throw new PortalError('NO_AUTH_FOUND', 'Wrong authorization data');
  const check = core.tokens.check(token, portal.memberId);
  if (!check.ok && check.reason === 'expired') throw new PortalError('expired_token', 'The access token provided has expired.');
  if (!check.ok) throw new PortalError('NO_AUTH_FOUND', 'Wrong authorization data');
  return { kind: 'oauth', userId: check.userId, clientId: core.clientId, budgetKey: `app:${core.clientId}` };
}
