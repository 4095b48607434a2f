/**
 * Chat management by bots: v2 `imbot.v2.Chat.*` (`v2/imbot.v2/chats/*.md`) and classic `imbot.chat.*`,
 * `imbot.dialog.get` (`outdated/chats/*.md`). Group chats only; the bot must be a member.
 */
import type { BotRec } from '../bots.js';
import type { ChatRec } from '../chats.js';
import { asInt, asList, asObject, asString, pick, upperKeys, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import { botPost } from '../posting.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { isoDate, v2UserView } from '../views.js';
import { v1OwnedBot, v1OwnerKey, v2OwnedBot, v2OwnerKey } from './owner.js';

/** `v2/imbot.v2/chats/chat-add.md#available-colors`. */
const COLORS: Readonly<Record<string, string>> = {
  red: '#df532d', green: '#64a513', mint: '#4ba984', lightBlue: '#4ba5c3', darkBlue: '#3e99ce', purple: '#8474c8',
  aqua: '#1eb4aa', pink: '#f76187', lime: '#58cc47', brown: '#ab7761', azure: '#29619b', khaki: '#728f7a',
  sand: '#ba9c7b', marengo: '#556574', gray: '#909090', graphite: '#5e5f5e',
};

/** A v2 colour name or a classic upper-snake one (`LIGHT_BLUE`) → hex; unknown → undefined (auto-assigned). */
function colorOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const camel = value.includes('_') || value === value.toUpperCase() ? value.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) : value;
  return COLORS[camel];
}

const ids = (v: unknown): number[] => (asList(v) ?? (v === undefined ? [] : [v])).map((x) => asInt(x) ?? 0).filter((n) => n > 0);

function memberGroup(ctx: MethodContext, bot: BotRec, dialogId: string | undefined, denied: string): ChatRec {
  const chat = dialogId ? ctx.portal.chats.group(dialogId.trim()) : undefined;
  if (!chat || !chat.members.has(bot.id)) throw new PortalError(denied, 'Access denied');
  return chat;
}

function knownUsers(ctx: MethodContext, userIds: number[]): number[] {
  for (const id of userIds) if (!ctx.portal.directory.get(id)) throw new PortalError('USER_NOT_FOUND', `User ${id} not found`);
  return userIds;
}

function chatView(chat: ChatRec): Record<string, unknown> {
  return {
    id: chat.id, dialogId: `chat${chat.id}`, name: chat.title, description: chat.description ?? '', type: 'chat', messageType: 'C',
    owner: chat.ownerId, color: chat.color, avatar: chat.avatar ?? '', entityType: '', textFieldEnabled: chat.textFieldEnabled === false ? 'N' : 'Y',
    managerList: [...(chat.managers ?? [])], userCounter: chat.members.size, dateCreate: isoDate(0),
  };
}

function createChat(ctx: MethodContext, bot: BotRec, f: { title: string; users: number[]; owner: number; description?: string; color?: string; avatar?: string; message?: string }): ChatRec {
  const chat = ctx.portal.chats.createGroup(f.title, [bot.id, ...knownUsers(ctx, f.users)], f.owner);
  const color = colorOf(f.color);
  if (color) chat.color = color;
  if (f.description) chat.description = f.description;
  if (f.avatar) chat.avatar = 'data:image';
  if (f.message) botPost(ctx, bot, chat, { text: f.message, keyboard: null, attach: null, menu: null, system: false }, { via: ctx.method });
  return chat;
}

function v2(handler: (ctx: MethodContext, bot: BotRec, p: Params) => unknown): MethodHandler {
  return (ctx, p) => handler(ctx, v2OwnedBot(ctx, p, v2OwnerKey(ctx, p)), p);
}

const group = (ctx: MethodContext, bot: BotRec, p: Params): ChatRec => memberGroup(ctx, bot, asString(pick(p, 'dialogId', 'DIALOG_ID')), 'ACCESS_DENIED');
const ok = { result: true };

