import type { BotRec } from './bots.js';
import type { PayloadEnv } from './event-intent.js';
import { md5 } from './ids.js';

/** The endpoint part every `auth` block has. */
export function portalAuth(env: PayloadEnv): Record<string, string> {
  return {
    domain: env.portal.domain, client_endpoint: env.portal.clientEndpoint,
    server_endpoint: env.core.serverEndpoint, member_id: env.portal.memberId,
  };
}

/**
 * The `application_token` events of `bot` carry: the app's token for OAuth apps; for bots registered
 * through a webhook, `"custom" + CLIENT_ID|botToken` cut to 50 characters (v2 facts §7.2).
 */
export function applicationTokenOf(env: PayloadEnv, bot: BotRec): string {
  return bot.authKind === 'oauth' ? env.portal.applicationToken : bot.ownerKey.slice(0, 50);
}

/** An OAuth token block for `userId` in the key order of the docs' examples. */
export function tokenAuth(env: PayloadEnv, userId: number, withRefresh: boolean, bot: BotRec): Record<string, string | number> {
  const grant = env.core.tokens.forEvent(env.portal.memberId, userId);
  const block: Record<string, string | number> = {
    access_token: grant.accessToken, expires: Math.floor(grant.expiresAt / 1000), expires_in: env.core.tokens.ttlS,
    scope: 'imbot,im', domain: env.portal.domain, server_endpoint: env.core.serverEndpoint, status: 'L',
    client_endpoint: env.portal.clientEndpoint, member_id: env.portal.memberId, user_id: userId,
  };
  if (withRefresh) block['refresh_token'] = grant.refreshToken;
  block['application_token'] = applicationTokenOf(env, bot);
  return block;
}

/** The top-level `auth` of an event: the acting user's tokens (OAuth apps) or endpoints only (webhook bots). */
export function envelopeAuth(env: PayloadEnv, bot: BotRec, userId: number, withRefresh: boolean): Record<string, string | number> {
  if (bot.authKind === 'oauth') return tokenAuth(env, userId, withRefresh, bot);
  return { ...portalAuth(env), application_token: applicationTokenOf(env, bot) };
}

/** The v1 `data[BOT][<id>]` block: the bot user's own token, repeated under `AUTH`, then id and code. */
export function v1BotBlock(env: PayloadEnv, bot: BotRec): Record<string, unknown> {
  const clientId = md5(bot.ownerKey);
  const token: Record<string, unknown> = bot.authKind === 'oauth'
    ? { ...tokenAuth(env, bot.id, true, bot) }
    : { ...portalAuth(env), user_id: bot.id, application_token: applicationTokenOf(env, bot) };
  const applicationToken = token['application_token'];
  delete token['application_token'];
  const full = { ...token, client_id: clientId, application_token: applicationToken };
  return { ...full, AUTH: { ...full }, BOT_ID: bot.id, BOT_CODE: bot.code };
}
