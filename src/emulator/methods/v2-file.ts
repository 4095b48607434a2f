/**
 * `imbot.v2.File.upload/download` (`v2/imbot.v2/files/*.md`), `Chat.Message.get/read`
 * (`v2/imbot.v2/messages/chat-message-get.md`, `chat-message-read.md`), `Chat.TextField.enabled`
 * (`v2/imbot.v2/ui/chat-text-field-enabled.md`), and classic `disk.file.get` (`api-reference/disk/file/disk-file-get.md`).
 */
import type { ChatRec } from '../chats.js';
import { v2FileView } from '../file-views.js';
import { asBool, asInt, asObject, asString, pick, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import { botPost, resolveBotDialog } from '../posting.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { v2MessageView, v2UserView } from '../views.js';
import { v2OwnedBot, v2OwnerKey } from './owner.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function dialogOf(p: Params): string {
  const dialogId = asString(pick(p, 'dialogId', 'DIALOG_ID'))?.trim();
  if (!dialogId) throw new PortalError('DIALOG_ID_EMPTY', 'Dialog id is required');
  return dialogId;
}

/** Decodes `fields.content`; the size limit is checked on the encoded length first, so nothing big is decoded in vain. */
function decodeContent(ctx: MethodContext, content: string): Buffer {
  const compact = content.replace(/\s+/g, '');
  if (Math.floor((compact.length * 3) / 4) - 2 > ctx.portal.files.limits.maxFileBytes) throw new PortalError('FILE_TOO_LARGE', 'File is too large');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new PortalError('FILE_INVALID_CONTENT', 'Invalid base64 content');
  return Buffer.from(compact, 'base64');
}

/** Stores the file on the chat's Disk and posts it as a bot message with the optional caption. */
const upload: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const chat = resolveBotDialog(ctx.portal, bot, dialogOf(p), 'ACCESS_DENIED');
  const fields = asObject(pick(p, 'fields', 'FIELDS')) ?? {};
  const name = asString(pick(fields, 'name', 'NAME'))?.trim() ?? '';
  const content = asString(pick(fields, 'content', 'CONTENT')) ?? '';
  if (name === '' || content === '') throw new PortalError('FILE_EMPTY', 'File name or content is empty');
  const bytes = decodeContent(ctx, content);
  if (bytes.length === 0) throw new PortalError('FILE_EMPTY', 'File name or content is empty');
  const file = ctx.portal.files.add({ chatId: chat.id, name, authorId: bot.id, dateMs: ctx.core.clock(), content: bytes });
  const caption = asString(pick(fields, 'message', 'MESSAGE')) ?? '';
  const msg = botPost(ctx, bot, chat, { text: caption, keyboard: null, attach: null, menu: null, system: false }, { via: ctx.method });
  msg.fileIds.push(file.id);
  const dialogId = ctx.portal.chats.dialogIdFor(chat, bot.id);
  return { file: v2FileView(file, ctx.portal.botUser(bot).name, true), messageId: msg.id, chatId: chat.id, dialogId };
};

/** A member of the file's chat gets a single-use URL (`…/rest/download.json?token=imbot|…`). */
const download: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const file = ctx.portal.files.get(asInt(pick(p, 'fileId', 'FILE_ID')) ?? 0);
  if (!file) throw new PortalError('FILE_NOT_FOUND', 'File not found');
  if (!ctx.portal.chats.chat(file.chatId)?.members.has(bot.id)) throw new PortalError('FILE_ACCESS_ERROR', 'File access error');
  const token = ctx.portal.files.issueToken(file.id);
  return { downloadUrl: `${ctx.portal.clientEndpoint}download.json?token=${encodeURIComponent(token)}` };
};

function memberChat(ctx: MethodContext, chatId: number, botId: number): ChatRec | undefined {
  const chat = ctx.portal.chats.chat(chatId);
  return chat?.members.has(botId) ? chat : undefined;
}

