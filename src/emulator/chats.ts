/** A chat: a private dialog of two users, or a group chat `chatN`. */
export interface ChatRec {
  id: number;
  kind: 'private' | 'group';
  title: string;
  ownerId: number;
  color: string;
  members: Set<number>;
  description?: string;
  avatar?: string;
  /** Manager user ids (`Chat.Manager.*`, `imbot.chat.setManager`). */
  managers?: Set<number>;
  /** `Chat.TextField.enabled`; absent = enabled. */
  textFieldEnabled?: boolean;
}

/** A message of any author, with what the bots' REST calls attached to it. */
export interface MessageRec {
  id: number;
  chatId: number;
  authorId: number;
  text: string;
  dateMs: number;
  keyboard: Record<string, unknown> | null;
  attach: unknown | null;
  menu: Record<string, unknown> | null;
  system: boolean;
  deleted: boolean;
  updated: boolean;
  /** The bot that posted it (null for users' messages), and its code at posting time. */
  botId: number | null;
  botCode: string | null;
  via: string | null;
  commandId: number | null;
  replyTo: number | null;
  idempotencyKey: string | null;
  /** Reaction code → ids of users (or bots) who set it. */
  reactions: Map<string, Set<number>>;
  /** Files attached (ids on the portal's Disk). */
  fileIds: number[];
  /** The message this one forwards. */
  forwardOf?: MessageRec;
  /** Buttons disabled after a press (`BLOCK=Y`), by index. */
  blockedButtons: Set<number>;
}

const GROUP = /^chat(\d+)$/;

/** The chats and messages of a portal. */
export class ChatStore {
  readonly #chats = new Map<number, ChatRec>();
  readonly #messages = new Map<number, MessageRec>();
  readonly #private = new Map<string, number>();
  readonly #botMessages: MessageRec[] = [];
  readonly #countByBot = new Map<number, number>();
  readonly #readUpTo = new Map<string, number>();
  #nextChat = 1;
  #nextMessage = 1;

  /** Creates a group chat; the owner is always a member. */
  createGroup(title: string, userIds: number[], ownerId: number): ChatRec {
    const chat: ChatRec = {
      id: this.#nextChat++, kind: 'group', title, ownerId, color: '#ab7761',
      members: new Set([ownerId, ...userIds]),
    };
    this.#chats.set(chat.id, chat);
    return chat;
  }

  /** The private dialog of two users, created on first use. */
  privateChat(a: number, b: number): ChatRec {
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    const existing = this.#private.get(key);
    if (existing !== undefined) return this.#chats.get(existing) as ChatRec;
    const chat: ChatRec = { id: this.#nextChat++, kind: 'private', title: '', ownerId: a, color: '#ab7761', members: new Set([a, b]) };
    this.#chats.set(chat.id, chat);
    this.#private.set(key, chat.id);
    return chat;
  }

  /** The group chat for a `chatN` dialog id. */
  group(dialogId: string): ChatRec | undefined {
    const m = GROUP.exec(dialogId);
    const chat = m ? this.#chats.get(Number(m[1])) : undefined;
    return chat?.kind === 'group' ? chat : undefined;
  }

  chat(id: number): ChatRec | undefined {
    return this.#chats.get(id);
  }

  /** The dialog id of `chat` as `viewerId` addresses it: `chatN`, or the other party's user id. */
  dialogIdFor(chat: ChatRec, viewerId: number): string {
    if (chat.kind === 'group') return `chat${chat.id}`;
    for (const m of chat.members) if (m !== viewerId) return String(m);
    return String(viewerId);
  }

  /** Stores a new message. */
  post(m: Pick<MessageRec, 'chatId' | 'authorId' | 'text' | 'dateMs'> & Partial<MessageRec>): MessageRec {
    const msg: MessageRec = {
      keyboard: null, attach: null, menu: null, system: false, deleted: false, updated: false, botId: null,
      botCode: null, via: null, commandId: null, replyTo: null, idempotencyKey: null, reactions: new Map(), fileIds: [],
      blockedButtons: new Set(), ...m, id: this.#nextMessage++,
    };
    this.#messages.set(msg.id, msg);
    if (msg.botId !== null) this.#indexBotMessage(msg, msg.botId);
    return msg;
  }

  #indexBotMessage(msg: MessageRec, botId: number): void {
    this.#botMessages.push(msg);
    this.#countByBot.set(botId, (this.#countByBot.get(botId) ?? 0) + 1);
  }

  /** Messages posted by bots, in order. */
  botMessages(): readonly MessageRec[] {
    return this.#botMessages;
  }

  /** How many messages a bot posted. */
  countByBot(botId: number): number {
    return this.#countByBot.get(botId) ?? 0;
  }

  message(id: number): MessageRec | undefined {
    return this.#messages.get(id);
  }

  /** All messages in posting order. */
  allMessages(): MessageRec[] {
    return [...this.#messages.values()];
  }

  /** Every chat. */
  allChats(): ChatRec[] {
    return [...this.#chats.values()];
  }

  /** Chats where `userId` is a member. */
  chatsOf(userId: number): ChatRec[] {
    return [...this.#chats.values()].filter((c) => c.members.has(userId));
  }

  /** Records that `userId` read `chatId` up to `messageId`. */
  markRead(chatId: number, userId: number, messageId: number): void {
    this.#readUpTo.set(`${chatId}|${userId}`, messageId);
  }

  /** The last message `userId` marked read in `chatId` (0 = none). */
  readUpTo(chatId: number, userId: number): number {
    return this.#readUpTo.get(`${chatId}|${userId}`) ?? 0;
  }

  /** Removes a user from every chat (an unregistered bot). */
  leaveAll(userId: number): void {
    for (const chat of this.#chats.values()) chat.members.delete(userId);
  }
}
