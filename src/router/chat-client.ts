/**
 * Typed wrappers for the documented chat-management methods, on `ctx.client.chat`: v2 `imbot.v2.Chat.*`
 * (`v2/imbot.v2/chats/*.md`) and, where the classic API has them, `imbot.chat.*` / `imbot.dialog.get`
 * (`outdated/chats/*.md`). Writes go through the durable outbox with the context's idempotency keys (so a
 * handler re-run after a crash does not create a second chat) and, unlike replies, resolve once the portal
 * confirmed them (a new chat's id is the point, and a later read must see the change); reads go straight
 * through the rate-limited client. Everything fails with the client's coded errors; what the classic API lacks is `CONTEXT_UNSUPPORTED`.
 */
import { BotkitError } from '../errors.js';
import type { BotColor } from '../protocol/outbound.js';
import { isObject } from '../protocol/wire.js';
import { enqueue, type HelperEnv } from './context-files.js';
import type { PortalClient } from './context.js';

/** A chat as `chat.get` reads it. */
export interface ChatInfo {
  id: number;
  dialogId: string;
  title: string;
  /** The owner's user id (0 when not given). */
  ownerId: number;
  /** Manager user ids, where the platform lists them. */
  managerIds: number[];
  /** The platform's whole answer, unchecked. */
  raw: Readonly<Record<string, unknown>>;
}

/** What `chat.add` takes (v2 `Chat.add` fields; classic `imbot.chat.add`). */
export interface NewChat {
  title: string;
  userIds?: number[];
  description?: string;
  color?: BotColor;
  /** Base64 image without a `data:` prefix. */
  avatar?: string;
  /** The first message of the chat. */
  message?: string;
  /** v2 only: the owner (default: the bot). */
  ownerId?: number;
}

/** Fields `chat.update` changes. */
export interface ChatChanges {
  title?: string;
  /** v2 only. */
  description?: string;
  color?: BotColor;
  avatar?: string;
}

/** Chat management as the bot, `dialogId` is `chat<N>` (a private dialogue is `<userId>`). */
export interface ChatApi {
  /** Creates a group chat with the bot in it; resolves with its dialog id and chat id. */
  add(chat: NewChat): Promise<{ dialogId: string; chatId: number }>;
  get(dialogId: string): Promise<ChatInfo>;
  update(dialogId: string, changes: ChatChanges): Promise<void>;
  /** The bot leaves the chat. */
  leave(dialogId: string): Promise<void>;
  setOwner(dialogId: string, userId: number): Promise<void>;
  addUsers(dialogId: string, userIds: number[]): Promise<void>;
  removeUser(dialogId: string, userId: number): Promise<void>;
  /** Member user ids. */
  listUsers(dialogId: string): Promise<number[]>;
  addManagers(dialogId: string, userIds: number[]): Promise<void>;
  removeManagers(dialogId: string, userIds: number[]): Promise<void>;
}

/** `ctx.client`: any REST method, plus the typed chat wrappers. */
export interface BotClient extends PortalClient {
  readonly chat: ChatApi;
}

type Params = Record<string, unknown>;

const int = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0);

function chatIdOf(dialogId: string): number {
  const m = /^chat(\d+)$/.exec(dialogId);
  if (!m) throw new BotkitError('CONTEXT_UNSUPPORTED', `the classic chat methods need a group dialog id (chat<N>), got ${dialogId}`);
  return Number(m[1]);
}

function infoOf(chat: Params, dialogId: string): ChatInfo {
  const managers = Array.isArray(chat['managerList']) ? chat['managerList'] : Array.isArray(chat['manager_list']) ? chat['manager_list'] : [];
  return {
    id: int(chat['id']),
    dialogId: typeof chat['dialogId'] === 'string' ? chat['dialogId'] : dialogId,
    title: String(chat['name'] ?? chat['title'] ?? ''),
    ownerId: int(chat['owner']),
    managerIds: managers.map(int).filter((n) => n > 0),
    raw: chat,
  };
}