/** Only supervisor and personal bots may read messages (`BOT_TYPE_NOT_ALLOWED` otherwise). */
const messageGet: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  if (bot.type !== 'supervisor' && bot.type !== 'personal') throw new PortalError('BOT_TYPE_NOT_ALLOWED', 'Bot type not allowed');
  const msg = ctx.portal.chats.message(asInt(pick(p, 'messageId', 'MESSAGE_ID')) ?? 0);
  if (!msg || msg.deleted) throw new PortalError('MESSAGE_NOT_FOUND', 'Message not found');
  if (!memberChat(ctx, msg.chatId, bot.id)) throw new PortalError('MESSAGE_ACCESS_DENIED', 'Message access denied');
  const author = ctx.portal.directory.get(msg.authorId);
  return { message: { ...v2MessageView(msg), unread: false, viewed: true }, user: author ? v2UserView(author) : [] };
};

/** The messages around one, `range` (1-50, clamped, default 50) on each side, oldest first. */
const messageContext: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  if (bot.type !== 'supervisor' && bot.type !== 'personal') throw new PortalError('BOT_TYPE_NOT_ALLOWED', 'Bot type not allowed');
  const center = ctx.portal.chats.message(asInt(pick(p, 'messageId', 'MESSAGE_ID')) ?? 0);
  if (!center || center.deleted) throw new PortalError('MESSAGE_NOT_FOUND', 'Message not found');
  if (!memberChat(ctx, center.chatId, bot.id)) throw new PortalError('MESSAGE_ACCESS_DENIED', 'Message access denied');
  const range = Math.min(50, Math.max(1, asInt(pick(p, 'range', 'RANGE')) ?? 50));
  const all = ctx.portal.chats.allMessages().filter((m) => m.chatId === center.chatId && !m.deleted);
  const at = all.findIndex((m) => m.id === center.id);
  const window = all.slice(Math.max(0, at - range), at + range + 1);
  const users = [...new Set(window.map((m) => m.authorId))].map((id) => ctx.portal.directory.get(id)).filter((u) => u !== undefined);
  return {
    messages: window.map((m) => v2MessageView(m)), users: users.map((u) => v2UserView(u)),
    hasPrevPage: at - range > 0, hasNextPage: at + range + 1 < all.length,
  };
};

/** Marks the chat read for the bot up to `messageId` (all by default). */
const messageRead: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const chat = resolveBotDialog(ctx.portal, bot, dialogOf(p), 'ACCESS_DENIED');
  const inChat = ctx.portal.chats.allMessages().filter((m) => m.chatId === chat.id && !m.deleted);
  const upTo = asInt(pick(p, 'messageId', 'MESSAGE_ID'));
  if (upTo !== undefined && !inChat.some((m) => m.id === upTo)) throw new PortalError('MESSAGE_NOT_FOUND', 'Message not found');
  const viewed = inChat.filter((m) => m.authorId !== bot.id && (upTo === undefined || m.id <= upTo)).map((m) => m.id);
  const lastId = upTo ?? inChat.at(-1)?.id ?? 0;
  ctx.portal.chats.markRead(chat.id, bot.id, lastId);
  return { chatId: chat.id, lastId, counter: 0, viewedMessages: viewed };
};

/** Switches the chat's input field (`enabled`, default true). */
const textField: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const chat = resolveBotDialog(ctx.portal, bot, dialogOf(p), 'ACCESS_DENIED');
  chat.textFieldEnabled = asBool(pick(p, 'enabled', 'ENABLED'), true);
  return { result: true };
};

/** Classic: a Disk file with its single-use `DOWNLOAD_URL` (scope `disk`); any file of a chat the caller's bots are in. */
const diskFileGet: MethodHandler = (ctx, p) => {
  const file = ctx.portal.files.get(asInt(pick(p, 'id', 'ID')) ?? 0);
  if (!file) throw new PortalError('ERROR_NOT_FOUND', 'Could not find entity with id', 404);
  const token = ctx.portal.files.issueToken(file.id);
  return {
    ID: String(file.id), NAME: file.name, TYPE: 'file', SIZE: String(file.size), CREATED_BY: String(file.authorId),
    DOWNLOAD_URL: `${ctx.portal.clientEndpoint}download.json?token=${encodeURIComponent(token)}`,
  };
};

/** The file and message-reading methods. */
export const v2FileMethods: Record<string, MethodHandler> = {
  'imbot.v2.File.upload': upload,
  'imbot.v2.File.download': download,
  'imbot.v2.Chat.Message.get': messageGet,
  'imbot.v2.Chat.Message.getContext': messageContext,
  'imbot.v2.Chat.Message.read': messageRead,
  'imbot.v2.Chat.TextField.enabled': textField,
  'disk.file.get': diskFileGet,
};
