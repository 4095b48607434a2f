import { expect } from 'chai';
import { decodeEvent } from '../../src/protocol/decode.js';
import type { BotEvent } from '../../src/protocol/events.js';
import { fixture, toWire, webhookBody, type Json } from './event-fixtures.js';

function decoded(body: Json): BotEvent {
  const d = decodeEvent(toWire(body));
  if (d.kind !== 'bot') throw new Error(`expected a bot event, got ${d.kind}`);
  return d.events[0] as BotEvent;
}

function v2(type: string, over: (data: Record<string, Record<string, unknown>>) => void): BotEvent {
  const data = structuredClone(fixture(`${type}.json`)) as Record<string, Record<string, unknown>>;
  over(data);
  return decoded(webhookBody(type, data as Json));
}

describe('protocol: decoding follows the platform', () => {
  // chat-bots-v2/entities.md#chat: "Тип: chat, open, channel, openChannel, copilot, thread, generalChannel".
  for (const type of ['chat', 'open', 'channel', 'openChannel', 'copilot', 'thread', 'generalChannel', 'general']) {
    it(`v2 chat type ${type} is a group chat, not "other"`, () => {
      const e = v2('ONIMBOTV2MESSAGEADD', (d) => { d['chat'] = { ...d['chat'], type }; });
      expect(e.chat.kind).to.equal('group');
    });
  }

  // im module Bitrix\Im\V2\Chat::IM_TYPE_*: N channel, J open channel, A copilot, T comment thread.
  it('classic chat type letters N, J, A, T (and an unknown v2 type with such a messageType) are group chats', () => {
    for (const letter of ['N', 'J', 'A', 'T']) {
      const body = structuredClone(fixture('ONIMBOTMESSAGEADD.group.json')) as { data: { PARAMS: Record<string, unknown> } };
      body.data.PARAMS['MESSAGE_TYPE'] = letter;
      body.data.PARAMS['CHAT_TYPE'] = letter;
      expect(decoded(body as unknown as Json).chat.kind, letter).to.equal('group');
    }
    const future = v2('ONIMBOTV2MESSAGEADD', (d) => { d['chat'] = { ...d['chat'], type: 'somethingNew', messageType: 'C' }; });
    expect(future.chat.kind).to.equal('group');
  });

  it('an unknown command context does not refuse the event (it would never be sent again): a typed command', () => {
    const e = v2('ONIMBOTV2COMMANDADD', (d) => { d['command'] = { ...d['command'], context: 'voice' }; });
    expect(e.type).to.equal('command');
    if (e.type === 'command') expect(e.command.context).to.equal('textarea');
  });

  it('raw keeps AUTHOR_ID and CHAT_AUTHOR_ID (ids, not secrets) and drops every auth block and token', () => {
    const e = decoded(fixture('ONIMBOTMESSAGEADD.group.json'));
    const params = (e.raw as Record<string, Record<string, unknown>>)['PARAMS'];
    expect(params).to.include({ AUTHOR_ID: '27', CHAT_AUTHOR_ID: '27' });
    const text = JSON.stringify(e.raw);
    expect(text).to.not.match(/access_token|refresh_token|application_token|"auth"|"AUTH"/i);
  });
});
