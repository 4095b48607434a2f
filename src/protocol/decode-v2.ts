/**
 * Decoders of the Chat bots 2.0 events (`ONIMBOTV2*`), pushed (webhook mode, every scalar a string) or
 * fetched (`imbot.v2.Event.get`, JSON types). One event per delivery: v2 sends one request per bot.
 * Input is validated by the schemas in `schemas-v2.ts` first.
 */
import { v2MessageExtras } from './decode-extras.js';
import type {
  BotDeleteEvent,
  ChatKind,
  CommandEvent,
  ContextEvent,
  EventBot,
  EventChat,
  EventMessage,
  EventUser,
  JoinEvent,
  MessageDeleteEvent,
  MessageEditEvent,
  MessageEvent,
  ReactionEvent,
} from './events.js';
import {
  chatKindFromCode,
  commandContext,
  commandName,
  eventBase,
  mentionsBot,
  objectOf,
  safeCopy,
  startsWithCommand,
  stripLeadingMention,
  toBool,
  toInt,
  toStr,
  type DecodeContext,
  type WireObject,
} from './wire.js';

interface V2Parts {
  bot: EventBot;
  /** `bot`, `supervisor`, `personal`, `openline`…; empty in webhook mode (`data.bot` is `{id, code, auth}`). */
  botType: string;
  chat: EventChat;
  user: EventUser;
  language: string;
}

// `chat.type` (chat-bots-v2/entities.md#chat: chat, open, channel, openChannel, copilot, thread,
// generalChannel; events also show private, general, lines; the im module adds collab). Lower-cased.
const CHAT_KINDS: ReadonlyMap<string, ChatKind> = new Map<string, ChatKind>([
  ['private', 'private'],
  ['chat', 'group'],
  ['open', 'group'],
  ['general', 'group'],
  ['generalchannel', 'group'],
  ['channel', 'group'],
  ['openchannel', 'group'],
  ['copilot', 'group'],
  ['thread', 'group'],
  ['comment', 'group'],
  ['collab', 'group'],
  ['lines', 'openline'],
]);

// `authorFallback` names the user when `data.user` degraded to nothing (only meaningful for messages).
function partsOf(data: WireObject, authorFallback = 0): V2Parts {
  const bot = objectOf(data['bot'], 'data[bot]');
  const user = userOf(objectOf(data['user'], 'data[user]'), authorFallback);
  return {
    bot: { id: toInt(bot['id'], 'data[bot][id]'), code: toStr(bot['code'], 'data[bot][code]') },
    botType: toStr(bot['type'], 'data[bot][type]').trim().toLowerCase(),
    chat: chatOf(objectOf(data['chat'], 'data[chat]'), toStr(data['dialogId'], 'data[dialogId]'), user.id),
    user,
    language: toStr(data['language'], 'data[language]') || toStr(bot['language'], 'data[bot][language]'),
  };
}

function chatOf(chat: WireObject, dataDialogId: string, userId: number): EventChat {
  const id = toInt(chat['id'], 'data[chat][id]');
  const given = toStr(chat['dialogId'], 'data[chat][dialogId]') || dataDialogId;
  const kind = kindOf(chat, given);
  const fallback = kind === 'private' && userId > 0 ? String(userId) : id > 0 ? `chat${id}` : '';
  return { id, dialogId: given || fallback, kind, title: toStr(chat['name'], 'data[chat][name]') };
}

/**
 * `private` → private; the documented multi-user types (`chat`, `open`, `channel`, `openChannel`,
 * `copilot`, `thread`, `generalChannel`, ...) → group; `lines` (or entityType LINES) → openline; an
 * unknown type by its `messageType` letter; else other.
 */
function kindOf(chat: WireObject, dialogId: string): ChatKind {
  const type = toStr(chat['type'], 'data[chat][type]').trim().toLowerCase();
  const entityType = toStr(chat['entityType'], 'data[chat][entityType]');
  if (entityType.trim().toUpperCase() === 'LINES') return 'openline';
  const known = CHAT_KINDS.get(type);
  if (known !== undefined) return known;
  const messageType = toStr(chat['messageType'], 'data[chat][messageType]');
  if (messageType !== '') return chatKindFromCode(messageType, entityType);
  if (type !== '') return 'other';
  // A degraded chat (`{id}` only): a numeric dialog id is always a one-to-one dialogue.
  return /^[0-9]+$/.test(dialogId) ? 'private' : 'other';
}

function userOf(user: WireObject, fallbackId: number): EventUser {
  const firstName = toStr(user['firstName'], 'data[user][firstName]');
  const lastName = toStr(user['lastName'], 'data[user][lastName]');
  return {
    id: toInt(user['id'], 'data[user][id]') || fallbackId,
    name: toStr(user['name'], 'data[user][name]') || `${firstName} ${lastName}`.trim(),
    firstName,
    lastName,
    isBot: toBool(user['bot']) || toStr(user['type'], 'data[user][type]') === 'bot',
    isExtranet: toBool(user['extranet']),
  };
}

