import qs from 'qs';
import { HttpError } from '../errors.js';

/** A parsed form value: strings, nested null-prototype maps, or arrays for `a[]=` lists. */
export type FormValue = string | FormObject | FormValue[];
/** A null-prototype map of form values. Numeric keys stay keys (`data[BOT][45]` keeps `45`). */
export interface FormObject {
  [key: string]: FormValue;
}

/** Limits of {@link parsePhpForm}. */
export interface FormLimits {
  /** Maximum number of `key=value` pairs. */
  maxParams?: number;
  /** Maximum bracket nesting depth. */
  maxDepth?: number;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a PHP-style form body (`data[PARAMS][MESSAGE]=hi&auth[application_token]=x`) into
 * null-prototype objects. Numeric keys stay object keys, `__proto__`/`constructor`/`prototype` keys
 * are refused, and limits are enforced with coded {@link HttpError}s (never silent truncation).
 *
 * @example
 * parsePhpForm('data[BOT][45][BOT_CODE]=echo').data // { BOT: { '45': { BOT_CODE: 'echo' } } }
 */
export function parsePhpForm(body: string, { maxParams = 1000, maxDepth = 12 }: FormLimits = {}): FormObject {
  const pairs = countPairs(body);
  if (pairs > maxParams) throw new HttpError(413, 'BODY_TOO_MANY_PARAMS', `more than ${maxParams} parameters`);
  checkEscapes(body);
  let parsed: unknown;
  try {
    parsed = qs.parse(body, {
      parseArrays: false,
      allowPrototypes: false,
      plainObjects: true,
      depth: maxDepth,
      strictDepth: true,
      parameterLimit: maxParams + 1,
      allowDots: false,
      charset: 'utf-8',
      decoder: decodeComponent,
    });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (e instanceof RangeError) throw new HttpError(400, 'BODY_TOO_DEEP', `brackets nest deeper than ${maxDepth}`);
    throw new HttpError(400, 'BODY_MALFORMED', 'the form body cannot be parsed', { cause: e });
  }
  return sanitize(parsed, 0) as FormObject;
}

function decodeComponent(text: string): string {
  const plus = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch (e) {
    throw new HttpError(400, 'BODY_MALFORMED', 'the form body has an invalid percent-encoding', { cause: e });
  }
}

function countPairs(body: string): number {
  if (body.length === 0) return 0;
  let n = 1;
  for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 38 /* & */) n++;
  return n;
}

function checkEscapes(body: string): void {
  // qs silently keeps invalid escapes as literal text; an event body with them is not genuine.
  if (/%(?![0-9a-fA-F]{2})/.test(body)) throw new HttpError(400, 'BODY_MALFORMED', 'invalid percent-escape in form body');
}

// qs with plainObjects gives null-prototype objects already; this pass drops forbidden keys that
// survive as literal names (`constructor[prototype][x]`) and copies into fresh null-prototype maps.
function sanitize(value: unknown, depth: number): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  const out: FormObject = Object.create(null) as FormObject;
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) continue;
      out[key] = sanitize((value as Record<string, unknown>)[key], depth + 1);
    }
  }
  return out;
}

/**
 * Encodes a value the way PHP's `http_build_query` does: nested keys in brackets, booleans as
 * `1`/`0`, null and undefined dropped, arrays indexed. The inverse of {@link parsePhpForm}.
 *
 * @example
 * encodePhpForm({ data: { PARAMS: { MESSAGE: 'hi' } } }) // 'data%5BPARAMS%5D%5BMESSAGE%5D=hi'
 */
export function encodePhpForm(value: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (prefix: string, v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'boolean') return void parts.push(`${encodeURIComponent(prefix)}=${v ? '1' : '0'}`);
    if (typeof v !== 'object') return void parts.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(v))}`);
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) walk(prefix === '' ? k : `${prefix}[${k}]`, x);
  };
  walk('', value);
  return parts.join('&');
}
