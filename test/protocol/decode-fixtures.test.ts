import { expect } from 'chai';
import { NO_EXTRAS } from '../helpers/events.js';
import { BotkitError } from '../../src/errors.js';
import { decodeEvent, decodeFetchedEvent, type DecodedEvent } from '../../src/protocol/decode.js';
import type { AppEvent, BotEvent } from '../../src/protocol/events.js';
import {
  PORTAL,
  fetchItem,
  fixture,
  fixtureNames,
  merge,
  secretValues,
  toWire,
  webhookBody,
  type Json,
} from './event-fixtures.js';

const NOW = 1_700_000_000_000;
const FETCH_TS = Math.floor(Date.parse('2025-01-15T10:30:00+03:00') / 1000);

function botEvents(decoded: DecodedEvent): BotEvent[] {
  if (decoded.kind !== 'bot') throw new Error(`expected bot events, got ${decoded.kind}`);
  return decoded.events;
}

function appEvent(decoded: DecodedEvent): AppEvent {
  if (decoded.kind !== 'app') throw new Error(`expected an app event, got ${decoded.kind}`);
  return decoded.event;
}

function expectNoSecrets(source: Json, events: unknown): void {
  const text = JSON.stringify(events);
  const secrets = secretValues(source);
  for (const secret of secrets) expect(text, 'a token leaked into the decoded events').not.to.include(secret);
}

/** A full classic body: decoded from its wire form and from JSON, both must agree. */
function v1(name: string): BotEvent[] {
  const body = fixture(name);
  const fromForm = botEvents(decodeEvent(toWire(body)));
  const fromJson = botEvents(decodeEvent(body));
  expect(fromJson).to.deep.equal(fromForm);
  expect(fromForm).to.have.length(1);
  expectNoSecrets(body, fromForm);
  return fromForm;
}

function app(name: string): AppEvent {
  const body = fixture(name);
  const fromForm = appEvent(decodeEvent(toWire(body), { now: () => NOW }));
  expect(appEvent(decodeEvent(body, { now: () => NOW }))).to.deep.equal(fromForm);
  return fromForm;
}

function model(e: BotEvent): Json {
  const { raw: _raw, eventId: _id, ts: _ts, ...rest } = e;
  if (rest.type === 'context') return { ...rest, context: {} };
  return rest;
}

/** A v2 `data` object: pushed (webhook form) and fetched (JSON) must give the same model. */
function v2(type: string, data: Json): [BotEvent, BotEvent] {
  const pushed = botEvents(decodeEvent(toWire(webhookBody(type, data))));
  expect(pushed).to.have.length(1);
  const fetched = decodeFetchedEvent(fetchItem(type, data), PORTAL);
  if (fetched === null) throw new Error('fetched event decoded to null');
  expect(model(fetched)).to.deep.equal(model(pushed[0]!));
  expect([pushed[0]!.eventId, pushed[0]!.ts]).to.deep.equal([null, 1778747193]);
  expect([fetched.eventId, fetched.ts]).to.deep.equal([1001, FETCH_TS]);
  expectNoSecrets(data, [pushed, fetched]);
  return [pushed[0]!, fetched];
}

const JOHN = { id: 1, name: 'John Smith', firstName: 'John', lastName: 'Smith', isBot: false, isExtranet: false };
const SVETLANA = { id: 27, name: 'Светлана Иванова', firstName: 'Светлана', lastName: 'Иванова', isBot: false, isExtranet: false };
const SUPPORT_CHAT = { id: 5, dialogId: 'chat5', kind: 'group', title: 'Support Chat' };
const V2_ADD = (): Json => fixture('ONIMBOTV2MESSAGEADD.json');

