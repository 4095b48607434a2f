import { BotkitError } from '../errors.js';
import type { FormLimits } from './php-form.js';

/** A JSON value rebuilt with null-prototype objects. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly: invalid bytes are `400 BODY_MALFORMED`, never replaced. */
export function decodeUtf8(raw: Uint8Array): string {
  try {
    return utf8.decode(raw);
  } catch (e) {
    throw new BotkitError('BODY_MALFORMED', 'the body is not valid UTF-8', { cause: e });
  }
}

/**
 * Parses a JSON event body (the docs' own handler samples send JSON) with the same limits as the form
 * parser: at most `maxParams` values (object members and array items count alike, as form keys do) and
 * `maxDepth` levels of nesting, null-prototype objects, prototype keys dropped. The limits are checked
 * by a linear scan of the raw bytes before they are decoded or `JSON.parse` builds anything, so a body of any shape (deeply
 * nested arrays, a hundred thousand small arrays) is refused after reading at most `maxParams` values:
 * it costs no more than a form body of the same size.
 */
export function parseJsonBody(body: string | Buffer, { maxParams = 1000, maxDepth = 12 }: FormLimits = {}): Record<string, JsonValue> {
  scanJsonLimits(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, maxParams, maxDepth);
  const text = typeof body === 'string' ? body : decodeUtf8(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new BotkitError('BODY_MALFORMED', 'the JSON body cannot be parsed', { cause: e });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BotkitError('BODY_MALFORMED', 'the JSON body must be an object');
  }
  const budget = { keys: 0 };
  return rebuild(parsed, 0, maxDepth, maxParams, budget) as Record<string, JsonValue>;
}

function rebuild(value: unknown, depth: number, maxDepth: number, maxKeys: number, budget: { keys: number }): JsonValue {
  if (value === null || typeof value !== 'object') return value as JsonValue;
  if (depth >= maxDepth) throw new BotkitError('BODY_TOO_DEEP', `JSON nests deeper than ${maxDepth}`);
  if (Array.isArray(value)) {
    budget.keys += value.length;
    if (budget.keys > maxKeys) throw new BotkitError('BODY_TOO_MANY_PARAMS', `more than ${maxKeys} values`);
    return value.map((v) => rebuild(v, depth + 1, maxDepth, maxKeys, budget));
  }
  const out = Object.create(null) as { [key: string]: JsonValue };
  for (const key of Object.keys(value)) {
    if (++budget.keys > maxKeys) throw new BotkitError('BODY_TOO_MANY_PARAMS', `more than ${maxKeys} keys`);
    if (FORBIDDEN_KEYS.has(key)) continue;
    out[key] = rebuild((value as Record<string, unknown>)[key], depth + 1, maxDepth, maxKeys, budget);
  }
  return out;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** The index of the quote closing the string that opens at `open`, or -1 (JSON.parse reports it then). */
function stringEnd(bytes: Buffer, open: number): number {
  let i = open;
  for (;;) {
    i = bytes.indexOf(QUOTE, i + 1);
    if (i === -1) return -1;
    let slashes = 0;
    while (bytes[i - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return i;
  }
}

/**
 * Counts values (every `[`/`{` opens one, every `,` outside strings separates two: an upper bound of
 * object members plus array items) and nesting depth on the raw UTF-8 bytes, before anything is decoded
 * or built (JSON's structural characters are ASCII, and no byte of a multi-byte UTF-8 sequence is);
 * throws as soon as a limit is passed. Syntax is left to `JSON.parse`.
 */
export function scanJsonLimits(bytes: Buffer, maxValues: number, maxDepth: number): void {
  let values = 0;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      const end = stringEnd(bytes, i);
      if (end === -1) return;
      i = end;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) throw new BotkitError('BODY_TOO_DEEP', `JSON nests deeper than ${maxDepth}`);
      if (++values > maxValues) throw new BotkitError('BODY_TOO_MANY_PARAMS', `more than ${maxValues} values`);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA && ++values > maxValues) {
      throw new BotkitError('BODY_TOO_MANY_PARAMS', `more than ${maxValues} values`);
    }
  }
}
