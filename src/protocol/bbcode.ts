import { BotkitError } from '../errors.js';
import { isHexColor, isPlatformLink } from './limits.js';

// A zero-width space after "[" stops the platform's tag parser and is invisible to the reader.
const ZWSP = '\u200B';

/**
 * Makes user-provided text inert: no BB code (`[b]`, `[url=…]`, `[user=all]`, `[send=…]`, closing
 * tags...) and no quote markup (`>>` or `------` at a line start) survives, while the text looks the
 * same. Idempotent. Content arguments of the helpers below are inserted as they are (so helpers
 * nest); pass anything a user typed through `escape` first.
 *
 * @example
 * const text = `${b('Hello')}, ${escape(event.user.name)}`; // a name like "[user=all]x[/user]" stays text
 */
export function escape(text: string): string {
  return text
    .replace(/\[(?!\u200B)/g, `[${ZWSP}`)
    .replace(/^([ \t]*)>(?!\u200B)(?=>)/gm, `$1>${ZWSP}`)
    .replace(/^([ \t]*)-(?!\u200B)(?=-{5})/gm, `$1-${ZWSP}`);
}

/** A line break. */
export const br = '[br]';

/** Bold. */
export const b = (text: string): string => `[b]${text}[/b]`;
/** Italic. */
export const i = (text: string): string => `[i]${text}[/i]`;
/** Underlined. */
export const u = (text: string): string => `[u]${text}[/u]`;
/** Struck through. */
export const s = (text: string): string => `[s]${text}[/s]`;
/** A code block. A literal `[/code]` inside would end it: escape untrusted code. */
export const code = (text: string): string => `[code]${text}[/code]`;

/** Quote lines: every line gets the `>>` prefix. */
export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `>>${line}`)
    .join('\n');
}

function invalid(message: string): never {
  throw new BotkitError('MESSAGE_INVALID', message);
}

// Attribute values end at "]": refuse brackets and line breaks rather than emit a broken tag.
function attr(value: string, what: string): string {
  if (value === '' || /[[\]\r\n]/.test(value)) invalid(`${what} must be non-empty without "[", "]" or line breaks, got ${JSON.stringify(value)}`);
  return value;
}

function positiveId(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) invalid(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function link(href: string, what: string): string {
  const encoded = href.replace(/\[/g, '%5B').replace(/\]/g, '%5D');
  if (!isPlatformLink(encoded)) invalid(`${what} must be an http(s):// URL or a /portal/path, got ${JSON.stringify(href)}`);
  return encoded;
}

/** Text size in pixels (8–30). */
export function size(px: number, text: string): string {
  if (!Number.isInteger(px) || px < 8 || px > 30) invalid(`size must be an integer 8-30, got ${px}`);
  return `[size=${px}]${text}[/size]`;
}

/** Text colour (`#rgb` or `#rrggbb`). */
export function color(hex: string, text: string): string {
  if (!isHexColor(hex)) invalid(`color must be #rgb or #rrggbb, got ${JSON.stringify(hex)}`);
  return `[color=${hex}]${text}[/color]`;
}

/** A link; without `text` the URL itself is shown. `[` and `]` in the URL are percent-encoded. */
export function url(href: string, text?: string): string {
  const target = link(href, 'url');
  return text === undefined ? `[url]${target}[/url]` : `[url=${target}]${text}[/url]`;
}

/** A mention of a user, or of everyone in the chat with `'all'`. */
export function user(id: number | 'all', name: string): string {
  return `[user=${id === 'all' ? 'all' : positiveId(id, 'user id')}]${name}[/user]`;
}

/** A link to a chat (`456`) or an open line (`'imol|789'`). */
export function chat(id: number | string, name: string): string {
  if (!/^(?:[1-9]\d*|imol\|[1-9]\d*)$/.test(String(id))) invalid(`chat id must be a positive integer or imol|N, got ${JSON.stringify(id)}`);
  return `[chat=${id}]${name}[/chat]`;
}

/** A link to one message of a dialog (`dialogId` is a user id or `chatN`). */
export function context(dialogId: string, messageId: number, text: string): string {
  if (!/^(?:chat)?[1-9]\d*$/.test(dialogId)) invalid(`dialog id must be a user id or chatN, got ${JSON.stringify(dialogId)}`);
  return `[context=${dialogId}/${positiveId(messageId, 'message id')}]${text}[/context]`;
}

/** Clickable text that puts `command` (default: the text) into the input box. */
export function put(text: string, command: string = text): string {
  return `[put=${attr(command, 'put command')}]${text}[/put]`;
}

/** Clickable text that sends `command` (default: the text) at once, as if the user typed it. */
export function send(text: string, command: string = text): string {
  return `[send=${attr(command, 'send command')}]${text}[/send]`;
}

/** A clickable phone number; `text` replaces the number shown. */
export function call(phone: string, text?: string): string {
  if (!/^\+?[\d\s()-]*\d[\d\s()-]*$/.test(phone)) invalid(`call needs a phone number, got ${JSON.stringify(phone)}`);
  return text === undefined ? `[call]${phone}[/call]` : `[call=${phone}]${text}[/call]`;
}

/** An inline image (the platform needs the size and a space before `[/img]`). */
export function img(src: string, imageSize: 'small' | 'medium' | 'large'): string {
  if (!['small', 'medium', 'large'].includes(imageSize)) invalid(`img size must be small, medium or large, got ${JSON.stringify(imageSize)}`);
  return `[img size=${imageSize}]${attr(link(src, 'img'), 'img')} [/img]`;
}

/** An inline icon. */
export function icon(src: string, { size: px, title }: { size?: number; title?: string } = {}): string {
  let tag = `[icon=${attr(link(src, 'icon'), 'icon')}`;
  if (px !== undefined) tag += ` size=${positiveId(px, 'icon size')}`;
  if (title !== undefined) tag += ` title=${attr(title, 'icon title')}`;
  return `${tag}]`;
}

/** A date/time shown in the reader's time zone (`format` such as `SHORT_TIME_FORMAT`). */
export function timestamp(at: number | Date, format?: string): string {
  const unix = at instanceof Date ? Math.floor(at.getTime() / 1000) : at;
  if (!Number.isSafeInteger(unix) || unix < 0) invalid(`timestamp must be a non-negative unix time, got ${String(at)}`);
  if (format !== undefined && !/^[A-Z_]+$/.test(format)) invalid(`timestamp format must be a name like SHORT_TIME_FORMAT, got ${JSON.stringify(format)}`);
  return format === undefined ? `[timestamp=${unix}]` : `[timestamp=${unix} format=${format}]`;
}

/** A link to a Bitrix24 Drive file. */
export function disk(id: number): string {
  return `[disk=${positiveId(id, 'disk file id')}]`;
}
