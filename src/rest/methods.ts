import type { CallOptions, RestClient } from './client.js';

/** v2 webhook-auth identity: the bot id and, for incoming webhooks, the bot's `botToken`. */
export interface V2BotRef {
  botId: number;
  /** Required when calling through an incoming webhook; ignored for OAuth apps. */
  botToken?: string;
}

/** `fields` of `imbot.v2.Chat.Message.send` (b24-v2-facts §3.1). */
export interface V2MessageFields {
  message?: string;
  attach?: unknown;
  keyboard?: unknown;
  system?: boolean;
  urlPreview?: boolean;
  replyId?: number;
  /** Client dedupe id; the outbox puts its idempotency key here, which makes a retry safe. */
  templateId?: string;
}

/** `{"result": true}` wrapper of v2 mutating methods. */
export interface V2Ok {
  result: boolean;
}

/** The bot methods with typed params and results, both API generations. */
export interface BotMethods {
  'imbot.v2.Bot.register': {
    params: { botToken?: string; fields: { code: string; botToken?: string; properties: { name: string; [k: string]: unknown }; type?: string; eventMode?: 'fetch' | 'webhook'; webhookUrl?: string; [k: string]: unknown } };
    result: { bot: { id: number; code: string; [k: string]: unknown }; users: unknown[] };
  };
  'imbot.v2.Bot.update': { params: V2BotRef & { fields: Record<string, unknown> }; result: { bot: { id: number; [k: string]: unknown }; users: unknown[] } };
  'imbot.v2.Bot.unregister': { params: V2BotRef; result: V2Ok };
  'imbot.v2.Bot.list': { params: { botToken?: string; limit?: number; offset?: number }; result: { bots: Array<{ id: number; code: string }>; users: unknown[]; hasNextPage: boolean } };
  'imbot.v2.Chat.Message.send': { params: V2BotRef & { dialogId: string; fields: V2MessageFields }; result: { id: number | null; uuidMap: Record<string, number> } };
  'imbot.v2.Chat.Message.update': { params: V2BotRef & { messageId: number; fields: Omit<V2MessageFields, 'templateId' | 'replyId' | 'system'> }; result: V2Ok };
  'imbot.v2.Chat.Message.delete': { params: V2BotRef & { messageId: number; complete?: boolean }; result: V2Ok };
  'imbot.v2.Chat.InputAction.notify': { params: V2BotRef & { dialogId: string; [k: string]: unknown }; result: V2Ok };
  'imbot.v2.Command.register': { params: V2BotRef & { fields: { command: string; [k: string]: unknown } }; result: { command: { id: number; [k: string]: unknown } } };
  'imbot.v2.Command.answer': { params: V2BotRef & { commandId: number; messageId: number; dialogId: string; fields: V2MessageFields }; result: unknown };
  'imbot.v2.Event.get': {
    params: V2BotRef & { offset?: number; limit?: number };
    result: { events: Array<{ eventId: number; type: string; date: string; data: unknown }>; nextOffset: number; hasMore: boolean };
  };
  'imbot.register': { params: { CODE: string; TYPE?: string; EVENT_HANDLER?: string; CLIENT_ID?: string; PROPERTIES: Record<string, unknown>; [k: string]: unknown }; result: number };
  'imbot.unregister': { params: { BOT_ID: number; CLIENT_ID?: string }; result: boolean };
  'imbot.message.add': { params: { BOT_ID: number; DIALOG_ID: string; MESSAGE: string; ATTACH?: unknown; KEYBOARD?: unknown; MENU?: unknown; SYSTEM?: 'Y' | 'N'; URL_PREVIEW?: 'Y' | 'N'; CLIENT_ID?: string }; result: number };
  'imbot.message.update': { params: { BOT_ID: number; MESSAGE_ID: number; MESSAGE?: string; ATTACH?: unknown; KEYBOARD?: unknown; MENU?: unknown; CLIENT_ID?: string }; result: boolean };
  'imbot.message.delete': { params: { BOT_ID: number; MESSAGE_ID: number; COMPLETE?: 'Y' | 'N'; CLIENT_ID?: string }; result: boolean };
  'imbot.chat.sendTyping': { params: { BOT_ID: number; DIALOG_ID: string; CLIENT_ID?: string }; result: boolean };
  'imbot.command.register': { params: { BOT_ID: number; COMMAND: string; EVENT_COMMAND_ADD: string; CLIENT_ID?: string; [k: string]: unknown }; result: number };
  'imbot.command.answer': { params: { COMMAND_ID: number; MESSAGE_ID: number; MESSAGE: string; CLIENT_ID?: string; [k: string]: unknown }; result: number };
}

/** A method name of {@link BotMethods}. */
export type BotMethod = keyof BotMethods;

/**
 * Calls a bot method with typed params and result; the same path as `client.call`. The caller
 * puts `botToken` where the method needs it (`fields.botToken` for `Bot.register`, top level
 * elsewhere): the client passes params through untouched.
 *
 * @example
 * const { id } = await callBot(client, memberId, 'imbot.v2.Chat.Message.send',
 *   { botId: 456, botToken, dialogId: '1', fields: { message: 'Hello', templateId: key } });
 */
export function callBot<M extends BotMethod>(
  client: RestClient, memberId: string, method: M, params: BotMethods[M]['params'], opts?: CallOptions,
): Promise<BotMethods[M]['result']> {
  return client.call<BotMethods[M]['result']>(memberId, method, params as Record<string, unknown>, opts);
}