const v2Methods: Record<string, MethodHandler> = {
  'imbot.v2.Chat.add': v2((ctx, bot, p) => {
    const f = asObject(pick(p, 'fields', 'FIELDS')) ?? {};
    const chat = createChat(ctx, bot, {
      title: asString(f['title']) ?? '', users: ids(f['userIds']), owner: asInt(f['ownerId']) ?? bot.id,
      ...optional({ description: asString(f['description']), color: asString(f['color']), avatar: asString(f['avatar']), message: asString(f['message']) }),
    });
    const users = [...chat.members].map((id) => ctx.portal.directory.get(id)).filter((u) => u !== undefined).map((u) => v2UserView(u));
    return { chat: chatView(chat), users };
  }),
  'imbot.v2.Chat.get': v2((ctx, bot, p) => ({ chat: chatView(group(ctx, bot, p)) })),
  'imbot.v2.Chat.update': v2((ctx, bot, p) => {
    const chat = group(ctx, bot, p);
    const f = asObject(pick(p, 'fields', 'FIELDS')) ?? {};
    if (asString(f['title'])) chat.title = asString(f['title']) as string;
    const description = asString(f['description']);
    if (description !== undefined) chat.description = description;
    const color = colorOf(asString(f['color']));
    if (color) chat.color = color;
    return ok;
  }),
  'imbot.v2.Chat.leave': v2((ctx, bot, p) => {
    group(ctx, bot, p).members.delete(bot.id);
    return ok;
  }),
  'imbot.v2.Chat.setOwner': v2((ctx, bot, p) => {
    const chat = group(ctx, bot, p);
    const userId = asInt(pick(p, 'userId', 'USER_ID')) ?? 0;
    if (!chat.members.has(userId)) throw new PortalError('USER_NOT_FOUND', 'User is not a member of the chat');
    chat.ownerId = userId;
    return ok;
  }),
  'imbot.v2.Chat.User.add': v2((ctx, bot, p) => {
    const chat = group(ctx, bot, p);
    for (const id of knownUsers(ctx, ids(pick(p, 'userIds', 'USER_IDS')))) chat.members.add(id);
    return ok;
  }),
  'imbot.v2.Chat.User.delete': v2((ctx, bot, p) => {
    group(ctx, bot, p).members.delete(asInt(pick(p, 'userId', 'USER_ID')) ?? 0);
    return ok;
  }),
  // The one bare-array result of the v2 API (`chat-user-list.md`).
  'imbot.v2.Chat.User.list': v2((ctx, bot, p) => [...group(ctx, bot, p).members]
    .map((id) => ctx.portal.directory.get(id)).filter((u) => u !== undefined).map((u) => v2UserView(u))),
  'imbot.v2.Chat.Manager.add': v2((ctx, bot, p) => managers(group(ctx, bot, p), ids(pick(p, 'userIds', 'USER_IDS')), true)),
  'imbot.v2.Chat.Manager.delete': v2((ctx, bot, p) => managers(group(ctx, bot, p), ids(pick(p, 'userIds', 'USER_IDS')), false)),
};

function optional<T extends Record<string, unknown>>(o: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}

function managers(chat: ChatRec, userIds: number[], on: boolean): { result: true } {
  chat.managers ??= new Set();
  for (const id of userIds) {
    if (on && chat.members.has(id)) chat.managers.add(id);
    else chat.managers.delete(id);
  }
  return { result: true };
}

function v1(handler: (ctx: MethodContext, bot: BotRec, P: Params) => unknown): MethodHandler {
  return (ctx, p) => {
    const P = upperKeys(p);
    return handler(ctx, v1OwnedBot(ctx, P, v1OwnerKey(ctx, P)), P);
  };
}

const v1Group = (ctx: MethodContext, bot: BotRec, P: Params): ChatRec => {
  const id = asInt(P['CHAT_ID']);
  if (id === undefined || id <= 0) throw new PortalError('CHAT_ID_EMPTY', 'Chat ID can\'t be empty');
  return memberGroup(ctx, bot, `chat${id}`, 'ACCESS_ERROR');
};

const v1Methods: Record<string, MethodHandler> = {
  'imbot.chat.add': v1((ctx, bot, P) => createChat(ctx, bot, {
    title: asString(P['TITLE']) ?? '', users: ids(P['USERS']), owner: bot.id,
    ...optional({ description: asString(P['DESCRIPTION']), color: asString(P['COLOR']), avatar: asString(P['AVATAR']), message: asString(P['MESSAGE']) }),
  }).id),
  'imbot.dialog.get': v1((ctx, bot, P) => {
    const chat = memberGroup(ctx, bot, asString(P['DIALOG_ID']), 'ACCESS_ERROR');
    return { id: String(chat.id), name: chat.title, owner: String(chat.ownerId), color: chat.color, type: 'chat', manager_list: [...(chat.managers ?? [])], dialog_id: `chat${chat.id}` };
  }),
  'imbot.chat.updateTitle': v1((ctx, bot, P) => { v1Group(ctx, bot, P).title = asString(P['TITLE']) ?? ''; return true; }),
  'imbot.chat.updateColor': v1((ctx, bot, P) => {
    const color = colorOf(asString(P['COLOR']));
    if (!color) throw new PortalError('WRONG_COLOR', 'Wrong color');
    v1Group(ctx, bot, P).color = color;
    return true;
  }),
  'imbot.chat.updateAvatar': v1((ctx, bot, P) => { v1Group(ctx, bot, P).avatar = 'data:image'; return true; }),
  'imbot.chat.leave': v1((ctx, bot, P) => v1Group(ctx, bot, P).members.delete(bot.id)),
  'imbot.chat.setOwner': v1((ctx, bot, P) => {
    const chat = v1Group(ctx, bot, P);
    const userId = asInt(P['USER_ID']) ?? 0;
    if (!chat.members.has(userId)) throw new PortalError('USER_NOT_FOUND', 'User is not a member of the chat');
    chat.ownerId = userId;
    return true;
  }),
  'imbot.chat.user.add': v1((ctx, bot, P) => {
    const chat = v1Group(ctx, bot, P);
    for (const id of knownUsers(ctx, ids(P['USERS']))) chat.members.add(id);
    return true;
  }),
  'imbot.chat.user.delete': v1((ctx, bot, P) => v1Group(ctx, bot, P).members.delete(asInt(P['USER_ID']) ?? 0)),
  'imbot.chat.user.list': v1((ctx, bot, P) => [...v1Group(ctx, bot, P).members]),
  'imbot.chat.setManager': v1((ctx, bot, P) => managers(v1Group(ctx, bot, P), ids(P['USER_ID']), String(P['IS_MANAGER'] ?? 'Y').toUpperCase() !== 'N') && true),
};

/** Chat management of both API generations. */
export const chatAdminMethods: Record<string, MethodHandler> = { ...v2Methods, ...v1Methods };
