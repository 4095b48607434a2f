/**
 * Decoders of the classic bot events (`ONIMBOT*`, `ONIMCOMMANDADD`). One delivery may address several
 * bots of the app (`data[BOT][<id>]`, `data[COMMAND][<id>]`): each decoder returns one event per bot.
 * Input is validated by the schemas in `schemas-v1.ts` first.
 */
import { v1MessageExtras } from './decode-extras.js';
import type {
  BotDeleteEvent,
  ChatKind,
  CommandEvent,
  EventBot,
  EventChat,
  EventMessage,
  EventUser,
  JoinEvent,
  MessageDeleteEvent,
  MessageEditEvent,
  MessageEvent,
} from './events.js';
import {
  NO_CHAT,
  anonymousUser,
  chatKindFromCode,
  commandContext,
  commandName,
  eventBase,
  mentionsBot,
  objectOf,
  toBool,
  toInt,
  toStr,
  trimAfterMention,
  type DecodeContext,
  type WireObject,
} from './wire.js';

interface V1Parts {
  params: WireObject;
  chat: EventChat;
  user: EventUser;
  language: string;
}

const p = (key: string): string => `data[PARAMS][${key}]`;

function partsOf(data: WireObject): V1Parts {
  const params = objectOf(data['PARAMS'], 'data[PARAMS]');
  const user = objectOf(data['USER'], 'data[USER]');
  return { params, chat: chatOf(params), user: userOf(user, params), language: toStr(params['LANGUAGE'], p('LANGUAGE')) };
}

function chatOf(params: WireObject): EventChat {
  const type = toStr(params['CHAT_TYPE'], p('CHAT_TYPE')) || toStr(params['MESSAGE_TYPE'], p('MESSAGE_TYPE'));
  return {
    // A private dialogue names its chat only as TO_CHAT_ID.
    id: toInt(params['CHAT_ID'], p('CHAT_ID')) || toInt(params['TO_CHAT_ID'], p('TO_CHAT_ID')),
    dialogId: toStr(params['DIALOG_ID'], p('DIALOG_ID')),
    kind: chatKindFromCode(type, toStr(params['CHAT_ENTITY_TYPE'], p('CHAT_ENTITY_TYPE'))),
    title: toStr(params['CHAT_TITLE'], p('CHAT_TITLE')),
  };
}

// data[USER] may be missing (the group ONIMBOTMESSAGEUPDATE example has none): fall back to the ids in PARAMS.
function userOf(user: WireObject, params: WireObject): EventUser {
  const id =
    toInt(user['ID'], 'data[USER][ID]') ||
    toInt(params['USER_ID'], p('USER_ID')) ||
    toInt(params['AUTHOR_ID'], p('AUTHOR_ID')) ||
    toInt(params['FROM_USER_ID'], p('FROM_USER_ID'));
  const firstName = toStr(user['FIRST_NAME'], 'data[USER][FIRST_NAME]');
  const lastName = toStr(user['LAST_NAME'], 'data[USER][LAST_NAME]');
  return {
    id,
    name: toStr(user['NAME'], 'data[USER][NAME]') || `${firstName} ${lastName}`.trim(),
    firstName,
    lastName,
    isBot: toBool(user['IS_BOT']),
    isExtranet: toBool(user['IS_EXTRANET']),
  };
}

function botsOf(data: WireObject): EventBot[] {
  const map = objectOf(data['BOT'], 'data[BOT]');
  return Object.keys(map).map((key) => {
    const field = `data[BOT][${key}]`;
    const block = objectOf(map[key], field);
    // The map key is the bot id; BOT_ID repeats it (and wins when both are present).
    const id = toInt(block['BOT_ID'], `${field}[BOT_ID]`) || toInt(key, field);
    return { id, code: toStr(block['BOT_CODE'], `${field}[BOT_CODE]`) };
  });
}

/**
 * Addressed = a private or open-line dialogue, `TO_USER_ID` is the bot, or the bot is in `MENTIONED_LIST`
 * (or mentioned in `MESSAGE_ORIGINAL`).
 */
function addressed(params: WireObject, botId: number, kind: ChatKind, original: string): boolean {
  if (kind === 'private' || kind === 'openline') return true;
  if (toInt(params['TO_USER_ID'], p('TO_USER_ID')) === botId) return true;
  const mentioned = objectOf(params['MENTIONED_LIST'], p('MENTIONED_LIST'));
  const id = String(botId);
  if (Object.keys(mentioned).some((k) => k === id || String(mentioned[k]).trim() === id)) return true;
  return mentionsBot(original, botId);
}

