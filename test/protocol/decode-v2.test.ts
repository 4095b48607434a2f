import { expect } from 'chai';
import { NO_EXTRAS } from '../helpers/events.js';
import { BotkitError } from '../../src/errors.js';
import { decodeEvent, decodeFetchedEvent } from '../../src/protocol/decode.js';
import type { BotEvent, EventMessage } from '../../src/protocol/events.js';
import { PORTAL, fetchItem, fixture, toWire, webhookBody, type Json } from './event-fixtures.js';

const BOT_ID = 456;

/** The documented MESSAGEADD data with a different text, chat type and bot type. */
function messageData({ text = 'Hello bot!', chat = {}, botType = 'bot' }: { text?: string; chat?: Json; botType?: string | undefined } = {}): Json {
  const data = fixture('ONIMBOTV2MESSAGEADD.json');
  const bot = { ...(data['bot'] as Json), type: botType };
  return { ...data, bot, message: { ...(data['message'] as Json), text }, chat: { ...(data['chat'] as Json), ...chat } };
}

function pushed(type: string, data: Json): BotEvent {
  const decoded = decodeEvent(toWire(webhookBody(type, data)));
  if (decoded.kind !== 'bot' || decoded.events.length !== 1) throw new Error('expected one bot event');
  return decoded.events[0]!;
}

function message(data: Json): EventMessage {
  const e = pushed('ONIMBOTV2MESSAGEADD', data);
  if (e.type !== 'message') throw new Error(`expected a message, got ${e.type}`);
  return e.message;
}

const PRIVATE = { type: 'private', dialogId: '1', name: '' };

