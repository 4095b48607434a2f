/**
 * The typed event model. Both API generations (classic `ONIMBOT*` and Chat bots 2.0 `ONIMBOTV2*`,
 * pushed or fetched) decode into this one discriminated union, keyed by `type`.
 */

/** Which bot API generation produced (and will answer) an event. */
export type BotApi = 'v1' | 'v2';

/** Where a message was written. `private` is a one-to-one dialogue with the bot. */
export type ChatKind = 'private' | 'group' | 'openline' | 'other';

/** How a command was run: typed in the text area, pressed on a keyboard, chosen in a context menu. */
export type CommandContext = 'textarea' | 'keyboard' | 'menu';

/** The human (or bot) who caused the event. */
export interface EventUser {
  id: number;
  name: string;
  firstName: string;
  lastName: string;
  isBot: boolean;
  isExtranet: boolean;
}

/** The chat an event happened in. `dialogId` is what replies are addressed to. */
export interface EventChat {
  id: number;
  dialogId: string;
  kind: ChatKind;
  title: string;
}

/** The bot an event is addressed to. */
export interface EventBot {
  id: number;
  code: string;
}

/** A file attached to a message. v2 events name files by id only: `name`, `size` and `type` are then null. */
export interface EventFile {
  /** The file's id on the portal's Disk (what `ctx.download(file)` fetches). */
  id: number;
  name: string | null;
  /** Bytes. */
  size: number | null;
  type: 'file' | 'image' | 'video' | 'audio' | null;
}

/** Where a forwarded message came from (v2 `message.forward`; classic `FORWARD_*` params). */
export interface EventForward {
  /** The original message. */
  messageId: number;
  /** Its author (0 when not given). */
  userId: number;
  /** Its chat (0 when not given). */
  chatId: number;
  /** ISO 8601, when given. */
  date: string | null;
}

/** What a message carries besides its text. */
export interface MessageExtras {
  /** Attached files, in order; empty when none. */
  files: EventFile[];
  /** The message this one replies to (quotes), or null. */
  replyToId: number | null;
  /** Forward origin, or null for an original message. */
  forward: EventForward | null;
  /** A system message (authored by the platform, `authorId` 0 in v2). */
  isSystem: boolean;
}

/** A message as seen by the bot. */
export interface EventMessage extends MessageExtras {
  id: number;
  /** The text with the bot's mention removed (what the user said to the bot). */
  text: string;
  /** The text as written, with mention BB-codes. */
  originalText: string;
  /** True when the message is addressed to this bot: a private dialogue, or a mention in a group. */
  addressed: boolean;
}

/** Fields every bot event carries. */
export interface BotEventBase {
  api: BotApi;
  /** The portal, identified by its stable `member_id`. */
  memberId: string;
  /** The portal host at the time of the event. */
  domain: string;
  bot: EventBot;
  chat: EventChat;
  user: EventUser;
  /** The portal's language (two letters). */
  language: string;
  /** Unix seconds when the platform sent the event. */
  ts: number;
  /** v2 fetch-mode event id, when there is one. */
  eventId: number | null;
  /** Fields of the wire payload that the model does not name. Never trusted. */
  raw: Readonly<Record<string, unknown>>;
}

/** A user wrote a message to the bot. */
export interface MessageEvent extends BotEventBase {
  type: 'message';
  message: EventMessage;
}

/** A message in a bot's chat was edited. */
export interface MessageEditEvent extends BotEventBase {
  type: 'message_edit';
  message: EventMessage;
}

/** A message in a bot's chat was deleted. */
export interface MessageDeleteEvent extends BotEventBase {
  type: 'message_delete';
  messageId: number;
}

/** A slash command was run, or a command button or menu item pressed. */
export interface CommandEvent extends BotEventBase {
  type: 'command';
  command: {
    id: number;
    /** The command name without the slash, lower-case. */
    name: string;
    /** Everything after the command (or the button's `COMMAND_PARAMS`). */
    params: string;
    context: CommandContext;
  };
  /** The message that carried the command (the typed message, or the message with the keyboard). */
  messageId: number;
}

/** The bot was added to a chat, or a user opened a private dialogue with it. */
export interface JoinEvent extends BotEventBase {
  type: 'join';
}

/** The bot was deleted from the portal. The last event it gets. */
export interface BotDeleteEvent extends BotEventBase {
  type: 'bot_delete';
}

/** A reaction was set or removed on one of the bot's messages (v2 only). */
export interface ReactionEvent extends BotEventBase {
  type: 'reaction';
  messageId: number;
  reaction: string;
  action: 'add' | 'delete';
}

/** A chat was opened with a `BOT_CONTEXT` payload (v2 only). Never act on it without confirmation. */
export interface ContextEvent extends BotEventBase {
  type: 'context';
  context: Readonly<Record<string, unknown>>;
}

/** Every bot event, keyed by `type`. */
export interface BotEventMap {
  message: MessageEvent;
  message_edit: MessageEditEvent;
  message_delete: MessageDeleteEvent;
  command: CommandEvent;
  join: JoinEvent;
  bot_delete: BotDeleteEvent;
  reaction: ReactionEvent;
  context: ContextEvent;
}

/** A bot event type name. */
export type BotEventType = keyof BotEventMap;
/** The union of all bot events. Narrow with `event.type`. */
export type BotEvent = BotEventMap[BotEventType];

/** The OAuth data an install or update event carries. */
export interface InstallAuth {
  accessToken: string;
  refreshToken: string;
  /** Unix milliseconds when the access token expires. */
  expiresAt: number;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  memberId: string;
  applicationToken: string;
  userId: number | null;
  scope: string[];
}

/** The app was installed (or reinstalled) on a portal. */
export interface InstallEvent {
  type: 'app_install';
  language: string;
  ts: number;
  auth: InstallAuth;
}

/** A new app version was installed on a portal. */
export interface AppUpdateEvent {
  type: 'app_update';
  language: string;
  ts: number;
  auth: InstallAuth;
}

/** The app was removed from a portal. Carries no tokens. */
export interface UninstallEvent {
  type: 'app_uninstall';
  ts: number;
  memberId: string;
  domain: string;
  applicationToken: string;
  /** The admin asked to delete the app's data. */
  clean: boolean;
}

/** An application lifecycle event. */
export type AppEvent = InstallEvent | AppUpdateEvent | UninstallEvent;

/** A stable key for the dialogue an event belongs to: one queue, one state per key. */
export function dialogueKey(e: Pick<BotEventBase, 'memberId' | 'bot' | 'chat'>): string {
  return `${e.memberId}:${e.bot.id}:${e.chat.dialogId}`;
}
