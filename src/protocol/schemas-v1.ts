/**
 * Schemas of the classic (`ONIMBOT*`, `ONIMCOMMANDADD`) event `data`: flat UPPER_CASE `PARAMS`, a
 * `BOT` (or `COMMAND`) map keyed by numeric id, and `USER`.
 */
import type { SchemaObject } from 'ajv';
import { ID, NUMERIC_KEY, OPT_ID, SCALAR, objectSchema, optionalObject } from './schemas.js';

const DIALOG_ID: SchemaObject = {
  anyOf: [{ type: 'string', pattern: '^[A-Za-z]{0,8}[0-9]{1,15}$' }, { type: 'integer', minimum: 1 }],
};

const USER = optionalObject({
  ID: OPT_ID,
  NAME: SCALAR,
  FIRST_NAME: SCALAR,
  LAST_NAME: SCALAR,
  IS_BOT: SCALAR,
  IS_EXTRANET: SCALAR,
});

const PARAM_PROPERTIES: Record<string, SchemaObject> = {
  MESSAGE: SCALAR,
  MESSAGE_ORIGINAL: SCALAR,
  DIALOG_ID,
  MESSAGE_ID: OPT_ID,
  ID: OPT_ID,
  CHAT_ID: OPT_ID,
  TO_CHAT_ID: OPT_ID,
  TO_USER_ID: OPT_ID,
  FROM_USER_ID: OPT_ID,
  AUTHOR_ID: OPT_ID,
  USER_ID: OPT_ID,
  CHAT_TYPE: SCALAR,
  MESSAGE_TYPE: SCALAR,
  CHAT_ENTITY_TYPE: SCALAR,
  CHAT_TITLE: SCALAR,
  LANGUAGE: SCALAR,
  MENTIONED_LIST: optionalObject(),
};

function params(required: string[], anyOf?: SchemaObject[]): SchemaObject {
  const schema = objectSchema(PARAM_PROPERTIES, required);
  return anyOf === undefined ? schema : { ...schema, anyOf };
}

// UPDATE/DELETE carry the message id twice (`ID` and `MESSAGE_ID`); either one is enough.
const EITHER_MESSAGE_ID: SchemaObject[] = [
  { properties: { MESSAGE_ID: ID }, required: ['MESSAGE_ID'] },
  { properties: { ID }, required: ['ID'] },
];

/** `data[BOT][<id>]`: one block per addressed bot (its OAuth token fields are never read). */
const BOT_MAP: SchemaObject = {
  type: 'object',
  minProperties: 1,
  propertyNames: NUMERIC_KEY,
  additionalProperties: objectSchema({ BOT_ID: OPT_ID, BOT_CODE: SCALAR }),
};

/** `data[COMMAND][<commandId>]`: the command, its parameters and the bot it belongs to. */
const COMMAND_MAP: SchemaObject = {
  type: 'object',
  minProperties: 1,
  propertyNames: NUMERIC_KEY,
  additionalProperties: objectSchema(
    {
      BOT_ID: ID,
      BOT_CODE: SCALAR,
      COMMAND: { type: 'string', minLength: 1 },
      COMMAND_ID: OPT_ID,
      COMMAND_PARAMS: SCALAR,
      COMMAND_CONTEXT: SCALAR,
      MESSAGE_ID: OPT_ID,
    },
    ['BOT_ID', 'COMMAND'],
  ),
};

/** ONIMBOTMESSAGEADD. */
export const V1_MESSAGE_ADD = objectSchema(
  { BOT: BOT_MAP, PARAMS: params(['DIALOG_ID', 'MESSAGE_ID']), USER },
  ['BOT', 'PARAMS'],
);

/** ONIMBOTMESSAGEUPDATE and ONIMBOTMESSAGEDELETE. */
export const V1_MESSAGE_CHANGE = objectSchema(
  { BOT: BOT_MAP, PARAMS: params(['DIALOG_ID'], EITHER_MESSAGE_ID), USER },
  ['BOT', 'PARAMS'],
);

/** ONIMBOTJOINCHAT. */
export const V1_JOIN = objectSchema({ BOT: BOT_MAP, PARAMS: params(['DIALOG_ID']), USER }, ['BOT', 'PARAMS']);

/** ONIMCOMMANDADD. */
export const V1_COMMAND = objectSchema(
  { COMMAND: COMMAND_MAP, PARAMS: params(['DIALOG_ID']), USER },
  ['COMMAND', 'PARAMS'],
);

/** ONIMBOTDELETE: flat `BOT_ID` / `BOT_CODE`, nothing else. */
export const V1_BOT_DELETE = objectSchema({ BOT_ID: ID, BOT_CODE: SCALAR }, ['BOT_ID']);
