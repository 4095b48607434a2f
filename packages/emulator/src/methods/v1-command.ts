import type { CommandRec } from '../bots.js';
import { asBool, asInt, asList, asObject, asString, isHandlerUrl, upperKeys, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import { botPost, readContent } from '../posting.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { v1OwnedBot, v1OwnerKey } from './owner.js';

/** `LANG: [{LANGUAGE_ID, TITLE, PARAMS}]` → per-language title and params maps. */
function readLang(v: unknown): { title: Record<string, string>; params: Record<string, string> } {
  const title: Record<string, string> = {};
  const params: Record<string, string> = {};
  for (const item of asList(v) ?? []) {
    const o = upperKeys(asObject(item) ?? {});
    const lang = asString(o['LANGUAGE_ID'])?.toLowerCase();
    if (!lang) continue;
    title[lang] = asString(o['TITLE']) ?? '';
    params[lang] = asString(o['PARAMS']) ?? '';
  }
  return { title, params };
}

/** A command of the calling app (by COMMAND_ID). */
function ownedCommand(ctx: MethodContext, P: Params): CommandRec {
  const owner = v1OwnerKey(ctx, P);
  const id = asInt(P['COMMAND_ID']);
  const command = id === undefined ? undefined : ctx.portal.bots.command(id);
  if (!command) throw new PortalError('COMMAND_ID_ERROR', 'Command not found');
  if (ctx.portal.bots.byId(command.botId)?.ownerKey !== owner) throw new PortalError('APP_ID_ERROR', 'Command was installed by another rest application');
  return command;
}

/**
 * `imbot.command.register` (facts §4.12). EVENT_COMMAND_ADD re-points the app's single command
 * handler. Registering a name the bot already has returns the existing id (the docs leave it open).
 */
const register: MethodHandler = (ctx, p) => {
  const P = upperKeys(p);
  const owner = v1OwnerKey(ctx, P);
  const bot = v1OwnedBot(ctx, P, owner);
  const name = asString(P['COMMAND'])?.trim().replace(/^\//, '');
  if (!name || /\s/.test(name)) throw new PortalError('COMMAND_ERROR', 'Command isn\'t specified');
  const url = P['EVENT_COMMAND_ADD'];
  if (!isHandlerUrl(url)) throw new PortalError('EVENT_COMMAND_ADD_ERROR', 'Wrong handler URL');
  const hidden = asBool(P['HIDDEN'], false);
  const lang = readLang(P['LANG']);
  if (!hidden && Object.keys(lang.title).length === 0) throw new PortalError('LANG_ERROR', 'Lang set can\'t be empty');
  ctx.portal.bots.handlers(owner).commandAdd = url;
  const existing = ctx.portal.bots.findCommand(bot.id, name);
  if (existing) return existing.id;
  return ctx.portal.bots.addCommand({
    botId: bot.id, command: name, common: asBool(P['COMMON'], false), hidden,
    extranetSupport: asBool(P['EXTRANET_SUPPORT'], false), ...lang, handlerUrl: url,
  }).id;
};

const update: MethodHandler = (ctx, p) => {
  const P = upperKeys(p);
  const command = ownedCommand(ctx, P);
  const fields = asObject(P['FIELDS']);
  if (!fields || Object.keys(fields).length === 0) throw new PortalError('WRONG_REQUEST', 'Update fields can\'t be empty');
  const F = upperKeys(fields);
  if (F['EVENT_COMMAND_ADD'] !== undefined) {
    if (!isHandlerUrl(F['EVENT_COMMAND_ADD'])) throw new PortalError('EVENT_COMMAND_ADD_ERROR', 'Wrong handler URL');
    command.handlerUrl = F['EVENT_COMMAND_ADD'];
    ctx.portal.bots.handlers(v1OwnerKey(ctx, P)).commandAdd = F['EVENT_COMMAND_ADD'];
  }
  const name = asString(F['COMMAND'])?.trim().replace(/^\//, '');
  if (name) command.command = name;
  command.hidden = asBool(F['HIDDEN'], command.hidden);
  command.extranetSupport = asBool(F['EXTRANET_SUPPORT'], command.extranetSupport);
  if (F['LANG'] !== undefined) Object.assign(command, readLang(F['LANG']));
  return true;
};

const unregister: MethodHandler = (ctx, p) => {
  ctx.portal.bots.removeCommand(ownedCommand(ctx, upperKeys(p)).id);
  return true;
};

/** `imbot.command.answer`: posts into the dialog of the command message; returns the new id. */
const answer: MethodHandler = (ctx, p) => {
  const P = upperKeys(p);
  const owner = v1OwnerKey(ctx, P);
  let command: CommandRec | undefined;
  if (P['COMMAND_ID'] !== undefined) command = ownedCommand(ctx, P);
  else if (asString(P['COMMAND'])) command = ctx.portal.bots.findCommand(v1OwnedBot(ctx, P, owner).id, String(P['COMMAND']).replace(/^\//, ''));
  if (!command) throw new PortalError('COMMAND_ID_ERROR', 'Command not found');
  const bot = ctx.portal.bots.byId(command.botId);
  const messageId = asInt(P['MESSAGE_ID']);
  if (messageId === undefined || messageId <= 0) throw new PortalError('MESSAGE_ID_EMPTY', 'Message ID can\'t be empty');
  const msg = ctx.portal.chats.message(messageId);
  const chat = msg ? ctx.portal.chats.chat(msg.chatId) : undefined;
  if (!bot || !chat) throw new PortalError('WRONG_REQUEST', 'Message isn\'t added');
  const content = readContent(P, bot.id, 'v1');
  if (content.text === '') throw new PortalError('MESSAGE_EMPTY', 'Message can\'t be empty');
  if (!chat.members.has(bot.id)) content.system = true;
  return botPost(ctx, bot, chat, content, { via: ctx.method, commandId: command.id, replyTo: messageId }).id;
};

/** `imbot.command.*` (facts §4.12). */
export const v1CommandMethods: Record<string, MethodHandler> = {
  'imbot.command.register': register,
  'imbot.command.update': update,
  'imbot.command.unregister': unregister,
  'imbot.command.answer': answer,
};
