import type { BotRec, BotType, V1Handlers } from '../bots.js';
import { removeBot } from '../bot-removal.js';
import { asBool, asObject, asString, isHandlerUrl, upperKeys, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { v1OwnedBot, v1OwnerKey } from './owner.js';

const V1_TYPES: Readonly<Record<string, BotType>> = { B: 'bot', H: 'bot', O: 'openline', S: 'supervisor' };

const EVENT_KEYS: ReadonlyArray<[string, keyof V1Handlers, string]> = [
  ['EVENT_MESSAGE_ADD', 'messageAdd', 'EVENT_MESSAGE_ADD_ERROR'],
  ['EVENT_MESSAGE_UPDATE', 'messageUpdate', 'EVENT_MESSAGE_UPDATE_ERROR'],
  ['EVENT_MESSAGE_DELETE', 'messageDelete', 'EVENT_MESSAGE_DELETE_ERROR'],
  ['EVENT_WELCOME_MESSAGE', 'joinChat', 'EVENT_WELCOME_MESSAGE_ERROR'],
  ['EVENT_BOT_DELETE', 'botDelete', 'EVENT_BOT_DELETE_ERROR'],
];

/** Handler URLs from params: `EVENT_HANDLER` fills all five; each given URL must be http(s). */
function readHandlers(P: Params): Partial<V1Handlers> {
  const all = P['EVENT_HANDLER'];
  if (all !== undefined && !isHandlerUrl(all)) throw new PortalError('EVENT_MESSAGE_ADD_ERROR', 'Wrong handler URL');
  const out: Partial<V1Handlers> = {};
  for (const [param, key, error] of EVENT_KEYS) {
    const url = all ?? P[param];
    if (url === undefined) continue;
    if (!isHandlerUrl(url)) throw new PortalError(error, 'Wrong handler URL');
    out[key] = url;
  }
  return out;
}

function readName(props: Params | undefined): { first: string; last: string } {
  const first = asString(props?.['NAME'])?.trim() ?? '';
  const last = asString(props?.['LAST_NAME'])?.trim() ?? '';
  if (first === '' && last === '') throw new PortalError('NAME_ERROR', 'Bot name is not specified');
  return { first, last };
}

function createBot(ctx: MethodContext, P: Params, owner: string, code: string): BotRec {
  const v1Type = ['B', 'H', 'O', 'S'].includes(String(P['TYPE'] ?? '').toUpperCase()) ? String(P['TYPE']).toUpperCase() : 'B';
  const props = asObject(P['PROPERTIES']);
  const { first, last } = readName(props);
  const id = ctx.portal.directory.add({
    name: first || last, lastName: first ? last : '', workPosition: asString(props?.['WORK_POSITION']) ?? '',
    gender: asString(props?.['PERSONAL_GENDER']) === 'F' ? 'F' : 'M', isBot: true,
  });
  return ctx.portal.bots.add({
    id, code, api: 'v1', type: V1_TYPES[v1Type] ?? 'bot', v1Type, ownerKey: owner, authKind: ctx.caller.kind,
    eventMode: 'webhook', webhookUrl: null, openline: v1Type === 'O' || asBool(P['OPENLINE'], false), isHidden: false,
    isReactionsEnabled: true, backgroundId: null, color: '#df532d',
  });
}

/**
 * `imbot.register` (facts §4.1). One handler set per app, the latest registration wins; UPDATE and
 * DELETE handlers are ignored for B/H bots without OPENLINE (bind them later with `imbot.update`).
 * Re-registering a code the app already owns returns the existing id (the docs leave it open).
 */
const register: MethodHandler = (ctx, p) => {
  const P = upperKeys(p);
  const owner = v1OwnerKey(ctx, P);
  const code = asString(P['CODE'])?.trim();
  if (!code) throw new PortalError('CODE_ERROR', 'Bot code isn\'t specified');
  const existing = ctx.portal.bots.byCode(code);
  if (existing && existing.ownerKey === owner) return existing.id;
  if (existing) throw new PortalError('CODE_ERROR', 'Bot with this code is already registered');
  const handlers = readHandlers(P);
  for (const [param, key, error] of EVENT_KEYS) {
    if (['messageAdd', 'joinChat', 'botDelete'].includes(key) && handlers[key] === undefined) {
      throw new PortalError(error, `${param} is not specified`);
    }
  }
  const bot = createBot(ctx, P, owner, code);
  const bindChanges = bot.openline || bot.v1Type === 'S';
  if (!bindChanges) {
    delete handlers.messageUpdate;
    delete handlers.messageDelete;
  }
  Object.assign(ctx.portal.bots.handlers(owner), handlers);
  return bot.id;
};

/**
 * `imbot.update` PROPERTIES (`outdated/bots/imbot-update.md`): a key not sent keeps its value; NAME and
 * LAST_NAME must not both be empty "if both are passed". TYPE and OPENLINE cannot be changed.
 */
function renameBot(ctx: MethodContext, bot: BotRec, props: Params): void {
  const user = ctx.portal.botUser(bot);
  const first = props['NAME'] === undefined ? user.firstName : (asString(props['NAME'])?.trim() ?? '');
  const last = props['LAST_NAME'] === undefined ? user.lastName : (asString(props['LAST_NAME'])?.trim() ?? '');
  if (first === '' && last === '') throw new PortalError('NAME_ERROR', 'Bot name is not specified');
  ctx.portal.directory.rename(bot.id, first, last, asString(props['WORK_POSITION']));
  const gender = asString(props['PERSONAL_GENDER']);
  if (gender === 'M' || gender === 'F') user.gender = gender;
}

const update: MethodHandler = (ctx, p) => {
  const P = upperKeys(p);
  const owner = v1OwnerKey(ctx, P);
  if (P['BOT_ID'] === undefined) throw new PortalError('BOT_ID_ERROR', 'Bot not found');
  const bot = v1OwnedBot(ctx, P, owner);
  const fields = asObject(P['FIELDS']);
  if (!fields || Object.keys(fields).length === 0) throw new PortalError('WRONG_REQUEST', 'Update fields can\'t be empty');
  const F = upperKeys(fields);
  const code = asString(F['CODE'])?.trim();
  // imbot-update.md: CODE is "уникальный в рамках Битрикс24". Which error a taken code gets is not documented
  // (UNCONFIRMED); the emulator answers the docs' generic refusal, WRONG_REQUEST "Bot can't be updated", before
  // changing anything.
  const holder = code ? ctx.portal.bots.byCode(code) : undefined;
  if (holder && holder.id !== bot.id) throw new PortalError('WRONG_REQUEST', 'Bot can\'t be updated');
  const handlers = readHandlers(F);
  const props = asObject(F['PROPERTIES']);
  if (props) renameBot(ctx, bot, upperKeys(props));
  Object.assign(ctx.portal.bots.handlers(owner), handlers);
  if (code) bot.code = code;
  return true;
};

const unregister: MethodHandler = (ctx, p) => {
  const P = upperKeys(p);
  const owner = v1OwnerKey(ctx, P);
  if (P['BOT_ID'] === undefined) throw new PortalError('BOT_ID_ERROR', 'Bot not found');
  removeBot(ctx, v1OwnedBot(ctx, P, owner), ctx.caller.userId);
  return true;
};

/** `imbot.bot.list`: every bot of the portal, keyed by id; `[]` when there is none (PHP array). */
const list: MethodHandler = (ctx) => {
  const out: Record<string, unknown> = {};
  for (const bot of ctx.portal.bots.all()) {
    out[String(bot.id)] = { ID: bot.id, NAME: ctx.portal.botUser(bot).name, CODE: bot.code, OPENLINE: bot.openline ? 'Y' : 'N' };
  }
  return Object.keys(out).length === 0 ? [] : out;
};

/** `imbot.register/update/unregister`, `imbot.bot.list` (facts §4.1-4.4). */
export const v1BotMethods: Record<string, MethodHandler> = {
  'imbot.register': register,
  'imbot.update': update,
  'imbot.unregister': unregister,
  'imbot.bot.list': list,
};
