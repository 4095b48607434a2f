import { HttpError } from '../errors.js';
import type { FormLimits } from './php-form.js';

/** A JSON value rebuilt with null-prototype objects. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a JSON event body (the docs' own handler samples send JSON) with the same limits as the form
 * parser: bounded depth and key count, null-prototype objects, prototype keys dropped.
 */
export function parseJsonBody(text: string, { maxParams = 1000, maxDepth = 12 }: FormLimits = {}): Record<string, JsonValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'BODY_MALFORMED', 'the JSON body cannot be parsed', { cause: e });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'BODY_MALFORMED', 'the JSON body must be an object');
  }
  const budget = { keys: 0 };
  return rebuild(parsed, 0, maxDepth, maxParams, budget) as Record<string, JsonValue>;
}

function rebuild(value: unknown, depth: number, maxDepth: number, maxKeys: number, budget: { keys: number }): JsonValue {
  if (value === null || typeof value !== 'object') return value as JsonValue;
  if (depth >= maxDepth) throw new HttpError(400, 'BODY_TOO_DEEP', `JSON nests deeper than ${maxDepth}`);
  if (Array.isArray(value)) return value.map((v) => rebuild(v, depth + 1, maxDepth, maxKeys, budget));
  const out = Object.create(null) as { [key: string]: JsonValue };
  for (const key of Object.keys(value)) {
    if (++budget.keys > maxKeys) throw new HttpError(413, 'BODY_TOO_MANY_PARAMS', `more than ${maxKeys} keys`);
    if (FORBIDDEN_KEYS.has(key)) continue;
    out[key] = rebuild((value as Record<string, unknown>)[key], depth + 1, maxDepth, maxKeys, budget);
  }
  return out;
}