function messageOf(params: WireObject, botId: number, kind: ChatKind): EventMessage {
  const text = toStr(params['MESSAGE'], p('MESSAGE'));
  const original = toStr(params['MESSAGE_ORIGINAL'], p('MESSAGE_ORIGINAL'), text);
  return {
    id: messageIdOf(params),
    // The platform removed the mention but left its separator (", please reset…").
    text: original === text ? text : trimAfterMention(text),
    originalText: original,
    addressed: addressed(params, botId, kind, original),
    ...v1MessageExtras(params),
  };
}

function messageIdOf(params: WireObject): number {
  return toInt(params['MESSAGE_ID'], p('MESSAGE_ID')) || toInt(params['ID'], p('ID'));
}

/** ONIMBOTMESSAGEADD → one `message` event per addressed bot. */
export function decodeV1Message(data: WireObject, ctx: DecodeContext): MessageEvent[] {
  const parts = partsOf(data);
  return botsOf(data).map((bot) => ({
    type: 'message',
    ...eventBase('v1', ctx, { ...parts, bot }),
    message: messageOf(parts.params, bot.id, parts.chat.kind),
  }));
}

/** ONIMBOTMESSAGEUPDATE → `message_edit`. */
export function decodeV1MessageEdit(data: WireObject, ctx: DecodeContext): MessageEditEvent[] {
  const parts = partsOf(data);
  return botsOf(data).map((bot) => ({
    type: 'message_edit',
    ...eventBase('v1', ctx, { ...parts, bot }),
    message: messageOf(parts.params, bot.id, parts.chat.kind),
  }));
}

/** ONIMBOTMESSAGEDELETE → `message_delete` (the text is a system placeholder, so only the id is kept). */
export function decodeV1MessageDelete(data: WireObject, ctx: DecodeContext): MessageDeleteEvent[] {
  const parts = partsOf(data);
  return botsOf(data).map((bot) => ({
    type: 'message_delete',
    ...eventBase('v1', ctx, { ...parts, bot }),
    messageId: messageIdOf(parts.params),
  }));
}

/** ONIMBOTJOINCHAT → `join`. */
export function decodeV1Join(data: WireObject, ctx: DecodeContext): JoinEvent[] {
  const parts = partsOf(data);
  return botsOf(data).map((bot) => ({ type: 'join', ...eventBase('v1', ctx, { ...parts, bot }) }));
}

/** ONIMCOMMANDADD → one `command` event per `data[COMMAND][<commandId>]` block. */
export function decodeV1Command(data: WireObject, ctx: DecodeContext): CommandEvent[] {
  const parts = partsOf(data);
  const map = objectOf(data['COMMAND'], 'data[COMMAND]');
  return Object.keys(map).map((key) => {
    const field = `data[COMMAND][${key}]`;
    const block = objectOf(map[key], field);
    const bot = { id: toInt(block['BOT_ID'], `${field}[BOT_ID]`), code: toStr(block['BOT_CODE'], `${field}[BOT_CODE]`) };
    const context = block['COMMAND_CONTEXT'] ?? parts.params['COMMAND_CONTEXT'];
    return {
      type: 'command',
      ...eventBase('v1', ctx, { ...parts, bot }),
      command: {
        id: toInt(block['COMMAND_ID'], `${field}[COMMAND_ID]`) || toInt(key, field),
        name: commandName(block['COMMAND'], `${field}[COMMAND]`),
        params: toStr(block['COMMAND_PARAMS'], `${field}[COMMAND_PARAMS]`),
        context: commandContext(context, `${field}[COMMAND_CONTEXT]`),
      },
      messageId: toInt(block['MESSAGE_ID'], `${field}[MESSAGE_ID]`) || messageIdOf(parts.params),
    };
  });
}

/** ONIMBOTDELETE → `bot_delete`; the payload names only the bot, so chat and user are empty. */
export function decodeV1BotDelete(data: WireObject, ctx: DecodeContext): BotDeleteEvent[] {
  const bot = { id: toInt(data['BOT_ID'], 'data[BOT_ID]'), code: toStr(data['BOT_CODE'], 'data[BOT_CODE]') };
  return [{ type: 'bot_delete', ...eventBase('v1', ctx, { bot, chat: NO_CHAT, user: anonymousUser(), language: '' }) }];
}
