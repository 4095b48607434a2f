import type { BotApi } from './events.js';

/** One REST call to make: a method name and its params. */
export interface RestCall {
  method: string;
  params: Record<string, unknown>;
}

/** Who speaks: the bot's id on the portal and, for webhook auth, its secret owner key. */
export interface BotIdentity {
  botId: number;
  botToken: string | null;
}

/** A bot type. `personal` and `supervisor` see every message of their chats. */
export type BotType = 'bot' | 'supervisor' | 'personal' | 'openline';

/** The 16 named colours the platform accepts for bots and chats. */
export const BOT_COLORS = [
  'red', 'green', 'mint', 'lightBlue', 'darkBlue', 'purple', 'aqua', 'pink',
  'lime', 'brown', 'azure', 'khaki', 'sand', 'marengo', 'gray', 'graphite',
] as const;
/** A named bot colour. */
export type BotColor = (typeof BOT_COLORS)[number];

/** The bot profile shown to users. */
export interface BotProperties {
  name: string;
  lastName?: string;
  color?: BotColor;
  workPosition?: string;
  /** Base64 image without a `data:` prefix. */
  avatar?: string;
  gender?: 'M' | 'F';
}

/** What registering a bot needs. */
export interface BotRegistration {
  code: string;
  type: BotType;
  properties: BotProperties;
  /** Where pushed events go; null in fetch mode. */
  handlerUrl: string | null;
  eventMode: 'webhook' | 'fetch';
  botToken: string | null;
}

/** What registering a command needs. Titles and parameter hints are keyed by language. */
export interface CommandRegistration {
  name: string;
  title: Readonly<Record<string, string>>;
  params: Readonly<Record<string, string>>;
  common: boolean;
  hidden: boolean;
  handlerUrl: string | null;
}

/** A message in the platform's structures (builders already applied, limits already checked). */
export interface WireMessage {
  text: string;
  keyboard?: unknown;
  attach?: unknown;
  menu?: unknown;
  system?: boolean;
  urlPreview?: boolean;
  replyTo?: number;
}

/**
 * The REST side of one bot API generation: builds the calls and reads their results. Bot modules
 * never see this; the context helpers use whichever generation the bot was registered with.
 */
export interface BotProtocol {
  readonly api: BotApi;
  registerBot(reg: BotRegistration): RestCall;
  parseBotId(result: unknown): number;
  unregisterBot(bot: BotIdentity): RestCall;
  /** Points an existing bot's events at `handlerUrl` (webhook mode) or switches it to fetch mode (null). */
  updateEvents(bot: BotIdentity, handlerUrl: string | null): RestCall;
  registerCommand(bot: BotIdentity, cmd: CommandRegistration): RestCall;
  parseCommandId(result: unknown): number;
  send(bot: BotIdentity, dialogId: string, msg: WireMessage, idempotencyKey: string): RestCall;
  /** The new message id, when the method returns one. */
  parseMessageId(result: unknown): number | null;
  answer(bot: BotIdentity, cmd: { commandId: number; messageId: number; dialogId: string }, msg: WireMessage): RestCall;
  update(bot: BotIdentity, messageId: number, msg: Partial<WireMessage>): RestCall;
  delete(bot: BotIdentity, messageId: number): RestCall;
  typing(bot: BotIdentity, dialogId: string): RestCall;
  react(bot: BotIdentity, messageId: number, reaction: string): RestCall;
}

/** Reads a positive integer id from a result, or throws naming what was expected. */
export function readId(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new TypeError(`expected ${what} to be a positive integer id, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Looks up a nested field of an unknown result without casts at every step. */
export function pick(value: unknown, ...path: string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
