/**
 * The one table that drives event decoding: per wire event name, the model `type`, the API generation,
 * the schema of its `data` (compiled once, here, at module load) and its decoder. Adding an event means
 * adding one row; the row's type parameter ties the decoder's output to the declared model type.
 */
import type { SchemaObject } from 'ajv';
import {
  decodeAppUpdate,
  decodeInstall,
  decodeUninstall,
  type AppDecodeContext,
} from './decode-app.js';
import {
  decodeV1BotDelete,
  decodeV1Command,
  decodeV1Join,
  decodeV1Message,
  decodeV1MessageDelete,
  decodeV1MessageEdit,
} from './decode-v1.js';
import {
  decodeV2BotDelete,
  decodeV2Command,
  decodeV2Context,
  decodeV2Join,
  decodeV2Message,
  decodeV2MessageDelete,
  decodeV2MessageEdit,
  decodeV2Reaction,
} from './decode-v2.js';
import type { AppEvent, BotApi, BotEventMap, BotEventType } from './events.js';
import {
  ANY_AUTH_SCHEMA,
  INSTALL_AUTH_SCHEMA,
  INSTALL_DATA_SCHEMA,
  UNINSTALL_DATA_SCHEMA,
  compileValidator,
  type Validator,
} from './schemas.js';
import { V1_BOT_DELETE, V1_COMMAND, V1_JOIN, V1_MESSAGE_ADD, V1_MESSAGE_CHANGE } from './schemas-v1.js';
import {
  V2_BOT_DELETE,
  V2_COMMAND,
  V2_CONTEXT,
  V2_JOIN,
  V2_MESSAGE,
  V2_MESSAGE_DELETE,
  V2_REACTION,
} from './schemas-v2.js';
import type { DecodeContext, WireObject } from './wire.js';

/** A bot event row: decodes validated `data` into one event per addressed bot. */
export interface BotEventSpec<T extends BotEventType = BotEventType> {
  readonly kind: 'bot';
  readonly api: BotApi;
  readonly type: T;
  /** Checks the wire `data`; throws `EVENT_INVALID`. */
  readonly validate: Validator;
  readonly decode: (data: WireObject, ctx: DecodeContext) => Array<BotEventMap[T]>;
}

/** An application event row: decodes validated `data` and `auth`. */
export interface AppEventSpec<T extends AppEvent['type'] = AppEvent['type']> {
  readonly kind: 'app';
  readonly type: T;
  readonly validate: Validator;
  readonly validateAuth: Validator;
  readonly decode: (data: WireObject, auth: WireObject, ctx: AppDecodeContext) => Extract<AppEvent, { type: T }>;
}

/** One row of {@link EVENT_TABLE}. */
export type EventSpec = BotEventSpec | AppEventSpec;

function bot<T extends BotEventType>(
  api: BotApi,
  type: T,
  schema: SchemaObject,
  decode: (data: WireObject, ctx: DecodeContext) => Array<BotEventMap[T]>,
): BotEventSpec<T> {
  return { kind: 'bot', api, type, validate: compileValidator(schema, 'data'), decode };
}

function app<T extends AppEvent['type']>(
  type: T,
  schema: SchemaObject,
  authSchema: SchemaObject,
  decode: AppEventSpec<T>['decode'],
): AppEventSpec<T> {
  return { kind: 'app', type, validate: compileValidator(schema, 'data'), validateAuth: compileValidator(authSchema, 'auth'), decode };
}

/** Every wire event the framework understands, keyed by its upper-case wire name. */
export const EVENT_TABLE = {
  ONAPPINSTALL: app('app_install', INSTALL_DATA_SCHEMA, INSTALL_AUTH_SCHEMA, decodeInstall),
  ONAPPUPDATE: app('app_update', INSTALL_DATA_SCHEMA, INSTALL_AUTH_SCHEMA, decodeAppUpdate),
  ONAPPUNINSTALL: app('app_uninstall', UNINSTALL_DATA_SCHEMA, ANY_AUTH_SCHEMA, decodeUninstall),
  ONIMBOTMESSAGEADD: bot('v1', 'message', V1_MESSAGE_ADD, decodeV1Message),
  ONIMBOTMESSAGEUPDATE: bot('v1', 'message_edit', V1_MESSAGE_CHANGE, decodeV1MessageEdit),
  ONIMBOTMESSAGEDELETE: bot('v1', 'message_delete', V1_MESSAGE_CHANGE, decodeV1MessageDelete),
  ONIMBOTJOINCHAT: bot('v1', 'join', V1_JOIN, decodeV1Join),
  ONIMBOTDELETE: bot('v1', 'bot_delete', V1_BOT_DELETE, decodeV1BotDelete),
  ONIMCOMMANDADD: bot('v1', 'command', V1_COMMAND, decodeV1Command),
  ONIMBOTV2MESSAGEADD: bot('v2', 'message', V2_MESSAGE, decodeV2Message),
  ONIMBOTV2MESSAGEUPDATE: bot('v2', 'message_edit', V2_MESSAGE, decodeV2MessageEdit),
  ONIMBOTV2MESSAGEDELETE: bot('v2', 'message_delete', V2_MESSAGE_DELETE, decodeV2MessageDelete),
  ONIMBOTV2JOINCHAT: bot('v2', 'join', V2_JOIN, decodeV2Join),
  ONIMBOTV2COMMANDADD: bot('v2', 'command', V2_COMMAND, decodeV2Command),
  ONIMBOTV2REACTIONCHANGE: bot('v2', 'reaction', V2_REACTION, decodeV2Reaction),
  ONIMBOTV2CONTEXTGET: bot('v2', 'context', V2_CONTEXT, decodeV2Context),
  ONIMBOTV2DELETE: bot('v2', 'bot_delete', V2_BOT_DELETE, decodeV2BotDelete),
} as const satisfies Record<string, EventSpec>;

/** A wire event name the framework decodes (`ONIMBOTMESSAGEADD`, `ONIMBOTV2COMMANDADD`, …). */
export type WireEventName = keyof typeof EVENT_TABLE;

/** The row for a wire event name (case-insensitive), or undefined for an event we do not know. */
export function lookupEvent(name: string): EventSpec | undefined {
  const key = name.toUpperCase();
  return isWireEventName(key) ? EVENT_TABLE[key] : undefined;
}

/** True for a wire event name listed in {@link EVENT_TABLE}. */
export function isWireEventName(name: string): name is WireEventName {
  return Object.hasOwn(EVENT_TABLE, name);
}
