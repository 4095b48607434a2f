import type { BotRec } from './bots.js';
import type { ChatRec, MessageRec } from './chats.js';
import type { UserRec } from './directory.js';
import type { PortalState } from './portal-state.js';

/** ISO 8601 with an explicit offset, as Bitrix24 prints dates (`2026-05-14T10:26:32+00:00`). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** The portal's language (events carry the portal default, not the user's). */
export const LANGUAGE = 'en';

/** A v2 Bot object: owner format with counters, or the public format (v2 facts §2.3). */
export function v2BotView(portal: PortalState, bot: BotRec, owner: boolean): Record<string, unknown> {
  const pub = {
    id: bot.id, code: bot.code, type: bot.type, isHidden: bot.isHidden, isSupportOpenline: bot.openline,
    isReactionsEnabled: bot.isReactionsEnabled, backgroundId: bot.backgroundId, language: LANGUAGE,
  };
  if (!owner) return pub;
  const chats = portal.chats.chatsOf(bot.id);
  return {
    ...pub, moduleId: 'rest', eventMode: bot.eventMode,
    countMessage: portal.chats.countByBot(bot.id),
    countCommand: portal.bots.commandsOf(bot.id).length,
    countChat: chats.filter((c) => c.kind === 'group').length,
    countUser: chats.filter((c) => c.kind === 'private').length,
  };
}

/** A v2 User object (v2 facts §6); `lastActivityDate` and the other online fields are `false`. */
export function v2UserView(user: UserRec, color = '#df532d'): Record<string, unknown> {
  return {
    id: user.id, active: true, name: user.name, firstName: user.firstName, lastName: user.lastName,
    workPosition: user.workPosition, color, avatar: '', gender: user.gender, birthday: '', extranet: false,
    bot: user.isBot, connector: false, externalAuthId: user.isBot ? 'bot' : 'default', status: 'online',
    idle: false, lastActivityDate: false, absent: false, departments: [1], phones: false,
    type: user.isBot ? 'bot' : 'employee',
  };
}

/** The short chat form of v2 events; a private chat shows the other party's id as `dialogId`. */
export function v2ChatView(portal: PortalState, chat: ChatRec, viewerId: number): Record<string, unknown> {
  return {
    id: chat.id, dialogId: portal.chats.dialogIdFor(chat, viewerId),
    type: chat.kind === 'group' ? 'chat' : 'private', name: chat.title, entityType: '',
    owner: chat.kind === 'group' ? chat.ownerId : viewerId, avatar: '', color: chat.color,
  };
}

/** A v2 Message object (v2 facts §3.6). */
export function v2MessageView(msg: MessageRec): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (msg.attach !== null) params['ATTACH'] = msg.attach;
  if (msg.keyboard !== null) params['KEYBOARD'] = msg.keyboard;
  if (msg.replyTo !== null) params['REPLY_ID'] = msg.replyTo;
  // Files by id only, as the platform's Message::toRestFormat gives them (see src/protocol/decode-extras.ts).
  if (msg.fileIds.length > 0) params['FILE_ID'] = [...msg.fileIds];
  return {
    id: msg.id, chatId: msg.chatId, authorId: msg.system ? 0 : msg.authorId, date: isoDate(msg.dateMs),
    text: msg.text, isSystem: msg.system, uuid: msg.idempotencyKey ?? '', params,
    forward: msg.forwardOf ? { id: msg.forwardOf.id, userId: msg.forwardOf.authorId, chatId: msg.forwardOf.chatId, date: isoDate(msg.forwardOf.dateMs) } : null,
    viewedByOthers: false,
  };
}

/** The `time` block of every REST answer (facts §7.3). */
export function timeBlock(startMs: number, finishMs: number, operating?: { operating: number; resetAt: number }): Record<string, unknown> {
  const start = startMs / 1000;
  const finish = Math.max(finishMs, startMs) / 1000;
  const block: Record<string, unknown> = {
    start, finish, duration: finish - start, processing: finish - start,
    date_start: isoDate(startMs), date_finish: isoDate(Math.max(finishMs, startMs)),
  };
  if (operating) {
    block['operating_reset_at'] = operating.resetAt;
    block['operating'] = operating.operating;
  }
  return block;
}
