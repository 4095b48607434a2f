/**
 * Entry points of wire decoding: pushed events (form-parsed or JSON bodies), fetched `imbot.v2.Event.get`
 * items, and the dedupe key of a decoded event. Which decoder runs is decided by `event-table.ts`.
 */
import { BotkitError } from '../errors.js';
import { lookupEvent } from './event-table.js';
import type { AppEvent, BotEvent } from './events.js';
import { ENVELOPE_SCHEMA, compileValidator } from './schemas.js';
import {
  assertSafeShape,
  invalid,
  isObject,
  objectOf,
  redactedCopy,
  toInt,
  toStr,
  type DecodeContext,
  type WireObject,
} from './wire.js';

/** Top-level envelope fields common to every pushed event. */
export interface EventEnvelope {
  /** The wire event name, upper-case (`ONIMBOTMESSAGEADD`). */
  event: string;
  memberId: string;
  /** The portal host, lower-case; `''` when the event does not name it. */
  domain: string;
  /** The shared secret to compare with the stored one. */
  applicationToken: string;
  /** `auth[client_endpoint]`; `''` for events without it (webhook-authorised v2 bots). */
  clientEndpoint: string;
  /** Unix seconds the platform sent the event; 0 when absent. */
  ts: number;
}

/** The outcome of {@link decodeEvent}. */
export type DecodedEvent =
  | { kind: 'bot'; envelope: EventEnvelope; events: BotEvent[] }
  | { kind: 'app'; envelope: EventEnvelope; event: AppEvent }
  | { kind: 'unknown'; envelope: EventEnvelope };

/** Options of {@link decodeEvent}. */
export interface DecodeOptions {
  /** The clock (Unix ms) used to turn `expires_in` into an absolute expiry. */
  now?: () => number;
  /** The envelope already read from this body with {@link decodeEnvelope} (saves reading it twice). */
  envelope?: EventEnvelope;
}

const checkEnvelope = compileValidator(ENVELOPE_SCHEMA, '');

/**
 * Reads and validates just the envelope: `event`, `auth[member_id]`, `auth[application_token]`, `ts`,
 * `auth[domain]`. Works for envelope-only auth blocks (uninstall, webhook-authorised v2 bots).
 *
 * @throws BotkitError `EVENT_INVALID` (HTTP 400) naming the offending field; `EVENT_TOKEN_MISSING` (401) when the envelope
 * is well-formed but carries no (or an empty) `auth[application_token]`.
 * @example
 * const env = decodeEnvelope(parsePhpForm(rawBody));
 * if (!verifyToken(env.memberId, env.applicationToken)) throw forged();
 */
export function decodeEnvelope(body: Record<string, unknown>): EventEnvelope {
  if (!isObject(body)) throw invalid('the event body must be an object');
  assertSafeShape(body);
  checkEnvelope(body);
  const auth = objectOf(body['auth'], 'auth');
  if (auth['application_token'] === undefined || auth['application_token'] === '') {
    throw new BotkitError('EVENT_TOKEN_MISSING', 'auth[application_token] is missing: the event cannot be authenticated');
  }
  return {
    event: toStr(body['event'], 'event').toUpperCase(),
    memberId: toStr(auth['member_id'], 'auth[member_id]'),
    domain: toStr(auth['domain'], 'auth[domain]').toLowerCase(),
    applicationToken: toStr(auth['application_token'], 'auth[application_token]'),
    clientEndpoint: toStr(auth['client_endpoint'], 'auth[client_endpoint]'),
    ts: toInt(body['ts'], 'ts'),
  };
}

/**
 * Decodes a pushed event (form-parsed object, or a JSON body with the same shape) into the typed model.
 * A classic event that addresses several bots gives one event per bot. An unknown event name with a valid
 * envelope gives `kind: 'unknown'`.
 *
 * @throws BotkitError `EVENT_INVALID` (HTTP 400) naming the offending field.
 * @example
 * const decoded = decodeEvent(parsePhpForm(rawBody));
 * if (decoded.kind === 'bot') for (const e of decoded.events) await inbox.put(eventDedupeKey(e, decoded.envelope.event), e);
 */
