import { expect } from 'chai';
import fc from 'fast-check';
import { BotkitError } from '../../src/errors.js';
import { decodeEnvelope, decodeEvent, decodeFetchedEvent, eventDedupeKey, type DecodedEvent } from '../../src/protocol/decode.js';
import { EVENT_TABLE } from '../../src/protocol/event-table.js';
import type { AppEvent, BotEvent } from '../../src/protocol/events.js';
import { parsePhpForm } from '../../src/protocol/php-form.js';
import { PORTAL, fetchItem, fixture, merge, toWire, webhookBody, type Json } from './event-fixtures.js';

const AUTH = 'auth[member_id]=m1&auth[application_token]=tok';

function botEvents(decoded: DecodedEvent): BotEvent[] {
  if (decoded.kind !== 'bot') throw new Error(`expected bot events, got ${decoded.kind}`);
  return decoded.events;
}

function appEvent(body: Json, now = 1_000_000): AppEvent {
  const decoded = decodeEvent(toWire(body), { now: () => now });
  if (decoded.kind !== 'app') throw new Error(`expected an app event, got ${decoded.kind}`);
  return decoded.event;
}

function expectInvalid(run: () => unknown, field: string): void {
  // The HTTP status (400) is the adapter's mapping of the code; test/e2e/intake-bad-input checks it on the wire.
  expect(run).to.throw(BotkitError, field).with.property('code', 'EVENT_INVALID');
}

