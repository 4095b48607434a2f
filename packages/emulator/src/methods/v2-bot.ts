import type { BotRec, BotType } from '../bots.js';
import { removeBot } from '../bot-removal.js';
import { asBool, asInt, asObject, asString, isHandlerUrl, pick, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { v2BotView, v2UserView } from '../views.js';
import { BOT_TOKEN_MAX, v2OwnedBot, v2OwnerKey } from './owner.js';

const TYPES: readonly BotType[] = ['bot', 'supervisor', 'personal', 'openline', 'network'];
const BOTS_PER_OWNER = 100;

function answer(ctx: MethodContext, bot: BotRec, owner: boolean): Record<string, unknown> {
  return { bot: v2BotView(ctx.portal, bot, owner), users: [v2UserView(ctx.portal.botUser(bot))] };
}

function fieldsOf(p: Params): Params {
  return asObject(pick(p, 'fields', 'FIELDS')) ?? {};
}

function readMode(fields: Params, current: { eventMode: 'webhook' | 'fetch'; webhookUrl: string | null }): typeof current {
  const rawMode = asString(pick(fields, 'eventMode', 'EVENT_MODE'));
  const mode = rawMode === undefined ? current.eventMode : rawMode.toLowerCase();
  if (mode !== 'webhook' && mode !== 'fetch') throw new PortalError('BOT_INVALID_EVENT_MODE', 'Invalid event mode');
  const rawUrl = pick(fields, 'webhookUrl', 'WEBHOOK_URL');
  const url = rawUrl === undefined ? current.webhookUrl : (asString(rawUrl) ?? '');
  if (mode === 'webhook' && (url === null || url === '')) throw new PortalError('BOT_WEBHOOK_URL_REQUIRED', 'Webhook URL is required');
  if (mode === 'webhook' && !isHandlerUrl(url)) throw new PortalError('BOT_INVALID_CALLBACK', 'Wrong webhook URL');
  return { eventMode: mode, webhookUrl: mode === 'webhook' ? url : (url || null) };
}

function readFlags(fields: Params, bot: Pick<BotRec, 'isHidden' | 'isReactionsEnabled' | 'openline' | 'backgroundId'>): void {
  bot.isHidden = asBool(pick(fields, 'isHidden', 'IS_HIDDEN'), bot.isHidden);
  bot.isReactionsEnabled = asBool(pick(fields, 'isReactionsEnabled', 'IS_REACTIONS_ENABLED'), bot.isReactionsEnabled);
  bot.openline = asBool(pick(fields, 'isSupportOpenline', 'IS_SUPPORT_OPENLINE'), bot.openline);
  const bg = pick(fields, 'backgroundId', 'BACKGROUND_ID');
  if (bg !== undefined) bot.backgroundId = asString(bg) || null;
}

const register: MethodHandler = (ctx, p) => {
  const owner = v2OwnerKey(ctx, p, true);
  const fields = fieldsOf(p);
  const code = asString(pick(fields, 'code', 'CODE'))?.trim();
  if (!code) throw new PortalError('BOT_CODE_REQUIRED', 'Bot code is required');
  const existing = ctx.portal.bots.byCode(code);
  if (existing && existing.ownerKey === owner) return answer(ctx, existing, true);
  if (existing) throw new PortalError('BOT_CODE_ALREADY_TAKEN', 'Bot code is already taken');
  const props = asObject(pick(fields, 'properties', 'PROPERTIES')) ?? {};
  const name = asString(pick(props, 'name', 'NAME'))?.trim();
  if (!name) throw new PortalError('BOT_PROPERTIES_REQUIRED', 'Bot name is required');
  const type = (asString(pick(fields, 'type', 'TYPE')) ?? 'bot').toLowerCase() as BotType;
  if (!TYPES.includes(type)) throw new PortalError('BOT_INVALID_TYPE', `Type must be one of: ${TYPES.join(', ')}`);
  const mode = readMode(fields, { eventMode: 'fetch', webhookUrl: null });
  if (ctx.portal.bots.ofOwner(owner).length >= BOTS_PER_OWNER) throw new PortalError('BOT_LIMIT_EXCEEDED', 'Bot limit exceeded');
  const gender = asString(pick(props, 'gender', 'GENDER')) === 'F' ? 'F' : 'M';
  const id = ctx.portal.directory.add({
    name, lastName: asString(pick(props, 'lastName', 'LAST_NAME')) ?? '', workPosition: asString(pick(props, 'workPosition', 'WORK_POSITION')) ?? '',
    gender, isBot: true,
  });
  const bot: BotRec = {
    id, code, api: 'v2', type, v1Type: null, ownerKey: owner, authKind: ctx.caller.kind, ...mode, openline: false,
    isHidden: false, isReactionsEnabled: true, backgroundId: null, color: '#df532d',
  };
  readFlags(fields, bot);
  return answer(ctx, ctx.portal.bots.add(bot), true);
};

function rotate(ctx: MethodContext, bot: BotRec, fields: Params): void {
  const token = asString(pick(fields, 'botToken', 'BOT_TOKEN'))?.trim();
  if (!token) return;
  if (bot.authKind === 'oauth') throw new PortalError('BOT_TOKEN_ROTATION_FAILED', 'Bot token rotation failed');
  if (token.length > BOT_TOKEN_MAX) throw new PortalError('BOT_TOKEN_INVALID_LENGTH', `Bot token must not exceed ${BOT_TOKEN_MAX} characters`);
  const key = `custom${token}`;
  if (ctx.portal.bots.all().some((b) => b.id !== bot.id && b.ownerKey === key)) throw new PortalError('BOT_TOKEN_ROTATION_FAILED', 'Bot token rotation failed');
  bot.ownerKey = key;
}

const update: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const fields = asObject(pick(p, 'fields', 'FIELDS'));
  // Not in the docs' table; the im module's Bot controller answers it (v2 facts §2.4, SRC2).
  if (!fields) throw new PortalError('BOT_UPDATE_FAILED', 'fields are required');
  const props = asObject(pick(fields, 'properties', 'PROPERTIES'));
  if (props) {
    const user = ctx.portal.botUser(bot);
    ctx.portal.directory.rename(bot.id, asString(pick(props, 'name', 'NAME')) ?? user.firstName,
      asString(pick(props, 'lastName', 'LAST_NAME')) ?? user.lastName, asString(pick(props, 'workPosition', 'WORK_POSITION')));
    const gender = asString(pick(props, 'gender', 'GENDER'));
    if (gender === 'M' || gender === 'F') user.gender = gender;
  }
  Object.assign(bot, readMode(fields, bot));
  readFlags(fields, bot);
  rotate(ctx, bot, fields);
  return answer(ctx, bot, true);
};

