/**
 * Small helpers shared by the event decoders: coercion of wire values (form strings or JSON types),
 * safe copies for `raw`, mention handling and the common event base.
 */
import { BotkitError } from '../errors.js';
import type { BotApi, BotEventBase, ChatKind, CommandContext, EventBot, EventChat, EventUser } from './events.js';

/** A wire object: form-parsed (strings, null-prototype maps) or parsed JSON. Never trusted. */
export type WireObject = Readonly<Record<string, unknown>>;

/** What every bot decoder needs besides the event's `data`. */
export interface DecodeContext {
  memberId: string;
  domain: string;
  ts: number;
  eventId: number | null;
  /** The redacted copy of `data`, shared (frozen) by every event of one delivery. */
  raw: Readonly<Record<string, unknown>>;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// Bot events carry the acting user's and the bot's OAuth tokens; none of them may reach `raw`. `auth`
// blocks go, but ids such as AUTHOR_ID / CHAT_AUTHOR_ID / authorId are no secrets and stay.
const SECRET_KEY = /token|secret|password|refresh|client_id|authoriz|auth(?!or)/i;
const MAX_DEPTH = 32;
const EMPTY: WireObject = Object.freeze(Object.create(null) as Record<string, unknown>);

/** Builds the `EVENT_INVALID` error (400) with a message naming the offending field. */
export function invalid(message: string, options?: { cause?: unknown }): BotkitError {
  return new BotkitError('EVENT_INVALID', message, options);
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object field; absent, null and PHP's empty array (`[]`) become an empty object. */
export function objectOf(value: unknown, field: string): WireObject {
  if (value === undefined || value === null) return EMPTY;
  if (Array.isArray(value) && value.length === 0) return EMPTY;
  if (!isObject(value)) throw invalid(`${field} must be an object`);
  return value;
}

/** A whole number from `12`, `"12"` or `" 12 "`; absent, null and `""` give `fallback`. */
export function toInt(value: unknown, field: string, fallback = 0): number {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
  throw invalid(`${field} must be an integer`);
}

/** A string from a string, number or boolean (`true` → `"1"`, as PHP encodes it). */
export function toStr(value: unknown, field: string, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw invalid(`${field} must be a scalar`);
}

/** A boolean from `true`, `1`, `"1"`, `"Y"` or `"true"` (any case); everything else is false. */
export function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  if (typeof value !== 'string') return false;
  const v = value.trim().toLowerCase();
  return v === '1' || v === 'y' || v === 'true';
}

/**
 * A field path in the wire's bracket notation: `fieldPath('data', ['PARAMS', 'MESSAGE'])` →
 * `data[PARAMS][MESSAGE]`; with an empty root the first segment leads (`auth[member_id]`).
 */
export function fieldPath(root: string, segments: readonly string[]): string {
  const [head, ...tail] = root === '' ? segments : [root, ...segments];
  return (head ?? 'body') + tail.map((s) => `[${s}]`).join('');
}

/**
 * Refuses prototype-polluting keys (`__proto__`, `constructor`, `prototype`) and absurd nesting anywhere in
 * a body. The form parser drops such keys already; a JSON body built elsewhere may still carry them.
 */
export function assertSafeShape(value: unknown, segments: readonly string[] = []): void {
  if (typeof value !== 'object' || value === null) return;
  if (segments.length > MAX_DEPTH) throw invalid(`${fieldPath('', segments)} nests deeper than ${MAX_DEPTH}`);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
  for (const [key, child] of entries) {
    if (FORBIDDEN_KEYS.has(key)) throw invalid(`${fieldPath('', [...segments, key])} is a forbidden key`);
    assertSafeShape(child, [...segments, key]);
  }
}

/** A frozen deep copy without any key that names a secret (`*token*`, `auth`, `client_id`, …; not `AUTHOR_ID`). */
export function redactedCopy(value: WireObject): Readonly<Record<string, unknown>> {
  return copy(value, (key) => !SECRET_KEY.test(key)) as Readonly<Record<string, unknown>>;
}

/** A frozen deep copy of untrusted data (plain objects, prototype keys dropped). */
export function safeCopy(value: WireObject): Readonly<Record<string, unknown>> {
  return copy(value, () => true) as Readonly<Record<string, unknown>>;
}

function copy(value: unknown, keep: (key: string) => boolean): unknown {
  if (Array.isArray(value)) return Object.freeze(value.map((v) => copy(v, keep)));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key) || !keep(key)) continue;
    out[key] = copy(value[key], keep);
  }
  return Object.freeze(out);
}