describe('protocol/decode v2 (ONIMBOTV2*)', () => {
  describe('mentions and `addressed`', () => {
    it('strips a leading [USER=<botId>] mention and the separator after it, keeping the original', () => {
      const original = `[USER=${BOT_ID}]Support Bot[/USER], how do I reset my password?`;
      expect(message(messageData({ text: original }))).to.deep.equal({ ...NO_EXTRAS,
        id: 789,
        text: 'how do I reset my password?',
        originalText: original,
        addressed: true,
      });
      expect(message(messageData({ text: `[user=${BOT_ID}]bot[/user]: hi` })).text).to.equal('hi');
      expect(message(messageData({ text: `  [USER=${BOT_ID} REPLACE]Bot[/USER] - hi` })).text).to.equal('hi');
    });

    it('does not strip or count a mention of another bot, nor a mention in the middle', () => {
      const other = message(messageData({ text: `[USER=${BOT_ID}7]Other[/USER], hi` }));
      expect([other.text, other.addressed]).to.deep.equal([`[USER=${BOT_ID}7]Other[/USER], hi`, false]);
      const middle = message(messageData({ text: `hi [USER=${BOT_ID}]Bot[/USER]` }));
      expect([middle.text, middle.addressed]).to.deep.equal([`hi [USER=${BOT_ID}]Bot[/USER]`, true]);
    });

    it('counts a group message to a `bot`-type bot as addressed when it starts with a command', () => {
      expect(message(messageData({ text: 'plain talk' })).addressed).to.equal(false);
      expect(message(messageData({ text: '/help me' })).addressed).to.equal(true);
      // Webhook mode: data.bot has no type, the default type `bot` is assumed.
      expect(message(messageData({ text: '/help me', botType: undefined })).addressed).to.equal(true);
      expect(message(messageData({ text: '/ not a command' })).addressed).to.equal(false);
    });

    it('does not count commands for supervisor and personal bots, only mentions', () => {
      for (const botType of ['supervisor', 'personal']) {
        expect(message(messageData({ text: '/help', botType })).addressed, botType).to.equal(false);
        expect(message(messageData({ text: 'hello', botType })).addressed, botType).to.equal(false);
        expect(message(messageData({ text: `[USER=${BOT_ID}]x[/USER] hi`, botType })).addressed, botType).to.equal(true);
      }
    });

    it('counts every private and open-line message as addressed, whatever the bot type', () => {
      expect(message(messageData({ text: 'hi', chat: PRIVATE, botType: 'supervisor' })).addressed).to.equal(true);
      expect(message(messageData({ text: 'hi', chat: { type: 'lines', entityType: 'LINES' } })).addressed).to.equal(true);
    });
  });

  it('maps chat.type (and messageType, dialogId when it is missing) to the chat kind', () => {
    const kind = (chat: Json): string => pushed('ONIMBOTV2MESSAGEADD', messageData({ chat })).chat.kind;
    expect(kind(PRIVATE)).to.equal('private');
    expect(kind({ type: 'chat' })).to.equal('group');
    expect(kind({ type: 'open' })).to.equal('group');
    expect(kind({ type: 'lines' })).to.equal('openline');
    expect(kind({ type: 'chat', entityType: 'LINES' })).to.equal('openline');
    expect(kind({ type: 'channel' }), 'chat-bots-v2/entities.md#chat').to.equal('group');
    expect(kind({ type: 'somethingNew' })).to.equal('other');
    expect(kind({ type: '', messageType: 'P' })).to.equal('private');
    expect(kind({ type: '', dialogId: '17' })).to.equal('private');
    expect(kind({ type: '', dialogId: 'chat5' })).to.equal('other');
  });

  it('takes dialogId from data.dialogId, then from the chat id, when chat.dialogId is missing', () => {
    const join = { ...fixture('ONIMBOTV2JOINCHAT.json'), dialogId: 'chat5', chat: { id: 7, type: 'chat' } };
    expect(pushed('ONIMBOTV2JOINCHAT', join).chat.dialogId).to.equal('chat5');
    const { dialogId: _d, ...noDialog } = join;
    expect(pushed('ONIMBOTV2JOINCHAT', { ...noDialog, chat: { id: 7, type: 'chat' } }).chat.dialogId).to.equal('chat7');
  });

  it('decodes a keyboard press: /Confirm with KEYBOARD context', () => {
    const data = fixture('ONIMBOTV2COMMANDADD.json');
    const e = pushed('ONIMBOTV2COMMANDADD', { ...data, command: { id: 9, command: '/Confirm', params: 'yes', context: 'KEYBOARD' } });
    expect(e).to.deep.include({ type: 'command', command: { id: 9, name: 'confirm', params: 'yes', context: 'keyboard' } });
  });

  it('decodes ONIMBOTV2MESSAGEUPDATE and ONIMBOTV2MESSAGEDELETE (no doc examples)', () => {
    const edit = pushed('ONIMBOTV2MESSAGEUPDATE', messageData({ text: 'Hello bot, edited' }));
    expect(edit).to.deep.include({ type: 'message_edit' });
    if (edit.type !== 'message_edit') throw new Error('wrong type');
    expect(edit.message).to.deep.include({ id: 789, text: 'Hello bot, edited' });
    const { message: _m, ...rest } = messageData();
    expect(pushed('ONIMBOTV2MESSAGEDELETE', { ...rest, messageId: 789 })).to.deep.include({ type: 'message_delete', messageId: 789 });
    expect(() => pushed('ONIMBOTV2MESSAGEDELETE', rest)).to.throw(BotkitError, 'data[messageId] is missing');
  });

  it('accepts a degraded user (`[]` in JSON) and names the author from the message', () => {
    const e = decodeFetchedEvent(fetchItem('ONIMBOTV2MESSAGEADD', { ...messageData(), user: [] }), PORTAL);
    expect(e?.user).to.deep.equal({ id: 1, name: '', firstName: '', lastName: '', isBot: false, isExtranet: false });
  });

  it('refuses a reaction action other than add/delete and a message without id', () => {
    const data = fixture('ONIMBOTV2REACTIONCHANGE.json');
    expect(() => pushed('ONIMBOTV2REACTIONCHANGE', { ...data, action: 'remove' })).to.throw(BotkitError, 'data[action]');
    const noId = { ...messageData(), message: { text: 'hi' } };
    expect(() => pushed('ONIMBOTV2MESSAGEADD', noId)).to.throw(BotkitError, 'data[message][id] is missing');
  });

  describe('decodeFetchedEvent', () => {
    it('returns null for types that are not v2 bot events', () => {
      const data = messageData();
      for (const type of ['ONIMV2MESSAGEADD', 'ONIMBOTMESSAGEADD', 'ONAPPINSTALL', 'SOMETHING']) {
        expect(decodeFetchedEvent(fetchItem(type, data), PORTAL), type).to.equal(null);
      }
    });

    it('reads eventId given as a string and the portal it was fetched for', () => {
      const e = decodeFetchedEvent({ ...fetchItem('onimbotv2messageadd', messageData()), eventId: '1005' }, PORTAL);
      expect(e).to.deep.include({ eventId: 1005, memberId: PORTAL.memberId, domain: PORTAL.domain, type: 'message' });
    });

    it('throws EVENT_INVALID for an item that is not an object or has a broken type or data', () => {
      const expectInvalid = (item: unknown, text: string): void => {
        expect(() => decodeFetchedEvent(item, PORTAL)).to.throw(BotkitError, text).with.property('code', 'EVENT_INVALID');
      };
      expectInvalid([], 'must be an object');
      expectInvalid({ type: ['ONIMBOTV2MESSAGEADD'], data: {} }, 'type must be a scalar');
      expectInvalid({ type: 'ONIMBOTV2MESSAGEADD', data: 'x' }, 'data must be an object');
      expectInvalid({ type: 'ONIMBOTV2MESSAGEADD', eventId: 1.5, data: messageData() }, 'eventId must be an integer');
      expectInvalid(fetchItem('ONIMBOTV2MESSAGEADD', { ...messageData(), bot: { code: 'x' } }), 'data[bot][id] is missing');
    });
  });
});
