/**
 * Test factories for wire events: the documented examples in test/fixtures/events (copied byte for byte
 * from the Bitrix24 docs), turned into what really crosses the wire (PHP form encoding, every scalar a
 * string) or into `imbot.v2.Event.get` items.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { encodePhpForm, parsePhpForm } from '../../src/protocol/php-form.js';

/** A JSON object from a fixture. */
export type Json = Record<string, unknown>;

const DIR = new URL('../fixtures/events/', import.meta.url);

/** Every fixture file name. */
export function fixtureNames(): string[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
}

/** A fixture parsed as JSON. */
export function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Json;
}

/** What the platform POSTs: the body PHP-form encoded, then parsed back like the server does. */
export function toWire(body: Json): Json {
  return parsePhpForm(encodePhpForm(body));
}

/** A form body from `key=value` pairs written as in the docs (`data[BOT][571][BOT_ID]=571`). */
export function formBody(lines: readonly string[]): string {
  return lines
    .map((line) => {
      const at = line.indexOf('=');
      return `${encodeURIComponent(line.slice(0, at))}=${encodeURIComponent(line.slice(at + 1))}`;
    })
    .join('&');
}

/** The portal of the v2 webhook envelope used below (the v1 examples' portal). */
export const PORTAL = { memberId: 'bac1cd5c8940947a75e0d71b1a84e348', domain: 'some-domain.bitrix24.ru' };

/** The top-level `auth` of a v2 webhook delivery (docs' [ENV] block): no OAuth tokens of the user. */
export function webhookAuth(): Json {
  return {
    domain: PORTAL.domain,
    client_endpoint: `https://${PORTAL.domain}/rest/`,
    server_endpoint: 'https://oauth.bitrix24.tech/rest/',
    member_id: PORTAL.memberId,
    application_token: '831c76b092f9f135d9b6b36c3a720757',
  };
}

/** A v2 webhook body around a fetch-form `data` object. */
export function webhookBody(event: string, data: Json, ts = '1778747193'): Json {
  return { event, event_handler_id: '812', data, ts, auth: webhookAuth() };
}

/** An `imbot.v2.Event.get` item around a `data` object. */
export function fetchItem(type: string, data: Json, eventId = 1001): Json {
  return { eventId, type, date: '2025-01-15T10:30:00+03:00', data };
}

/**
 * Deep merge for abbreviated doc examples: `patch` wins, except that its empty `{}` placeholders keep the
 * base's object (the docs write `"message": {}` for "as shown elsewhere").
 */
export function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const prior = out[key];
    if (isJson(value) && isJson(prior)) out[key] = merge(prior, value);
    else out[key] = value;
  }
  return out;
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every value stored under a key that names a secret (`*token*`, `client_id`), at any depth. */
export function secretValues(value: unknown): string[] {
  if (!isJson(value)) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    /token|client_id/i.test(key) && typeof v === 'string' && v.length > 8 ? [v] : secretValues(v),
  );
}