function v2Chat(env: HelperEnv, client: PortalClient): ChatApi {
  const { botId, botToken } = env.deps.identity;
  const auth: Params = botToken === null ? { botId } : { botId, botToken };
  const write = async (method: string, params: Params): Promise<unknown> => (await enqueue(env, `imbot.v2.Chat.${method}`, { ...auth, ...params })).delivered;
  const read = (method: string, params: Params): Promise<unknown> => client.call(`imbot.v2.Chat.${method}`, { ...auth, ...params });
  return {
    async add(chat) {
      const result = await write('add', { fields: { ...chat } });
      const c = isObject(result) && isObject(result['chat']) ? result['chat'] : {};
      return { dialogId: String(c['dialogId'] ?? `chat${int(c['id'])}`), chatId: int(c['id']) };
    },
    async get(dialogId) {
      const result = await read('get', { dialogId });
      return infoOf(isObject(result) && isObject(result['chat']) ? result['chat'] : {}, dialogId);
    },
    update: async (dialogId, changes) => void (await write('update', { dialogId, fields: { ...changes } })),
    leave: async (dialogId) => void (await write('leave', { dialogId })),
    setOwner: async (dialogId, userId) => void (await write('setOwner', { dialogId, userId })),
    addUsers: async (dialogId, userIds) => void (await write('User.add', { dialogId, userIds })),
    removeUser: async (dialogId, userId) => void (await write('User.delete', { dialogId, userId })),
    async listUsers(dialogId) {
      const result = await read('User.list', { dialogId });
      return (Array.isArray(result) ? result : []).map((u) => int(isObject(u) ? u['id'] : u)).filter((n) => n > 0);
    },
    addManagers: async (dialogId, userIds) => void (await write('Manager.add', { dialogId, userIds })),
    removeManagers: async (dialogId, userIds) => void (await write('Manager.delete', { dialogId, userIds })),
  };
}

/** Classic colours are upper snake case (`LIGHT_BLUE`). */
const classicColor = (c: BotColor): string => c.replace(/([A-Z])/g, '_$1').toUpperCase();

function v1Chat(env: HelperEnv, client: PortalClient): ChatApi {
  const { botId, botToken } = env.deps.identity;
  const auth: Params = botToken === null ? { BOT_ID: botId } : { BOT_ID: botId, CLIENT_ID: botToken };
  const write = async (method: string, params: Params): Promise<unknown> => (await enqueue(env, `imbot.${method}`, { ...auth, ...params })).delivered;
  const managers = async (dialogId: string, userIds: number[], on: boolean): Promise<void> => {
    for (const id of userIds) await write('chat.setManager', { CHAT_ID: chatIdOf(dialogId), USER_ID: id, IS_MANAGER: on ? 'Y' : 'N' });
  };
  return {
    async add(chat) {
      if (chat.ownerId !== undefined) throw new BotkitError('CONTEXT_UNSUPPORTED', 'imbot.chat.add has no owner: call setOwner after add');
      const p: Params = { TYPE: 'CHAT', TITLE: chat.title };
      if (chat.userIds) p['USERS'] = chat.userIds;
      if (chat.description !== undefined) p['DESCRIPTION'] = chat.description;
      if (chat.color !== undefined) p['COLOR'] = classicColor(chat.color);
      if (chat.avatar !== undefined) p['AVATAR'] = chat.avatar;
      if (chat.message !== undefined) p['MESSAGE'] = chat.message;
      const chatId = int(await write('chat.add', p));
      return { dialogId: `chat${chatId}`, chatId };
    },
    async get(dialogId) {
      const result = await client.call('imbot.dialog.get', { ...auth, DIALOG_ID: dialogId });
      return infoOf(isObject(result) ? result : {}, dialogId);
    },
    async update(dialogId, changes) {
      if (changes.description !== undefined) throw new BotkitError('CONTEXT_UNSUPPORTED', 'the classic API cannot change a chat description');
      const CHAT_ID = chatIdOf(dialogId);
      if (changes.title !== undefined) await write('chat.updateTitle', { CHAT_ID, TITLE: changes.title });
      if (changes.color !== undefined) await write('chat.updateColor', { CHAT_ID, COLOR: classicColor(changes.color) });
      if (changes.avatar !== undefined) await write('chat.updateAvatar', { CHAT_ID, AVATAR: changes.avatar });
    },
    leave: async (dialogId) => void (await write('chat.leave', { CHAT_ID: chatIdOf(dialogId) })),
    setOwner: async (dialogId, userId) => void (await write('chat.setOwner', { CHAT_ID: chatIdOf(dialogId), USER_ID: userId })),
    addUsers: async (dialogId, userIds) => void (await write('chat.user.add', { CHAT_ID: chatIdOf(dialogId), USERS: userIds })),
    removeUser: async (dialogId, userId) => void (await write('chat.user.delete', { CHAT_ID: chatIdOf(dialogId), USER_ID: userId })),
    async listUsers(dialogId) {
      const result = await client.call('imbot.chat.user.list', { ...auth, CHAT_ID: chatIdOf(dialogId) });
      return (Array.isArray(result) ? result : []).map(int).filter((n) => n > 0);
    },
    addManagers: (dialogId, userIds) => managers(dialogId, userIds, true),
    removeManagers: (dialogId, userIds) => managers(dialogId, userIds, false),
  };
}

/** `ctx.client` for a context: the portal client plus `chat`, built for the bot's API generation. */
export function botClient(env: HelperEnv): BotClient {
  const base = env.deps.client;
  const chat = env.deps.protocol.api === 'v2' ? v2Chat(env, base) : v1Chat(env, base);
  return { call: base.call.bind(base) as PortalClient['call'], chat };
}