describe('protocol/decode: envelope, bad shapes, app events, dedupe', () => {
  describe('decodeEnvelope', () => {
    it('reads an uninstall envelope (no OAuth tokens) and upper-cases the event name', () => {
      const body = { ...fixture('ONAPPUNINSTALL.json'), event: 'onAppUninstall' };
      expect(decodeEnvelope(toWire(body))).to.deep.equal({
        event: 'ONAPPUNINSTALL',
        memberId: 'a223c6b3710f85df22e9377d6c4f7553',
        domain: 'some-domain.bitrix24.ru',
        applicationToken: '51856fefc120afa4b628cc82d3935cce',
        clientEndpoint: 'https://some-domain.bitrix24.ru/rest/',
        ts: 1466439714,
      });
    });

    it('reads a reduced v2 webhook auth: no client_endpoint, no ts', () => {
      const env = decodeEnvelope(parsePhpForm(`event=ONIMBOTV2JOINCHAT&auth[domain]=Acme.Bitrix24.com&${AUTH}`));
      expect(env).to.deep.equal({ event: 'ONIMBOTV2JOINCHAT', memberId: 'm1', domain: 'acme.bitrix24.com', applicationToken: 'tok', clientEndpoint: '', ts: 0 });
    });

    it('refuses missing or malformed envelope fields, naming them', () => {
      expectInvalid(() => decodeEnvelope(parsePhpForm(AUTH)), 'event is missing');
      expectInvalid(() => decodeEnvelope(parsePhpForm('event=ONIMBOTJOINCHAT')), 'auth is missing');
      expectInvalid(() => decodeEnvelope(parsePhpForm('event=X&auth[application_token]=t')), 'auth[member_id] is missing');
      expectInvalid(() => decodeEnvelope(parsePhpForm('event=X&auth[member_id]=m1&auth[application_token][]=t')), 'auth[application_token]');
      expectInvalid(() => decodeEnvelope(parsePhpForm(`event=X&auth[member_id][]=m1&auth[application_token]=t`)), 'auth[member_id]');
      expectInvalid(() => decodeEnvelope(parsePhpForm(`event=X&auth[member_id]=m:1&auth[application_token]=t`)), 'auth[member_id]');
      expectInvalid(() => decodeEnvelope(parsePhpForm(`event=X&ts=soon&${AUTH}`)), 'ts');
      expectInvalid(() => decodeEnvelope(parsePhpForm(`event[]=X&${AUTH}`)), 'event');
      expectInvalid(() => decodeEnvelope(parsePhpForm(`event=X&auth=flat&${'x=1'}`)), 'auth');
      expectInvalid(() => decodeEnvelope({ event: 'X', ts: 1.5, auth: { member_id: 'm1', application_token: 't' } }), 'ts');
      expectInvalid(() => decodeEnvelope([] as unknown as Record<string, unknown>), 'body');
    });
  });

  describe('decodeEnvelope: no application token', () => {
    it('is an authentication failure (401 EVENT_TOKEN_MISSING), absent or empty, once the rest is well-formed', () => {
      for (const form of ['event=X&auth[member_id]=m1', 'event=X&auth[member_id]=m1&auth[application_token]=']) {
        expect(() => decodeEnvelope(parsePhpForm(form)), form).to.throw(BotkitError).that.includes({ code: 'EVENT_TOKEN_MISSING' });
      }
      expectInvalid(() => decodeEnvelope(parsePhpForm('event[]=X&auth[member_id]=m1')), 'event');
    });
  });

  describe('decodeEvent: bad shapes', () => {
    it('refuses data that is not an object', () => {
      expectInvalid(() => decodeEvent(parsePhpForm(`event=ONIMBOTMESSAGEADD&data=hello&${AUTH}`)), 'data must be object');
      expectInvalid(() => decodeEvent({ event: 'ONIMBOTV2JOINCHAT', data: [1], auth: { member_id: 'm1', application_token: 't' } }), 'data');
    });

    it('refuses arrays where scalars belong (form `[]` keys and JSON arrays)', () => {
      const form = `event=ONIMBOTMESSAGEADD&data[BOT][571][BOT_ID]=571&data[PARAMS][DIALOG_ID]=1&data[PARAMS][MESSAGE_ID]=5&data[PARAMS][MESSAGE][]=a&${AUTH}`;
      expectInvalid(() => decodeEvent(parsePhpForm(form)), 'data[PARAMS][MESSAGE]');
      const json = webhookBody('ONIMBOTV2MESSAGEADD', { ...fixture('ONIMBOTV2MESSAGEADD.json'), language: ['en'] });
      expectInvalid(() => decodeEvent(json), 'data[language]');
      const text = merge(fixture('ONIMBOTV2MESSAGEADD.json'), { message: { text: { b: 'x' } } });
      expectInvalid(() => decodeEvent(toWire(webhookBody('ONIMBOTV2MESSAGEADD', text))), 'data[message][text]');
    });

    it('refuses __proto__ / constructor / prototype keys anywhere in a JSON body, and pollutes nothing', () => {
      const proto = JSON.parse('{"event":"ONIMBOTV2JOINCHAT","auth":{"member_id":"m1","application_token":"t"},"data":{"chat":{"__proto__":{"polluted":1}}}}') as Json;
      expectInvalid(() => decodeEvent(proto), 'data[chat][__proto__]');
      const ctor = { event: 'X', auth: { member_id: 'm1', application_token: 't', constructor: { prototype: { x: 1 } } } };
      expectInvalid(() => decodeEvent(ctor), 'auth[constructor]');
      expect(({} as Json)['polluted']).to.equal(undefined);
    });

    it('reports a known event without its data, naming the first missing key', () => {
      expectInvalid(() => decodeEvent(parsePhpForm(`event=ONIMBOTMESSAGEADD&${AUTH}`)), 'data[BOT] is missing');
      expectInvalid(() => decodeEvent(parsePhpForm(`event=ONIMBOTV2MESSAGEADD&${AUTH}`)), 'data[bot] is missing');
    });

    it('returns kind "unknown" for an unknown event with a valid envelope, and still checks that envelope', () => {
      const decoded = decodeEvent(parsePhpForm(`event=ONTASKADD&data[FIELDS_AFTER][ID]=5&ts=10&${AUTH}`));
      expect(decoded).to.deep.equal({
        kind: 'unknown',
        envelope: { event: 'ONTASKADD', memberId: 'm1', domain: '', applicationToken: 'tok', clientEndpoint: '', ts: 10 },
      });
      expectInvalid(() => decodeEvent(parsePhpForm('event=ONTASKADD&auth[member_id]=m:1&auth[application_token]=t')), 'auth[member_id]');
      expect(() => decodeEvent(parsePhpForm('event=ONTASKADD&auth[member_id]=m1'))).to.throw(BotkitError).with.property('code', 'EVENT_TOKEN_MISSING');
    });

    it('only ever throws EVENT_INVALID for arbitrary data under every known event name (property)', () => {
      const names = Object.keys(EVENT_TABLE);
      const auth = { member_id: 'm1', application_token: 't', access_token: 'a', refresh_token: 'r', domain: 'x.y', client_endpoint: 'https://x.y/rest/' };
      fc.assert(
        fc.property(fc.constantFrom(...names), fc.jsonValue(), (event, data) => {
          // Some arbitrary keys collide once bracket-encoded (`a` and `a[b]`): the form parser refuses those.
          let wire: Json | null = null;
          try {
            wire = toWire({ event, data, auth } as Json);
          } catch (e) {
            if (!(e instanceof BotkitError) || e.code !== 'BODY_MALFORMED') throw e;
          }
          for (const body of wire === null ? [{ event, data, auth }] : [{ event, data, auth }, wire]) {
            try {
              decodeEvent(body as Json);
            } catch (e) {
              if (!(e instanceof BotkitError) || e.code !== 'EVENT_INVALID') throw e;
            }
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('app events', () => {
    const install = (auth: Json, data: Json = { LANGUAGE_ID: 'en' }): AppEvent =>
      appEvent(merge(fixture('ONAPPINSTALL.json'), { auth, data }));

    it('takes expiresAt from auth[expires] (seconds) when present, else now + expires_in', () => {
      const withExpires = install({ expires: '1772093600', expires_in: '3600', user_id: '1' });
      if (withExpires.type !== 'app_install') throw new Error('wrong type');
      expect(withExpires.auth).to.deep.include({ expiresAt: 1_772_093_600_000, userId: 1 });
      expect(withExpires.language).to.equal('en');
      const onlyIn = appEvent(fixture('ONAPPINSTALL.json'), 5_000);
      expect(onlyIn.type === 'app_install' && onlyIn.auth.expiresAt).to.equal(5_000 + 3_600_000);
    });

    it('splits scope on commas and spaces', () => {
      const e = install({ scope: 'imbot,im task  user' });
      expect(e.type === 'app_install' && e.auth.scope).to.deep.equal(['imbot', 'im', 'task', 'user']);
    });

    it('refuses an install without its OAuth pair, naming the field', () => {
      const body = fixture('ONAPPINSTALL.json');
      delete (body['auth'] as Json)['access_token'];
      expectInvalid(() => decodeEvent(toWire(body)), 'auth[access_token] is missing');
    });

    it('reads data[CLEAN] of ONAPPUNINSTALL as a boolean', () => {
      const uninstall = (data: Json): AppEvent => appEvent({ ...fixture('ONAPPUNINSTALL.json'), data });
      expect(uninstall({ CLEAN: '0' })).to.deep.include({ clean: false });
      expect(uninstall({ CLEAN: 'Y' })).to.deep.include({ clean: true });
      expect(uninstall({})).to.deep.include({ clean: false });
    });
  });

  describe('secrets', () => {
    it('keeps no key that names a token or auth in `raw`, at any depth (ids such as AUTHOR_ID are kept)', () => {
      const walk = (v: unknown, path: string): void => {
        if (typeof v !== 'object' || v === null) return;
        for (const [k, child] of Object.entries(v)) {
          expect(k, path).not.to.match(/token|auth(?!or)/i);
          walk(child, `${path}.${k}`);
        }
      };
      for (const name of ['ONIMBOTMESSAGEADD.group.json', 'ONIMCOMMANDADD.group.json', 'ONIMBOTJOINCHAT.private.json']) {
        for (const e of botEvents(decodeEvent(toWire(fixture(name))))) walk(e.raw, name);
      }
      const v2 = merge(fixture('ONIMBOTV2MESSAGEADD.json'), fixture('ONIMBOTV2.webhook-bot.json'));
      for (const e of botEvents(decodeEvent(toWire(webhookBody('ONIMBOTV2MESSAGEADD', v2))))) walk(e.raw, 'v2');
    });
  });

  describe('eventDedupeKey', () => {
    const v1 = (over: Json = {}): BotEvent => {
      const body = merge(fixture('ONIMBOTMESSAGEADD.group.json'), over);
      return botEvents(decodeEvent(toWire(body)))[0]!;
    };

    it('gives the same key for the same event decoded twice, another for another message id', () => {
      const key = eventDedupeKey(v1(), 'ONIMBOTMESSAGEADD');
      expect(key).to.equal('v1:bac1cd5c8940947a75e0d71b1a84e348:ONIMBOTMESSAGEADD:567:84351:0');
      expect(eventDedupeKey(v1(), 'onimbotmessageadd')).to.equal(key);
      expect(eventDedupeKey(v1({ data: { PARAMS: { MESSAGE_ID: '84352' } } }), 'ONIMBOTMESSAGEADD')).not.to.equal(key);
      expect(eventDedupeKey(v1({ auth: { member_id: 'other' } }), 'ONIMBOTMESSAGEADD')).not.to.equal(key);
    });

    it('uses the fetch eventId when there is one', () => {
      const e = decodeFetchedEvent(fetchItem('ONIMBOTV2MESSAGEADD', fixture('ONIMBOTV2MESSAGEADD.json'), 1001), PORTAL);
      expect(eventDedupeKey(e!, 'ONIMBOTV2MESSAGEADD')).to.equal(`v2:${PORTAL.memberId}:1001`);
    });

    it('tells apart repeated edits of one message, but not a repeated delivery of one edit', () => {
      const edit = (text: string, ts = '1778747193'): BotEvent => {
        const data = merge(fixture('ONIMBOTV2MESSAGEADD.json'), { message: { text } });
        return botEvents(decodeEvent(toWire(webhookBody('ONIMBOTV2MESSAGEUPDATE', data, ts))))[0]!;
      };
      const key = eventDedupeKey(edit('first'), 'ONIMBOTV2MESSAGEUPDATE');
      expect(key.startsWith(`v2:${PORTAL.memberId}:ONIMBOTV2MESSAGEUPDATE:456:789:0:`)).to.equal(true);
      expect(eventDedupeKey(edit('first'), 'ONIMBOTV2MESSAGEUPDATE')).to.equal(key);
      expect(eventDedupeKey(edit('second'), 'ONIMBOTV2MESSAGEUPDATE')).not.to.equal(key);
      expect(eventDedupeKey(edit('first', '1778747999'), 'ONIMBOTV2MESSAGEUPDATE')).not.to.equal(key);
    });

    it('tells apart two presses of different buttons on one keyboard message, and joins at different times', () => {
      const press = (params: string): BotEvent => {
        const data = merge(fixture('ONIMBOTV2COMMANDADD.json'), { command: { context: 'keyboard', params } });
        return botEvents(decodeEvent(toWire(webhookBody('ONIMBOTV2COMMANDADD', data))))[0]!;
      };
      expect(eventDedupeKey(press('yes'), 'ONIMBOTV2COMMANDADD')).not.to.equal(eventDedupeKey(press('no'), 'ONIMBOTV2COMMANDADD'));
      expect(eventDedupeKey(press('yes'), 'ONIMBOTV2COMMANDADD')).to.equal(eventDedupeKey(press('yes'), 'ONIMBOTV2COMMANDADD'));
      const join = (ts: string): BotEvent => botEvents(decodeEvent(toWire({ ...fixture('ONIMBOTJOINCHAT.group.json'), ts })))[0]!;
      expect(eventDedupeKey(join('100'), 'ONIMBOTJOINCHAT')).not.to.equal(eventDedupeKey(join('200'), 'ONIMBOTJOINCHAT'));
    });
  });
});
