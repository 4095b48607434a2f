import type { BotRec } from './bots.js';
import type { ChatRec, MessageRec } from './chats.js';
import { cutText, isRemoval, normalizeAttach, normalizeKeyboard, normalizeMenu } from './content.js';
import { asBool, asString, pick, type Params } from './params.js';
import { PortalError } from './portal-error.js';
import type { PortalState } from './portal-state.js';
import type { MethodContext } from './rest.js';
import type { SentMessage } from './types.js';

/** The content of a bot message after validation. */
export interface PostContent {
  text: string;
  keyboard: Record<string, unknown> | null;
  attach: unknown | null;
  menu: Record<string, unknown> | null;
  system: boolean;
}

/** Bookkeeping of a bot message. */
export interface PostMeta {
  via: string;
  commandId?: number | null;
  replyTo?: number | null;
  idempotencyKey?: string | null;
}

/**
 * The chat a bot addresses with `dialogId`: a group `chatN` it is a member of, or the private dialog
 * with user `<id>`. Anything else answers `deniedCode`.
 */
export function resolveBotDialog(portal: PortalState, bot: BotRec, dialogId: string, deniedCode: string): ChatRec {
  const group = portal.chats.group(dialogId);
  if (group) {
    if (!group.members.has(bot.id)) throw new PortalError(deniedCode, 'The bot is not a member of this chat');
    return group;
  }
  const userId = /^\d+$/.test(dialogId) ? Number(dialogId) : 0;
  if (userId === bot.id || !portal.directory.get(userId)) throw new PortalError(deniedCode, 'Dialog not found');
  return portal.chats.privateChat(bot.id, userId);
}

/** Reads content from a v2 `fields` map or upper-cased v1 params (keys differ only in case). */
export function readContent(src: Params, botId: number, api: 'v1' | 'v2', menuError?: string): PostContent {
  const v = (camel: string, upper: string): unknown => pick(src, camel, upper);
  const keyboard = v('keyboard', 'KEYBOARD');
  const attach = v('attach', 'ATTACH');
  const menu = v('menu', 'MENU');
  return {
    text: cutText((asString(v('message', 'MESSAGE')) ?? '').trim()),
    keyboard: keyboard === undefined || isRemoval(keyboard) ? null : normalizeKeyboard(keyboard, botId),
    attach: attach === undefined || isRemoval(attach) ? null : normalizeAttach(attach, api),
    menu: menu === undefined || isRemoval(menu) ? null : normalizeMenu(menu, menuError ? { menuError } : {}),
    system: asBool(v('system', 'SYSTEM'), false),
  };
}

/** Applies an update's fields to a message: omitted keeps, `"N"`/empty removes. */
export function applyUpdate(msg: MessageRec, src: Params, api: 'v1' | 'v2', menuError?: string): void {
  const next = readContent(src, msg.botId ?? 0, api, menuError);
  const has = (camel: string, upper: string): boolean => pick(src, camel, upper) !== undefined;
  if (has('message', 'MESSAGE')) msg.text = next.text;
  if (has('keyboard', 'KEYBOARD')) msg.keyboard = next.keyboard;
  if (has('attach', 'ATTACH')) msg.attach = next.attach;
  if (has('menu', 'MENU')) msg.menu = next.menu;
  msg.updated = true;
}

/** Stores a bot message and wakes {@link EmulatedPortal.waitForMessages}. */
export function botPost(ctx: Pick<MethodContext, 'core' | 'portal'>, bot: BotRec, chat: ChatRec, content: PostContent,
  meta: PostMeta): MessageRec {
  const msg = ctx.portal.chats.post({
    chatId: chat.id, authorId: bot.id, dateMs: ctx.core.clock(), botId: bot.id, botCode: bot.code, ...content, via: meta.via,
    commandId: meta.commandId ?? null, replyTo: meta.replyTo ?? null, idempotencyKey: meta.idempotencyKey ?? null,
  });
  ctx.portal.stats.bump('messagesPosted');
  ctx.portal.emitter.emit('posted', msg);
  return msg;
}

/** Tells waiters that a bot message changed (update, delete). */
export function touched(portal: PortalState, msg: MessageRec): void {
  portal.emitter.emit('posted', msg);
}

/** The dialog of a bot message as the bot addresses it. */
export function botDialogId(portal: PortalState, msg: MessageRec): string {
  const chat = portal.chats.chat(msg.chatId);
  return chat ? portal.chats.dialogIdFor(chat, msg.botId ?? 0) : '';
}

/** The public view of a bot message. */
export function sentMessageView(portal: PortalState, msg: MessageRec): SentMessage {
  return {
    id: msg.id, botId: msg.botId ?? 0, botCode: msg.botCode ?? '', dialogId: botDialogId(portal, msg), text: msg.text,
    keyboard: structuredClone(msg.keyboard), attach: structuredClone(msg.attach), menu: structuredClone(msg.menu),
    system: msg.system, via: msg.via ?? '', commandId: msg.commandId, replyTo: msg.replyTo,
    idempotencyKey: msg.idempotencyKey, updated: msg.updated, deleted: msg.deleted, fileIds: [...msg.fileIds],
  };
}