function mentionPattern(botId: number, flags: string, anchored: boolean): RegExp {
  const start = anchored ? '^\\s*' : '';
  return new RegExp(`${start}\\[user=${botId}(?:\\s[^\\]]*)?\\]`, flags);
}

/** True when `text` holds a `[USER=<botId>]` mention (any case) of this bot. */
export function mentionsBot(text: string, botId: number): boolean {
  return botId > 0 && mentionPattern(botId, 'i', false).test(text);
}

/** Removes a leading `[USER=<botId>]Name[/USER]` and the punctuation/space after it. */
export function stripLeadingMention(text: string, botId: number): string {
  const open = mentionPattern(botId, 'i', true).exec(text);
  if (botId <= 0 || open === null) return text;
  const rest = text.slice(open[0].length);
  const close = /\[\/user\]/i.exec(rest);
  return trimAfterMention(close === null ? rest : rest.slice(close.index + close[0].length));
}

/** Drops the separator a user types after a mention: spaces, `,` `:` `;` `.` `!`, and a dash followed by space. */
export function trimAfterMention(text: string): string {
  return text.replace(/^(?:[\s,:;.!]|[-\u2013\u2014](?=\s))+/u, '');
}

/** True when the text starts with a slash command (`/help …`). */
export function startsWithCommand(text: string): boolean {
  return /^\/[\p{L}\p{N}_]/u.test(text.trimStart());
}

/** The bot-event fields every decoder fills the same way. */
export function eventBase(
  api: BotApi,
  ctx: DecodeContext,
  parts: { bot: EventBot; chat: EventChat; user: EventUser; language: string },
): BotEventBase {
  return {
    api,
    memberId: ctx.memberId,
    domain: ctx.domain,
    bot: { ...parts.bot },
    chat: { ...parts.chat },
    user: { ...parts.user },
    language: parts.language,
    ts: ctx.ts,
    eventId: ctx.eventId,
    raw: ctx.raw,
  };
}

/** The chat of an event that names none (bot deletion). */
export const NO_CHAT: Readonly<EventChat> = Object.freeze({ id: 0, dialogId: '', kind: 'other', title: '' });

/** The user of an event that names none. */
export function anonymousUser(id = 0): EventUser {
  return { id, name: '', firstName: '', lastName: '', isBot: false, isExtranet: false };
}

// The im module's chat type letters (`Bitrix\Im\V2\Chat::IM_TYPE_*`): C chat, O open, N channel,
// J open channel, A copilot, T comment thread, B collab are all multi-user chats; S system is not.
const GROUP_LETTERS = new Set(['C', 'O', 'N', 'J', 'A', 'T', 'B']);

/** The chat kind from a classic type letter (`CHAT_TYPE`/`MESSAGE_TYPE`) and the entity type. */
export function chatKindFromCode(code: string, entityType: string): ChatKind {
  const letter = code.trim().toUpperCase();
  if (entityType.trim().toUpperCase() === 'LINES' || letter === 'L') return 'openline';
  if (letter === 'P') return 'private';
  if (GROUP_LETTERS.has(letter)) return 'group';
  return 'other';
}

/** A command name as the model holds it: no leading slash, lower-case (`"/Help"` → `"help"`). */
export function commandName(value: unknown, field: string): string {
  return toStr(value, field).trim().replace(/^\//, '').toLowerCase();
}

const COMMAND_CONTEXTS: readonly string[] = ['textarea', 'keyboard', 'menu'] satisfies CommandContext[];
function isCommandContext(value: string): value is CommandContext {
  return COMMAND_CONTEXTS.includes(value);
}

/** `TEXTAREA`/`textarea` → `textarea` (likewise keyboard, menu); absent or unknown → `textarea`. */
export function commandContext(value: unknown, field: string): CommandContext {
  const context = toStr(value, field).trim().toLowerCase();
  // A context the platform adds later must not refuse the event (it is never sent again): a typed command.
  return isCommandContext(context) ? context : 'textarea';
}