const get: MethodHandler = (ctx, p) => {
  const owner = v2OwnerKey(ctx, p);
  const id = asInt(pick(p, 'botId', 'BOT_ID'));
  const code = asString(pick(p, 'code', 'CODE'));
  if (id === undefined && !code) throw new PortalError('PARAMS_REQUIRED', 'botId or code is required');
  const bot = id !== undefined ? ctx.portal.bots.byId(id) : ctx.portal.bots.byCode(code ?? '');
  if (!bot) throw new PortalError('BOT_NOT_FOUND', 'Bot not found');
  return answer(ctx, bot, bot.ownerKey === owner);
};

const list: MethodHandler = (ctx, p) => {
  const owner = v2OwnerKey(ctx, p);
  const type = asString(asObject(pick(p, 'filter', 'FILTER'))?.['type']);
  const limit = Math.max(1, asInt(pick(p, 'limit', 'LIMIT')) ?? 50);
  const offset = Math.max(0, asInt(pick(p, 'offset', 'OFFSET')) ?? 0);
  const page = ctx.portal.bots.ofOwner(owner).filter((b) => type === undefined || b.type === type).slice(offset, offset + limit);
  return {
    bots: page.map((b) => v2BotView(ctx.portal, b, true)), users: page.map((b) => v2UserView(ctx.portal.botUser(b))),
    hasNextPage: page.length === limit,
  };
};

const unregister: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  removeBot(ctx, bot, ctx.caller.userId);
  return { result: true };
};

/** `imbot.v2.Bot.*` (v2 facts §2). */
export const v2BotMethods: Record<string, MethodHandler> = {
  'imbot.v2.Bot.register': register,
  'imbot.v2.Bot.update': update,
  'imbot.v2.Bot.get': get,
  'imbot.v2.Bot.list': list,
  'imbot.v2.Bot.unregister': unregister,
  'imbot.v2.Revision.get': () => ({ rest: 36, web: 130, mobile: 23, desktop: 6 }),
};