export function decodeEvent(body: Record<string, unknown>, { now = Date.now, envelope = decodeEnvelope(body) }: DecodeOptions = {}): DecodedEvent {
  const spec = lookupEvent(envelope.event);
  if (spec === undefined) return { kind: 'unknown', envelope };
  const data = objectOf(body['data'], 'data');
  spec.validate(data);
  if (spec.kind === 'app') {
    const auth = objectOf(body['auth'], 'auth');
    spec.validateAuth(auth);
    return { kind: 'app', envelope, event: spec.decode(data, auth, { envelope, now: now() }) };
  }
  const ctx = contextOf(envelope, data, null);
  return { kind: 'bot', envelope, events: spec.decode(data, ctx) };
}

/**
 * Decodes one item of `imbot.v2.Event.get`'s `events` array (`{eventId, type, date, data}`, JSON types).
 * Returns null for types that are not v2 bot events (unknown names, `ONIMV2*` user events).
 *
 * @throws BotkitError `EVENT_INVALID` (HTTP 400) naming the offending field.
 * @example
 * for (const item of result.events) {
 *   const event = decodeFetchedEvent(item, { memberId, domain });
 *   if (event !== null) await inbox.put(eventDedupeKey(event, String(item.type)), event);
 * }
 */
export function decodeFetchedEvent(item: unknown, portal: { memberId: string; domain: string }): BotEvent | null {
  if (!isObject(item)) throw invalid('the fetched event must be an object');
  assertSafeShape(item);
  const spec = lookupEvent(toStr(item['type'], 'type'));
  if (spec === undefined || spec.kind !== 'bot' || spec.api !== 'v2') return null;
  const data = objectOf(item['data'], 'data');
  spec.validate(data);
  const eventId = item['eventId'] === undefined || item['eventId'] === null ? null : toInt(item['eventId'], 'eventId');
  const ctx = contextOf({ memberId: portal.memberId, domain: portal.domain, ts: secondsOf(item['date']) }, data, eventId);
  return spec.decode(data, ctx)[0] ?? null;
}

function contextOf(
  at: Pick<EventEnvelope, 'memberId' | 'domain' | 'ts'>,
  data: WireObject,
  eventId: number | null,
): DecodeContext {
  return { memberId: at.memberId, domain: at.domain, ts: at.ts, eventId, raw: redactedCopy(data) };
}

function secondsOf(date: unknown): number {
  const ms = typeof date === 'string' ? Date.parse(date) : NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/**
 * A stable dedupe key: `v2:<memberId>:<eventId>` when the event has a fetch id, else
 * `<api>:<memberId>:<EVENT>:<botId>:<messageId>:<commandId>`, plus a short hash of what tells repeated
 * events of one message apart (an edit's text and time, a keyboard press's params and time, a reaction,
 * a join's chat and time), because those may legitimately recur for the same message id.
 *
 * @example
 * eventDedupeKey(event, 'ONIMBOTMESSAGEADD') // 'v1:5f0c…:ONIMBOTMESSAGEADD:571:84351:0'
 */
export function eventDedupeKey(e: BotEvent, eventName: string): string {
  if (e.eventId !== null) return `v2:${e.memberId}:${e.eventId}`;
  const [messageId, commandId, extra] = discriminators(e);
  const key = `${e.api}:${e.memberId}:${eventName.toUpperCase()}:${e.bot.id}:${messageId}:${commandId}`;
  return extra.length === 0 ? key : `${key}:${fnv1a(JSON.stringify(extra))}`;
}

function discriminators(e: BotEvent): [number, number, unknown[]] {
  switch (e.type) {
    case 'message':
      return [e.message.id, 0, []];
    case 'message_edit':
      return [e.message.id, 0, [e.ts, e.message.originalText]];
    case 'message_delete':
      return [e.messageId, 0, []];
    case 'command':
      return [e.messageId, e.command.id, e.command.context === 'textarea' ? [] : [e.ts, e.user.id, e.command.params]];
    case 'reaction':
      return [e.messageId, 0, [e.ts, e.user.id, e.reaction, e.action]];
    case 'join':
      return [0, 0, [e.ts, e.chat.dialogId, e.user.id]];
    case 'context':
      return [0, 0, [e.ts, e.chat.dialogId, e.user.id, e.context]];
    case 'bot_delete':
      return [0, 0, []];
  }
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
