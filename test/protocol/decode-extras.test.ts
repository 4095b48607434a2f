/**
 * Files, reply, forward and system flag on decoded messages, per field and per API generation. The documented
 * examples (test/fixtures/events, copied from the docs) carry none of them; the variants below change only
 * the fields the docs describe: v2 `message.params` / `forward` / `isSystem` (`v2/entities.md#message`, keys
 * from the platform's `Bitrix\Im\V2\Message\Params`), classic `PARAMS[SYSTEM]`
 * (`outdated/messages/events/on-imbot-message-add.md`) and `PARAMS[FILES]` (UNCONFIRMED, third-party practice).
 */
import { expect } from 'chai';
import { decodeEvent, decodeFetchedEvent } from '../../src/protocol/decode.js';
import type { BotEvent, MessageEvent } from '../../src/protocol/events.js';
import { PORTAL, fetchItem, fixture, merge, toWire, webhookBody, type Json } from './event-fixtures.js';

function only(events: BotEvent[]): MessageEvent {
  expect(events).to.have.length(1);
  const e = events[0]!;
  if (e.type !== 'message') throw new Error(`expected a message, got ${e.type}`);
  return e;
}

/** Pushed (form, strings) and fetched (JSON) must decode the same extras. */
function v2(data: Json): MessageEvent {
  const decoded = decodeEvent(toWire(webhookBody('ONIMBOTV2MESSAGEADD', data)));
  if (decoded.kind !== 'bot') throw new Error('not a bot event');
  const pushed = only(decoded.events);
  const fetched = decodeFetchedEvent(fetchItem('ONIMBOTV2MESSAGEADD', data), PORTAL);
  if (fetched === null || fetched.type !== 'message') throw new Error('fetched did not decode to a message');
  const pick = (e: MessageEvent): unknown => ({ ...e.message });
  expect(pick(fetched)).to.deep.equal(pick(pushed));
  return pushed;
}

function v1(patch: Json): MessageEvent {
  const body = merge(fixture('ONIMBOTMESSAGEADD.private.json'), patch);
  const decoded = decodeEvent(toWire(body));
  if (decoded.kind !== 'bot') throw new Error('not a bot event');
  const fromJson = decodeEvent(body);
  if (fromJson.kind !== 'bot') throw new Error('not a bot event');
  expect(only(fromJson.events).message).to.deep.equal(only(decoded.events).message);
  return only(decoded.events);
}

const V2_ADD = (): Json => fixture('ONIMBOTV2MESSAGEADD.json');
const withMessage = (patch: Json): Json => merge(V2_ADD(), { message: patch });

describe('message extras (files, reply, forward, system)', () => {
  it('the documented v2 example (v2/imbot.v2/events/events.md) has no files, no reply, no forward, isSystem false', () => {
    const e = v2(V2_ADD());
    expect(e.message).to.deep.include({ files: [], replyToId: null, forward: null, isSystem: false });
  });

  it('the documented classic example (PARAMS[SYSTEM]=N) has none either', () => {
    const e = only((() => { const d = decodeEvent(toWire(fixture('ONIMBOTMESSAGEADD.private.json'))); return d.kind === 'bot' ? d.events : []; })());
    expect(e.message).to.deep.include({ files: [], replyToId: null, forward: null, isSystem: false });
  });

  describe('v2', () => {
    // Not in the docs: im module Bitrix\Im\V2\Message\Params types FILE_ID as an int array (see src/protocol/decode-extras.ts).
    it('files: params.FILE_ID ids, in order, duplicates once; name/size/type unknown', () => {
      const e = v2(withMessage({ params: { FILE_ID: [138, 139, 138] } }));
      expect(e.message.files).to.deep.equal([
        { id: 138, name: null, size: null, type: null },
        { id: 139, name: null, size: null, type: null },
      ]);
    });

    it('files: a payload that also has full File objects (v2/entities.md#file) gives name, size, type', () => {
      const file = { id: 138, chatId: 5, type: 'image', name: 'shot.png', extension: 'png', size: 35341, image: { width: 8, height: 6 } };
      const e = v2(withMessage({ params: { FILE_ID: [138] }, files: [file] }));
      expect(e.message.files).to.deep.equal([{ id: 138, name: 'shot.png', size: 35341, type: 'image' }]);
    });

    it('files: junk ids are dropped, never a refusal (the platform does not re-send)', () => {
      const e = v2(withMessage({ params: { FILE_ID: ['x', -1, 0, 140] } }));
      expect(e.message.files.map((f) => f.id)).to.deep.equal([140]);
    });

    it('replyToId: params.REPLY_ID', () => {
      expect(v2(withMessage({ params: { REPLY_ID: 788 } })).message.replyToId).to.equal(788);
    });

    it('forward: {id, userId, chatId, date} → {messageId, userId, chatId, date}', () => {
      const forward = { id: 700, userId: 3, chatId: 9, date: '2025-01-14T09:00:00+03:00' };
      expect(v2(withMessage({ forward })).message.forward).to.deep.equal({ messageId: 700, userId: 3, chatId: 9, date: forward.date });
    });

    it('isSystem: true, or authorId 0 ("0 для системных сообщений")', () => {
      expect(v2(withMessage({ isSystem: true })).message.isSystem).to.equal(true);
      expect(v2(withMessage({ authorId: 0 })).message.isSystem).to.equal(true);
    });
  });

  describe('classic', () => {
    it('files: PARAMS[FILES][<id>] objects, PARAMS[PARAMS][FILE_ID] ids', () => {
      const e = v1({ data: { PARAMS: {
        PARAMS: { FILE_ID: ['55', '56'] },
        FILES: { 55: { id: '55', name: 'report.pdf', size: '1024', type: 'file' } },
      } } });
      expect(e.message.files).to.deep.equal([
        { id: 55, name: 'report.pdf', size: 1024, type: 'file' },
        { id: 56, name: null, size: null, type: null },
      ]);
    });

    it('replyToId and forward: PARAMS[PARAMS][REPLY_ID], FORWARD_ID/FORWARD_USER_ID/FORWARD_CHAT_ID', () => {
      const e = v1({ data: { PARAMS: { PARAMS: { REPLY_ID: '84330', FORWARD_ID: '80', FORWARD_USER_ID: '3', FORWARD_CHAT_ID: '9' } } } });
      expect(e.message.replyToId).to.equal(84330);
      expect(e.message.forward).to.deep.equal({ messageId: 80, userId: 3, chatId: 9, date: null });
    });

    it('isSystem: PARAMS[SYSTEM]=Y', () => {
      expect(v1({ data: { PARAMS: { SYSTEM: 'Y' } } }).message.isSystem).to.equal(true);
    });
  });
});
