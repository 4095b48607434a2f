import { BotkitError } from '../errors.js';

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
 * null-prototype objects, the way PHP's `parse_str` reads what `http_build_query` wrote: numeric keys
 * stay object keys (`data[BOT][45]` keeps `45`), `a[]` appends the next index, a repeated scalar key
 * becomes an array (so a duplicated field is visible, never silently overwritten). Pairs with a
 * `__proto__`/`constructor`/`prototype` key are dropped; limits, invalid percent-escapes, invalid UTF-8
 * and keys that are both a value and a map are refused with coded `BotkitError`s (the HTTP adapter maps each code to its status).
 *
 * @example
 * parsePhpForm('data[BOT][45][BOT_CODE]=echo').data // { BOT: { '45': { BOT_CODE: 'echo' } } }
 */
export function parsePhpForm(body: string, { maxParams = 1000, maxDepth = 12 }: FormLimits = {}): FormObject {
  const root = Object.create(null) as FormObject;
  let count = 0;
  for (let start = 0; start < body.length;) {
    let end = body.indexOf('&', start);
    if (end === -1) end = body.length;
    if (end > start) {
      if (++count > maxParams) throw new BotkitError('BODY_TOO_MANY_PARAMS', `more than ${maxParams} parameters`);
      const eq = body.indexOf('=', start);
      const split = eq !== -1 && eq < end;
      const key = decodeComponent(body.slice(start, split ? eq : end));
      if (key !== '') assign(root, keyPath(key, maxDepth), split ? decodeComponent(body.slice(eq + 1, end)) : '');
    }
    start = end + 1;
  }
  return root;
}

function decodeComponent(text: string): string {
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  try {
    return decodeURIComponent(text.indexOf('+') === -1 ? text : text.replace(/\+/g, ' '));
  } catch (e) {
    throw new BotkitError('BODY_MALFORMED', 'the form body has an invalid percent-encoding', { cause: e });
  }
}

/** `a[b][]` → `['a', 'b', '']`. A `[` without `]` makes the whole key literal; text after the last `]` is ignored. */
function keyPath(key: string, maxDepth: number): string[] {
  const open = key.indexOf('[');
  if (open === -1 || key.indexOf(']', open) === -1) return [key];
  const path = open > 0 ? [key.slice(0, open)] : [];
  for (let i = open; key.charCodeAt(i) === 91 /* [ */;) {
    const close = key.indexOf(']', i + 1);
    if (close === -1) break;
    path.push(key.slice(i + 1, close));
    if (path.length - 1 > maxDepth) throw new BotkitError('BODY_TOO_DEEP', `brackets nest deeper than ${maxDepth}`);
    i = close + 1;
  }
  return path;
}

function conflict(path: readonly string[]): never {
  throw new BotkitError('BODY_MALFORMED', `form key ${path[0] ?? ''} is both a value and a map`);
}

function assign(root: FormObject, path: string[], value: string): void {
  if (path.some((k) => FORBIDDEN_KEYS.has(k))) return;
  let cur = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] === '' ? String(Object.keys(cur).length) : (path[i] as string);
    const child = cur[key];
    if (child === undefined) cur = cur[key] = Object.create(null) as FormObject;
    else if (typeof child === 'object' && !Array.isArray(child)) cur = child;
    else conflict(path);
  }
  const last = path[path.length - 1] === '' ? String(Object.keys(cur).length) : (path[path.length - 1] as string);
  const existing = cur[last];
  if (existing === undefined) cur[last] = value;
  else if (typeof existing === 'string') cur[last] = [existing, value];
  else if (Array.isArray(existing)) existing.push(value);
  else conflict(path);
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