const CASES: Record<string, () => void> = {
  'ONAPPINSTALL.json': () => {
    const e = app('ONAPPINSTALL.json');
    expect(e).to.deep.include({ type: 'app_install', language: 'ru', ts: 1696527000 });
    if (e.type === 'app_uninstall') throw new Error('wrong type');
    expect(e.auth).to.deep.equal({
      accessToken: 's6p6eclrvim6da22ft9ch94ekreb52lv',
      refreshToken: '4s386p3q0tr8dy89xvmt96234v3dljg8',
      expiresAt: NOW + 3_600_000,
      domain: 'some-domain.bitrix24.ru',
      clientEndpoint: 'https://some-domain.bitrix24.ru/rest/',
      serverEndpoint: 'https://oauth.bitrix24.tech/rest/',
      memberId: 'a223c6b3710f85df22e9377d6c4f7553',
      applicationToken: '51856fefc120afa4b628cc82d3935cce',
      userId: null,
      scope: ['imbot'],
    });
  },
  'ONAPPUPDATE.json': () => {
    const e = app('ONAPPUPDATE.json');
    if (e.type !== 'app_update') throw new Error(`wrong type ${e.type}`);
    expect(e.auth).to.deep.include({ memberId: 'd41d8cd98f00b204e9800998ecf8427e', accessToken: 'lh8ze36o8ulgrljbyscr36c7ay5sinva' });
    expect(e.auth.applicationToken).to.equal('c917d38f6bdb84e9d9e0bfe9d585be73');
  },
  'ONAPPUNINSTALL.json': () => {
    expect(app('ONAPPUNINSTALL.json')).to.deep.equal({
      type: 'app_uninstall',
      ts: 1466439714,
      memberId: 'a223c6b3710f85df22e9377d6c4f7553',
      domain: 'some-domain.bitrix24.ru',
      applicationToken: '51856fefc120afa4b628cc82d3935cce',
      clean: true,
    });
  },
  'ONIMBOTMESSAGEADD.private.json': () => {
    const [e] = v1('ONIMBOTMESSAGEADD.private.json');
    expect(e).to.deep.include({ type: 'message', api: 'v1', language: 'ru', ts: 1771928985, eventId: null });
    expect(e).to.deep.include({ memberId: 'bac1cd5c8940947a75e0d71b1a84e348', domain: 'some-domain.bitrix24.ru' });
    expect(e).to.deep.include({ bot: { id: 567, code: 'BOT1' }, user: SVETLANA });
    expect(e!.chat).to.deep.equal({ id: 1407, dialogId: '27', kind: 'private', title: '' });
    if (e!.type !== 'message') throw new Error('wrong type');
    expect(e!.message).to.deep.equal({ ...NO_EXTRAS, id: 84331, text: 'Привет', originalText: 'Привет', addressed: true });
  },
  'ONIMBOTMESSAGEADD.group.json': () => {
    const [e] = v1('ONIMBOTMESSAGEADD.group.json');
    expect(e!.chat).to.deep.equal({ id: 1157, dialogId: 'chat1157', kind: 'group', title: 'Бурый чат №18' });
    if (e!.type !== 'message') throw new Error('wrong type');
    expect(e!.message).to.deep.equal({ ...NO_EXTRAS,
      id: 84351,
      text: 'как настроить левое меню',
      originalText: '[USER=567]NewBot[/USER] , как настроить левое меню',
      addressed: true,
    });
  },
  'ONIMBOTMESSAGEUPDATE.private.json': () => {
    const [e] = v1('ONIMBOTMESSAGEUPDATE.private.json');
    if (e!.type !== 'message_edit') throw new Error('wrong type');
    expect(e!.message).to.deep.include({ id: 84531, text: 'Как добавить наблюдателя в задачу?', addressed: true });
    expect(e!.chat).to.deep.equal({ id: 1453, dialogId: '27', kind: 'private', title: '' });
  },
  'ONIMBOTMESSAGEUPDATE.group.json': () => {
    const [e] = v1('ONIMBOTMESSAGEUPDATE.group.json');
    if (e!.type !== 'message_edit') throw new Error('wrong type');
    expect(e!.message).to.deep.include({ id: 84537, text: 'оформи список задач', addressed: true });
    // No data[USER] in this example: the author comes from PARAMS.
    expect(e!.user).to.deep.include({ id: 27, name: '' });
  },
  'ONIMBOTMESSAGEDELETE.private.json': () => {
    const [e] = v1('ONIMBOTMESSAGEDELETE.private.json');
    expect(e).to.deep.include({ type: 'message_delete', messageId: 84525, bot: { id: 571, code: 'BOT' } });
  },
  'ONIMBOTMESSAGEDELETE.group.json': () => {
    const [e] = v1('ONIMBOTMESSAGEDELETE.group.json');
    expect(e).to.deep.include({ type: 'message_delete', messageId: 84537 });
    expect(e!.chat).to.deep.include({ dialogId: 'chat1157', kind: 'group' });
  },
  'ONIMBOTJOINCHAT.private.json': () => {
    const [e] = v1('ONIMBOTJOINCHAT.private.json');
    expect(e).to.deep.include({ type: 'join', user: { ...SVETLANA }, bot: { id: 571, code: 'BOT' } });
    expect(e!.chat).to.deep.include({ dialogId: '27', kind: 'private' });
  },
  'ONIMBOTJOINCHAT.group.json': () => {
    const [e] = v1('ONIMBOTJOINCHAT.group.json');
    expect(e).to.deep.include({ type: 'join', ts: 1772094525 });
    expect(e!.chat).to.deep.equal({ id: 1157, dialogId: 'chat1157', kind: 'group', title: '' });
  },
  'ONIMBOTDELETE.json': () => {
    const [e] = v1('ONIMBOTDELETE.json');
    expect(e).to.deep.include({ type: 'bot_delete', bot: { id: 567, code: 'BOT' }, language: '' });
    expect(e!.chat).to.deep.equal({ id: 0, dialogId: '', kind: 'other', title: '' });
  },
  'ONIMCOMMANDADD.private.json': () => {
    const [e] = v1('ONIMCOMMANDADD.private.json');
    if (e!.type !== 'command') throw new Error('wrong type');
    expect(e!.command).to.deep.equal({ id: 103, name: 'echo', params: 'test', context: 'textarea' });
    expect(e).to.deep.include({ messageId: 33899, bot: { id: 1291, code: 'BOT_GM' }, memberId: 'd897063e1ce7c5eb9f04b9751eef5915' });
    expect(e!.chat).to.deep.equal({ id: 2737, dialogId: '1269', kind: 'private', title: '' });
  },
  'ONIMCOMMANDADD.group.json': () => {
    // data[COMMAND][99]: a numeric key below 100 must survive the form round trip.
    const [e] = v1('ONIMCOMMANDADD.group.json');
    if (e!.type !== 'command') throw new Error('wrong type');
    expect(e!.command).to.deep.equal({ id: 99, name: 'echo', params: 'test', context: 'textarea' });
    expect(e).to.deep.include({ messageId: 33871, language: 'ru' });
    expect(e!.chat).to.deep.equal({ id: 2725, dialogId: 'chat2725', kind: 'group', title: 'Новое имя для чата' });
  },
  'ONIMBOTV2MESSAGEADD.json': () => {
    const [e] = v2('ONIMBOTV2MESSAGEADD', V2_ADD());
    expect(e).to.deep.include({ type: 'message', api: 'v2', language: 'en', bot: { id: 456, code: 'support_bot' }, user: JOHN });
    expect(e.chat).to.deep.equal(SUPPORT_CHAT);
    if (e.type !== 'message') throw new Error('wrong type');
    // A group message without a mention or a command is not addressed to a `bot`-type bot.
    expect(e.message).to.deep.equal({ ...NO_EXTRAS, id: 789, text: 'Hello bot!', originalText: 'Hello bot!', addressed: false });
  },
  'ONIMBOTV2COMMANDADD.json': () => {
    const [e] = v2('ONIMBOTV2COMMANDADD', fixture('ONIMBOTV2COMMANDADD.json'));
    if (e.type !== 'command') throw new Error('wrong type');
    expect(e.command).to.deep.equal({ id: 78, name: 'help', params: 'topic', context: 'textarea' });
    expect(e.messageId).to.equal(790);
    expect(e.chat).to.deep.equal(SUPPORT_CHAT);
  },
  'ONIMBOTV2JOINCHAT.json': () => {
    const [e] = v2('ONIMBOTV2JOINCHAT', fixture('ONIMBOTV2JOINCHAT.json'));
    expect(e).to.deep.include({ type: 'join', user: JOHN });
    expect(e.chat).to.deep.equal({ ...SUPPORT_CHAT, title: 'Project Chat' });
  },
  'ONIMBOTV2REACTIONCHANGE.json': () => {
    const [e] = v2('ONIMBOTV2REACTIONCHANGE', fixture('ONIMBOTV2REACTIONCHANGE.json'));
    expect(e).to.deep.include({ type: 'reaction', messageId: 789, reaction: 'like', action: 'add', user: JOHN });
  },
  'ONIMBOTV2CONTEXTGET.json': () => {
    const [pushed, fetched] = v2('ONIMBOTV2CONTEXTGET', fixture('ONIMBOTV2CONTEXTGET.json'));
    expect(pushed.chat).to.deep.equal({ id: 5, dialogId: '1', kind: 'private', title: '' });
    if (pushed.type !== 'context' || fetched.type !== 'context') throw new Error('wrong type');
    expect(fetched.context).to.deep.equal({ entityId: 164, entityType: 'task', source: 'link' });
    expect(pushed.context).to.deep.equal({ entityId: '164', entityType: 'task', source: 'link' });
  },
  'ONIMBOTV2DELETE.json': () => {
    const [e] = v2('ONIMBOTV2DELETE', fixture('ONIMBOTV2DELETE.json'));
    expect(e).to.deep.include({ type: 'bot_delete', bot: { id: 456, code: 'support_bot' }, language: 'en' });
    expect(e.chat).to.deep.equal({ id: 0, dialogId: '', kind: 'other', title: '' });
  },
  'ONIMBOTV2CONTEXTGET.fetch-item.json': () => {
    const item = fixture('ONIMBOTV2CONTEXTGET.fetch-item.json');
    const e = decodeFetchedEvent(item, PORTAL);
    if (e === null || e.type !== 'context') throw new Error('expected a context event');
    expect(e).to.deep.include({ eventId: null, ts: 0, language: 'ru', bot: { id: 456, code: 'my_bot' } });
    expect(e.chat).to.deep.equal({ id: 4511, dialogId: '274', kind: 'private', title: '' });
    expect(e.user).to.deep.include({ id: 274, name: 'Евгений Шеленков' });
    expect(e.context).to.deep.equal({ action: 'openTask', taskId: 456 });
    const [pushed] = botEvents(decodeEvent(toWire(webhookBody('ONIMBOTV2CONTEXTGET', item['data'] as Json))));
    expect(pushed).to.deep.include({ type: 'context', context: { action: 'openTask', taskId: '456' } });
  },
  'ONIMBOTV2CONTEXTGET.paircode.json': () => {
    const item = fixture('ONIMBOTV2CONTEXTGET.paircode.json');
    // Abbreviated in the docs: no `bot`, which no real delivery lacks.
    expect(() => decodeFetchedEvent(item, PORTAL)).to.throw(BotkitError, 'data[bot] is missing');
    const data = { ...fixture('ONIMBOTV2CONTEXTGET.json'), ...(item['data'] as Json) };
    const [e] = v2('ONIMBOTV2CONTEXTGET', data);
    if (e.type !== 'context') throw new Error('wrong type');
    expect(e.context).to.deep.equal({ pairCode: 'e5142e4ad735...' });
    expect(e.chat).to.deep.equal({ id: 0, dialogId: '274', kind: 'private', title: '' });
  },
  'ONIMBOTV2.webhook-bot.json': () => {
    const patch = fixture('ONIMBOTV2.webhook-bot.json');
    const [e] = v2('ONIMBOTV2MESSAGEADD', merge(V2_ADD(), patch));
    expect(e).to.deep.include({ bot: { id: 456, code: 'support_bot' }, user: JOHN });
    expect(JSON.stringify(e.raw)).not.to.match(/access_token|application_token/);
  },
  'ONIMBOTV2MESSAGEADD.webhook-envelope.json': () => {
    const skeleton = fixture('ONIMBOTV2MESSAGEADD.webhook-envelope.json');
    expect(() => decodeEvent(toWire(skeleton))).to.throw(BotkitError, 'auth[member_id] is missing');
    const body = merge(skeleton, { data: merge(V2_ADD(), skeleton['data'] as Json), auth: { member_id: PORTAL.memberId } });
    for (const wire of [toWire(body), body]) {
      const decoded = decodeEvent(wire);
      expect(decoded.envelope).to.deep.equal({
        event: 'ONIMBOTV2MESSAGEADD',
        memberId: PORTAL.memberId,
        domain: 'your-portal.bitrix24.ru',
        applicationToken: '...',
        clientEndpoint: '',
        ts: 1772093963,
      });
      expect(botEvents(decoded)[0]).to.deep.include({ type: 'message', bot: { id: 456, code: 'support_bot' } });
    }
  },
  'ONIMBOTV2MESSAGEADD.webhook-tutorial.json': () => {
    const tutorial = fixture('ONIMBOTV2MESSAGEADD.webhook-tutorial.json');
    expect(() => decodeEvent(toWire(tutorial))).to.throw(BotkitError, 'auth[member_id] is missing');
    const body = merge(tutorial, { auth: { member_id: PORTAL.memberId } });
    const [e] = botEvents(decodeEvent(toWire(body)));
    expect(botEvents(decodeEvent(body)).map(model)).to.deep.equal([model(e!)]);
    expect(e).to.deep.include({ type: 'message', ts: 0, language: '', domain: 'example.bitrix24.ru' });
    expect(e).to.deep.include({ bot: { id: 456, code: 'overdue_tasks_bot' } });
    expect(e!.user).to.deep.include({ id: 1, name: 'Иван Иванов' });
    expect(e!.chat).to.deep.equal({ id: 5, dialogId: 'chat5', kind: 'group', title: '' });
    if (e!.type !== 'message') throw new Error('wrong type');
    expect(e!.message).to.deep.equal({ ...NO_EXTRAS, id: 790, text: 'что горит', originalText: 'что горит', addressed: false });
  },
  'ONIMBOTV2JOINCHAT.webhook-tutorial.json': () => {
    const body = merge(fixture('ONIMBOTV2JOINCHAT.webhook-tutorial.json'), { auth: { member_id: PORTAL.memberId } });
    const [e] = botEvents(decodeEvent(toWire(body)));
    expect(e).to.deep.include({ type: 'join', bot: { id: 456, code: 'overdue_tasks_bot' } });
    expect(e!.chat).to.deep.equal({ id: 5, dialogId: 'chat5', kind: 'group', title: '' });
  },
  'ONIMBOTV2MESSAGEADD.openline-fragment.json': () => {
    const fragment = fixture('ONIMBOTV2MESSAGEADD.openline-fragment.json');
    const [e] = v2(String(fragment['event']), merge(V2_ADD(), fragment['data'] as Json));
    expect(e.chat).to.deep.include({ id: 112, kind: 'openline' });
    if (e.type !== 'message') throw new Error('wrong type');
    expect(e.message.addressed).to.equal(true);
  },
};

describe('protocol/decode: every documented event example', () => {
  it('has a case for every fixture file (a new example needs a case)', () => {
    expect(Object.keys(CASES).sort()).to.deep.equal(fixtureNames());
  });

  for (const [name, check] of Object.entries(CASES)) it(`decodes ${name}`, check);
});
