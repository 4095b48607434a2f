/**
 * Schemas of the Chat bots 2.0 (`ONIMBOTV2*`) event `data`: nested camelCase `bot`, `message`, `chat`,
 * `user`, `command`. The same schema serves webhook bodies (strings) and `imbot.v2.Event.get` items (JSON).
 */
import type { SchemaObject } from 'ajv';
import { ID, OPT_ID, SCALAR, objectSchema, optionalObject } from './schemas.js';

const DIALOG_ID: SchemaObject = {
  anyOf: [{ type: 'string', pattern: '^[A-Za-z]{0,8}[0-9]{1,15}$' }, { type: 'integer', minimum: 1 }],
};

// Webhook mode: {id, code, auth}; fetch mode: the full bot object (type, language, counters…).
const BOT = objectSchema({ id: ID, code: SCALAR, type: SCALAR, language: SCALAR, auth: optionalObject() }, ['id']);

// Objects whose entity no longer exists degrade to `{id}`; `user` may be `[]` for id 0.
const CHAT = objectSchema({
  id: OPT_ID,
  dialogId: { anyOf: [DIALOG_ID, { type: 'string', maxLength: 0 }] },
  type: SCALAR,
  messageType: SCALAR,
  name: SCALAR,
  entityType: SCALAR,
});
const USER = optionalObject({
  id: OPT_ID,
  name: SCALAR,
  firstName: SCALAR,
  lastName: SCALAR,
  bot: SCALAR,
  extranet: SCALAR,
  type: SCALAR,
});
const MESSAGE = objectSchema({ id: ID, text: SCALAR, chatId: OPT_ID, authorId: OPT_ID }, ['id']);
const COMMAND = objectSchema(
  { id: OPT_ID, command: { type: 'string', minLength: 1 }, params: SCALAR, context: SCALAR },
  ['command'],
);

const COMMON: Record<string, SchemaObject> = {
  bot: BOT,
  chat: CHAT,
  user: USER,
  language: SCALAR,
  dialogId: DIALOG_ID,
};

function dataSchema(extra: Record<string, SchemaObject>, required: string[], anyOf?: SchemaObject[]): SchemaObject {
  const schema = objectSchema({ ...COMMON, ...extra }, ['bot', ...required]);
  return anyOf === undefined ? schema : { ...schema, anyOf };
}

/** ONIMBOTV2MESSAGEADD and ONIMBOTV2MESSAGEUPDATE. */
export const V2_MESSAGE = dataSchema({ message: MESSAGE }, ['message', 'chat']);

/** ONIMBOTV2MESSAGEDELETE: `messageId` (or, tolerated, a `message` object). */
export const V2_MESSAGE_DELETE = dataSchema({ messageId: OPT_ID, message: MESSAGE }, ['chat'], [
  { properties: { messageId: ID }, required: ['messageId'] },
  { properties: { message: MESSAGE }, required: ['message'] },
]);

/** ONIMBOTV2JOINCHAT. */
export const V2_JOIN = dataSchema({}, ['chat']);

/** ONIMBOTV2COMMANDADD. */
export const V2_COMMAND = dataSchema(
  { command: COMMAND, message: objectSchema({ id: OPT_ID, text: SCALAR }) },
  ['command', 'chat'],
);

/** ONIMBOTV2REACTIONCHANGE. */
export const V2_REACTION = dataSchema(
  { reaction: { type: 'string', minLength: 1, maxLength: 64 }, action: { enum: ['add', 'delete'] }, message: MESSAGE },
  ['reaction', 'action', 'message', 'chat'],
);

/** ONIMBOTV2CONTEXTGET: the `context` object plus where it was opened (`dialogId` or `chat`). */
export const V2_CONTEXT = dataSchema({ context: optionalObject() }, ['context'], [
  { properties: { dialogId: DIALOG_ID }, required: ['dialogId'] },
  { properties: { chat: CHAT }, required: ['chat'] },
]);

/** ONIMBOTV2DELETE: only `bot`. */
export const V2_BOT_DELETE = dataSchema({}, []);
