/**
 * JSON schemas of the wire payloads, compiled once at module load. They check structure only (required
 * keys, scalars where scalars belong, objects where maps belong) and accept both wire forms: form-parsed
 * (every scalar a string) and JSON (real types). Decoders coerce the values afterwards.
 */
import { Ajv, type ErrorObject, type SchemaObject } from 'ajv';
import { fieldPath, invalid } from './wire.js';

const ajv = new Ajv({ allErrors: false, strict: true });

/** Checks a wire value against a compiled schema; throws `EVENT_INVALID` naming the first bad field. */
export type Validator = (value: unknown) => void;

/**
 * Compiles a schema into a {@link Validator}; `root` prefixes field names in error messages.
 *
 * @example
 * const check = compileValidator(objectSchema({ id: ID }, ['id']), 'data');
 * check({}); // throws BotkitError EVENT_INVALID (HTTP 400) "data[id] is missing"
 */
export function compileValidator(schema: SchemaObject, root: string): Validator {
  const validate = ajv.compile(schema);
  return (value) => {
    if (!validate(value)) throw invalid(describeError(validate.errors?.[0], root));
  };
}

function describeError(error: ErrorObject | undefined, root: string): string {
  if (error === undefined) return `${root} is invalid`;
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${fieldPath(root, [...segments, String(params['missingProperty'])])} is missing`;
  const key = (error as { propertyName?: string }).propertyName;
  if (key !== undefined) return `${fieldPath(root, [...segments, key])} is not allowed here (expected a numeric id)`;
  return `${fieldPath(root, segments)} ${error.message ?? 'is invalid'}`;
}

/** A scalar: string (form) or number/boolean/null (JSON). Arrays and objects are refused. */
export const SCALAR: SchemaObject = {
  anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }],
};

/** A required numeric id: a non-negative integer or a string of digits. */
export const ID: SchemaObject = {
  anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\s*[0-9]{1,15}\\s*$' }],
};

/** An optional numeric id: like {@link ID} but `""` and null are allowed (they decode to 0). */
export const OPT_ID: SchemaObject = {
  anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\s*[0-9]{0,15}\\s*$' }, { type: 'null' }],
};

/** The pattern of a map keyed by numeric ids (`data[BOT][<id>]`). */
export const NUMERIC_KEY: SchemaObject = { pattern: '^[0-9]{1,15}$' };

/** An object with the given known properties (others are allowed and kept in `raw`). */
export function objectSchema(properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject {
  return required.length === 0 ? { type: 'object', properties } : { type: 'object', properties, required };
}

/** An optional object: also accepts PHP's empty array `[]` (how empty maps arrive in JSON). */
export function optionalObject(properties: Record<string, SchemaObject> = {}): SchemaObject {
  return { anyOf: [{ type: 'object', properties }, { type: 'array', maxItems: 0 }] };
}

/** The envelope every pushed event shares: `event`, `ts`, `auth[member_id]`, `auth[application_token]`. */
export const ENVELOPE_SCHEMA: SchemaObject = objectSchema(
  {
    event: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
    ts: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\s*[0-9]{0,12}\\s*$' }] },
    data: optionalObject(),
    auth: objectSchema(
      {
        member_id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
        // Absent or empty is an authentication failure (401 EVENT_TOKEN_MISSING), checked after the shape.
        application_token: { type: 'string', maxLength: 512 },
        domain: { type: 'string', pattern: '^$|^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$' },
        client_endpoint: { type: 'string', maxLength: 2048 },
      },
      ['member_id'],
    ),
  },
  ['event', 'auth'],
);

/** `auth` of ONAPPINSTALL / ONAPPUPDATE: the OAuth pair and where to use it. */
export const INSTALL_AUTH_SCHEMA: SchemaObject = objectSchema(
  {
    access_token: { type: 'string', minLength: 1 },
    refresh_token: { type: 'string', minLength: 1 },
    domain: { type: 'string', minLength: 1 },
    client_endpoint: { type: 'string', minLength: 1 },
    server_endpoint: SCALAR,
    expires: OPT_ID,
    expires_in: OPT_ID,
    scope: SCALAR,
    user_id: OPT_ID,
  },
  ['access_token', 'refresh_token', 'domain', 'client_endpoint'],
);

/** `data` of ONAPPINSTALL / ONAPPUPDATE. */
export const INSTALL_DATA_SCHEMA: SchemaObject = optionalObject({ LANGUAGE_ID: SCALAR, VERSION: SCALAR });

/** `data` of ONAPPUNINSTALL. */
export const UNINSTALL_DATA_SCHEMA: SchemaObject = optionalObject({ LANGUAGE_ID: SCALAR, CLEAN: SCALAR });

/** `auth` of events that need nothing beyond the envelope. */
export const ANY_AUTH_SCHEMA: SchemaObject = { type: 'object' };