/**
 * Addressed (v2), as far as the text shows: a private or open-line dialogue, a `[USER=<botId>]` mention
 * anywhere in the text, or (for bots other than supervisor/personal) a leading slash command. The
 * runtime treats every group message delivered to a `bot`/`openline` bot as addressed, since the
 * platform sends those bots only the messages addressed to them and may strip the mention; this flag
 * matters for supervisor and personal bots, which get every message.
 */
function isAddressed(original: string, text: string, parts: V2Parts): boolean {
  const { kind } = parts.chat;
  if (kind === 'private' || kind === 'openline') return true;
  if (mentionsBot(original, parts.bot.id)) return true;
  const seesEverything = parts.botType === 'supervisor' || parts.botType === 'personal';
  return !seesEverything && startsWithCommand(text);
}

// What a stripped mention leaves in front of a group message: "[USER=5]Bot[/USER], hi" -> ", hi".
const LEFT_SEPARATOR = /^\s*[,:;]\s+/u;

function messageOf(message: WireObject, parts: V2Parts): EventMessage {
  const original = toStr(message['text'], 'data[message][text]');
  // Whether the platform strips the bot's mention in v2 is UNCONFIRMED; strip it here (and the separator
  // a stripped one leaves in a group) so both cases look alike.
  const stripped = stripLeadingMention(original, parts.bot.id);
  const text = stripped === original && parts.chat.kind !== 'private' ? original.replace(LEFT_SEPARATOR, '') : stripped;
  return {
    id: toInt(message['id'], 'data[message][id]'),
    text,
    originalText: original,
    addressed: isAddressed(original, text, parts),
    ...v2MessageExtras(message),
  };
}

function messageParts(data: WireObject): { message: WireObject; parts: V2Parts } {
  const message = objectOf(data['message'], 'data[message]');
  return { message, parts: partsOf(data, toInt(message['authorId'], 'data[message][authorId]')) };
}

/** ONIMBOTV2MESSAGEADD → `message`. */
export function decodeV2Message(data: WireObject, ctx: DecodeContext): MessageEvent[] {
  const { message, parts } = messageParts(data);
  return [{ type: 'message', ...eventBase('v2', ctx, parts), message: messageOf(message, parts) }];
}

/** ONIMBOTV2MESSAGEUPDATE → `message_edit`. */
export function decodeV2MessageEdit(data: WireObject, ctx: DecodeContext): MessageEditEvent[] {
  const { message, parts } = messageParts(data);
  return [{ type: 'message_edit', ...eventBase('v2', ctx, parts), message: messageOf(message, parts) }];
}

/** ONIMBOTV2MESSAGEDELETE → `message_delete`. */
export function decodeV2MessageDelete(data: WireObject, ctx: DecodeContext): MessageDeleteEvent[] {
  const message = objectOf(data['message'], 'data[message]');
  const messageId = toInt(data['messageId'], 'data[messageId]') || toInt(message['id'], 'data[message][id]');
  return [{ type: 'message_delete', ...eventBase('v2', ctx, partsOf(data)), messageId }];
}

/** ONIMBOTV2JOINCHAT → `join`. */
export function decodeV2Join(data: WireObject, ctx: DecodeContext): JoinEvent[] {
  return [{ type: 'join', ...eventBase('v2', ctx, partsOf(data)) }];
}

/** ONIMBOTV2COMMANDADD → `command` (`/Help` → `help`, context lower-case). */
export function decodeV2Command(data: WireObject, ctx: DecodeContext): CommandEvent[] {
  const command = objectOf(data['command'], 'data[command]');
  const message = objectOf(data['message'], 'data[message]');
  return [
    {
      type: 'command',
      ...eventBase('v2', ctx, partsOf(data)),
      command: {
        id: toInt(command['id'], 'data[command][id]'),
        name: commandName(command['command'], 'data[command][command]'),
        params: toStr(command['params'], 'data[command][params]'),
        context: commandContext(command['context'], 'data[command][context]'),
      },
      messageId: toInt(message['id'], 'data[message][id]'),
    },
  ];
}

/** ONIMBOTV2REACTIONCHANGE → `reaction`. */
export function decodeV2Reaction(data: WireObject, ctx: DecodeContext): ReactionEvent[] {
  const message = objectOf(data['message'], 'data[message]');
  return [
    {
      type: 'reaction',
      ...eventBase('v2', ctx, partsOf(data)),
      messageId: toInt(message['id'], 'data[message][id]'),
      reaction: toStr(data['reaction'], 'data[reaction]'),
      action: toStr(data['action'], 'data[action]') === 'delete' ? 'delete' : 'add',
    },
  ];
}

/** ONIMBOTV2CONTEXTGET → `context` (a copy of the untrusted `context` object). */
export function decodeV2Context(data: WireObject, ctx: DecodeContext): ContextEvent[] {
  const context = safeCopy(objectOf(data['context'], 'data[context]'));
  return [{ type: 'context', ...eventBase('v2', ctx, partsOf(data)), context }];
}

/** ONIMBOTV2DELETE → `bot_delete` (only `bot` is sent: chat and user are empty). */
export function decodeV2BotDelete(data: WireObject, ctx: DecodeContext): BotDeleteEvent[] {
  return [{ type: 'bot_delete', ...eventBase('v2', ctx, partsOf(data)) }];
}
