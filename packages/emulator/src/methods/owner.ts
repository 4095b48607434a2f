import type { BotRec } from '../bots.js';
import { asInt, asObject, asString, pick, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import type { MethodContext } from '../rest.js';

/** Longest accepted botToken (v2 facts §1). */
export const BOT_TOKEN_MAX = 40;

/**
 * The v2 owner key of a call: the app's client id for OAuth; `custom<botToken>` for webhooks, where
 * `Bot.register` reads `fields.botToken` (or top-level) and every other method the top-level one.
 */
export function v2OwnerKey(ctx: MethodContext, p: Params, register = false): string {
  if (ctx.caller.kind === 'oauth') return ctx.caller.clientId ?? '';
  const fields = asObject(pick(p, 'fields', 'FIELDS')) ?? {};
  const raw = register
    ? (pick(fields, 'botToken', 'BOT_TOKEN') ?? pick(p, 'botToken', 'BOT_TOKEN'))
    : pick(p, 'botToken', 'BOT_TOKEN', 'clientId', 'CLIENT_ID');
  const token = asString(raw);
  if (token === undefined || token.trim() === '') throw new PortalError('BOT_TOKEN_NOT_SPECIFIED', 'Bot token is not specified');
  if (register && token.length > BOT_TOKEN_MAX) throw new PortalError('BOT_TOKEN_INVALID_LENGTH', `Bot token must not exceed ${BOT_TOKEN_MAX} characters`);
  return `custom${token}`;
}

/** The bot named by `botId`, owned by `owner`. */
export function v2OwnedBot(ctx: MethodContext, p: Params, owner: string): BotRec {
  const id = asInt(pick(p, 'botId', 'BOT_ID'));
  if (id === undefined) throw new PortalError('BOT_ID_REQUIRED', 'Bot id is required');
  const bot = ctx.portal.bots.byId(id);
  if (!bot) throw new PortalError('BOT_NOT_FOUND', 'Bot not found');
  if (bot.ownerKey !== owner) throw new PortalError('BOT_OWNERSHIP_ERROR', 'Bot is registered by another application');
  return bot;
}

/** The v1 owner key: the app's client id, or `custom<CLIENT_ID>` for webhook calls (facts §4). */
export function v1OwnerKey(ctx: MethodContext, P: Params): string {
  if (ctx.caller.kind === 'oauth') return ctx.caller.clientId ?? '';
  const clientId = asString(P['CLIENT_ID']);
  if (clientId === undefined || clientId.trim() === '') throw new PortalError('ACCESS_DENIED', 'Access denied! Client ID not specified');
  return `custom${clientId}`;
}

/** The v1 bot of a call: `BOT_ID`, or the app's first bot when omitted (facts §4 common rules). */
export function v1OwnedBot(ctx: MethodContext, P: Params, owner: string): BotRec {
  const id = asInt(P['BOT_ID']);
  const bot = id === undefined || id === 0 ? ctx.portal.bots.ofOwner(owner)[0] : ctx.portal.bots.byId(id);
  if (!bot) throw new PortalError('BOT_ID_ERROR', 'Bot not found');
  if (bot.ownerKey !== owner) throw new PortalError('APP_ID_ERROR', 'Bot was installed by another rest application');
  return bot;
}
