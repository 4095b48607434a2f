import { BotkitError, type ErrorCode } from '../errors.js';
import type { OutgoingMessage } from './message.js';

/** Longest message text in characters (Unicode code points, as PHP `mb_strlen` counts them). */
export const MAX_MESSAGE_LENGTH = 20_000;
/** Largest keyboard: 30 KB of UTF-8 JSON (`KEYBOARD_OVERSIZE` on the v1 method pages). */
export const MAX_KEYBOARD_BYTES = 30 * 1024;
/** Largest context menu: 30 KB of UTF-8 JSON (`MENU_OVERSIZE` on the v1 method pages). */
export const MAX_MENU_BYTES = 30 * 1024;
/** Largest attachment by the v1 method pages: 30 KB of UTF-8 JSON. */
export const MAX_ATTACH_BYTES = 30 * 1024;
/**
 * Attachment ceiling by the v2 attach page: 60,000 serialized characters. The platform tests
 * `mb_strlen(json) < 60000`, so an attachment must stay strictly below this value.
 */
export const MAX_ATTACH_CHARS = 60_000;

/** The four named colour schemes of buttons, attachments and grid values. */
export const COLOR_TOKENS = ['primary', 'secondary', 'alert', 'base'] as const;
/** A named colour scheme (`base` is the platform default). */
export type ColorToken = (typeof COLOR_TOKENS)[number];

/** True for `#rgb` or `#rrggbb`, the only colour forms the platform keeps. */
export function isHexColor(value: string): boolean {
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value);
}

/**
 * True for a link the platform accepts in buttons, menus and attachments: `http://` or `https://`
 * (lower-case, as the server's check is case-sensitive) with a host, or a portal path `/...`.
 * Protocol-relative `//host` and anything with whitespace or control characters are refused.
 */
export function isPlatformLink(value: string): boolean {
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return false;
  if (value.startsWith('/')) return !value.startsWith('//');
  if (!/^https?:\/\/[^/?#]/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** Length of a text in Unicode code points (an emoji counts once, as on the platform). */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Size of a value's JSON serialization in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Length of a value's JSON as the platform serializes it (PHP `json_encode` with unescaped
 * Unicode): code points, where `/` becomes `\/` and U+2028/U+2029 become `\u2028`/`\u2029`.
 */
export function platformJsonChars(value: unknown): number {
  let n = 0;
  for (const ch of JSON.stringify(value) ?? '') n += ch === '/' ? 2 : ch === '\u2028' || ch === '\u2029' ? 6 : 1;
  return n;
}

/**
 * Throws a coded {@link BotkitError} when a message breaks a platform size limit: `MESSAGE_TOO_LONG`,
 * `KEYBOARD_OVERSIZE`, `MENU_OVERSIZE` or `ATTACH_OVERSIZE`. The error message names the limit and
 * the actual size. Sizes are measured on the full wrapped form (`{BUTTONS}`, `{ITEMS}`, `{BLOCKS}`).
 *
 * @example
 * checkOutgoingMessage({ text: 'x'.repeat(20_001) }); // throws MESSAGE_TOO_LONG
 */
export function checkOutgoingMessage(msg: OutgoingMessage): void {
  const length = textLength(msg.text);
  if (length > MAX_MESSAGE_LENGTH) {
    throw new BotkitError('MESSAGE_TOO_LONG', `message text is ${length} characters; the limit is ${MAX_MESSAGE_LENGTH} (MAX_MESSAGE_LENGTH)`);
  }
  if (msg.keyboard !== undefined) checkBytes('KEYBOARD_OVERSIZE', 'keyboard', wrap(msg.keyboard, 'BUTTONS'), MAX_KEYBOARD_BYTES, 'MAX_KEYBOARD_BYTES');
  if (msg.menu !== undefined) checkBytes('MENU_OVERSIZE', 'menu', wrap(msg.menu, 'ITEMS'), MAX_MENU_BYTES, 'MAX_MENU_BYTES');
  if (msg.attach !== undefined) checkAttach(wrap(msg.attach, 'BLOCKS'));
}

function wrap(value: unknown, key: string): unknown {
  return Array.isArray(value) ? { [key]: value } : value;
}

function checkBytes(code: ErrorCode, what: string, value: unknown, max: number, name: string): void {
  const bytes = jsonBytes(value);
  if (bytes > max) throw new BotkitError(code, `${what} is ${bytes} bytes of UTF-8 JSON; the limit is ${max} bytes (${name})`);
}

// The docs disagree (30 KB on the v1 pages, 60,000 characters on the v2 page): both are enforced.
function checkAttach(value: unknown): void {
  const problems: string[] = [];
  const bytes = jsonBytes(value);
  if (bytes > MAX_ATTACH_BYTES) problems.push(`${bytes} bytes of UTF-8 JSON; the limit is ${MAX_ATTACH_BYTES} bytes (MAX_ATTACH_BYTES)`);
  const chars = platformJsonChars(value);
  if (chars >= MAX_ATTACH_CHARS) {
    problems.push(`${chars} characters as the platform serializes it; it must stay below ${MAX_ATTACH_CHARS} (MAX_ATTACH_CHARS)`);
  }
  if (problems.length > 0) throw new BotkitError('ATTACH_OVERSIZE', `attachment is ${problems.join(' and ')}`);
}

/** Says what a field should be, or returns null when the value is fine. */
export type FieldRule = (value: unknown) => string | null;

/** Field rules shared by the keyboard, menu and attachment validators. */
export const rules = {
  text: (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? null : 'a non-empty string'),
  string: (v: unknown) => (typeof v === 'string' ? null : 'a string'),
  color: (v: unknown) => (typeof v === 'string' && isHexColor(v) ? null : 'a colour #rgb or #rrggbb'),
  link: (v: unknown) => (typeof v === 'string' && isPlatformLink(v) ? null : 'an http(s):// URL or a /portal/path'),
  id: (v: unknown) => (Number.isSafeInteger(v) && (v as number) > 0 ? null : 'a positive integer'),
  size: (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? null : 'a non-negative integer'),
  yesNo: (v: unknown) => (v === 'Y' || v === 'N' ? null : "'Y' or 'N'"),
  oneOf:
    (...values: readonly string[]): FieldRule =>
    (v) =>
      typeof v === 'string' && values.includes(v) ? null : `one of ${values.join(', ')}`,
} as const;

/**
 * Checks a plain object against a table of field rules: every key must be known and valid, every
 * `required` key present. Throws `code` with `where` and the offending field in the message.
 */
export function checkFields(
  value: unknown,
  table: Readonly<Record<string, FieldRule>>,
  required: readonly string[],
  fail: (message: string) => never,
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('must be an object');
  const obj = value as Record<string, unknown>;
  for (const key of required) if (obj[key] === undefined) fail(`${key} is required`);
  for (const [key, v] of Object.entries(obj)) {
    const rule = table[key];
    if (rule === undefined) fail(`unknown field ${key} (allowed: ${Object.keys(table).join(', ')})`);
    const problem = v === undefined ? null : rule(v);
    if (problem !== null) fail(`${key} must be ${problem}, got ${JSON.stringify(v)}`);
  }
  return obj;
}

/** Builds a `fail` function that throws {@link BotkitError} `code` prefixed by `where`. */
export function failer(code: ErrorCode, where: string): (message: string) => never {
  return (message) => {
    throw new BotkitError(code, `${where}: ${message}`);
  };
}
