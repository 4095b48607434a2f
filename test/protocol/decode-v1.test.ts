import { expect } from 'chai';
import { NO_EXTRAS } from '../helpers/events.js';
import { BotkitError } from '../../src/errors.js';
import { decodeEvent, eventDedupeKey } from '../../src/protocol/decode.js';
import type { BotEvent, CommandEvent, MessageEvent } from '../../src/protocol/events.js';
import { parsePhpForm } from '../../src/protocol/php-form.js';
import { formBody, merge, toWire, type Json } from './event-fixtures.js';

const TOKEN_KEYS = ['access_token', 'expires', 'expires_in', 'scope', 'domain', 'server_endpoint', 'status', 'client_endpoint', 'member_id', 'refresh_token', 'user_id', 'client_id', 'application_token'];
const BOT_TOKEN: Record<string, string> = {
  access_token: '9f3e2a690000071b000008440000023bf0f10711aa',
  expires: '1772100908',
  expires_in: '3600',
  scope: 'imbot',
  domain: 'acme.bitrix24.com',
  server_endpoint: 'https://oauth.bitrix24.tech/rest/',
  status: 'L',
  client_endpoint: 'https://acme.bitrix24.com/rest/',
  member_id: '5f0c9e2d7b1a4c3e8d6f0a1b2c3d4e5f',
  refresh_token: '8e21c7690000071b000008440000023b5d0c',
  user_id: '571',
  client_id: '3b9f0e6c1a2d4e5f8a7b6c5d4e3f2a1b',
  application_token: 'd0c8a7e3f5b14c2a9e6f1b2c3d4e5f60',
};

// b24-api-facts.md §5.3, line by line (the `AUTH[...]` line expanded to the 13 repeated token keys).
const FACTS_5_3 = [
  'event=ONIMBOTMESSAGEADD',
  'event_handler_id=403',
  ...TOKEN_KEYS.map((k) => `data[BOT][571][${k}]=${BOT_TOKEN[k]}`),
  ...TOKEN_KEYS.map((k) => `data[BOT][571][AUTH][${k}]=${BOT_TOKEN[k]}`),
  'data[BOT][571][BOT_ID]=571',
  'data[BOT][571][BOT_CODE]=helpdesk',
  'data[PARAMS][MESSAGE]=, please reset my VPN password',
  'data[PARAMS][TEMPLATE_ID]=2b7c9e10-4f3a-4d8e-9c1b-7a6e5d4c3b2a',
  'data[PARAMS][MESSAGE_TYPE]=C',
  'data[PARAMS][FROM_USER_ID]=27',
  'data[PARAMS][DIALOG_ID]=chat1157',
  'data[PARAMS][TO_CHAT_ID]=1157',
  'data[PARAMS][AUTHOR_ID]=27',
  'data[PARAMS][SYSTEM]=N',
  'data[PARAMS][CHAT_ID]=1157',
  'data[PARAMS][CHAT_TITLE]=IT support',
  'data[PARAMS][CHAT_AUTHOR_ID]=27',
  'data[PARAMS][CHAT_TYPE]=C',
  'data[PARAMS][CHAT_AVATAR]=0',
  'data[PARAMS][CHAT_COLOR]=MINT',
  'data[PARAMS][CHAT_ENTITY_TYPE]=',
  'data[PARAMS][CHAT_ENTITY_ID]=',
  'data[PARAMS][CHAT_EXTRANET]=N',
  'data[PARAMS][CHAT_PREV_MESSAGE_ID]=80961',
  'data[PARAMS][COMMAND_CONTEXT]=TEXTAREA',
  'data[PARAMS][CHAT_USER_COUNT]=5',
  'data[PARAMS][MENTIONED_LIST][571]=571',
  'data[PARAMS][PLATFORM_CONTEXT]=web',
  'data[PARAMS][MESSAGE_ORIGINAL]=[USER=571]HelpDesk[/USER], please reset my VPN password',
  'data[PARAMS][TO_USER_ID]=571',
  'data[PARAMS][MESSAGE_ID]=84351',
  'data[PARAMS][LANGUAGE]=en',
  'data[USER][ID]=27',
  'data[USER][NAME]=Anna Smith',
  'data[USER][FIRST_NAME]=Anna',
  'data[USER][LAST_NAME]=Smith',
  'data[USER][WORK_POSITION]=Accountant',
  'data[USER][GENDER]=F',
  'data[USER][IS_BOT]=N',
  'data[USER][IS_CONNECTOR]=N',
  'data[USER][IS_NETWORK]=N',
  'data[USER][IS_EXTRANET]=N',
  'ts=1772097308',
  'auth[access_token]=1c7d2a690000071b000008440000001b00000772aa',
  'auth[expires]=1772100908',
  'auth[expires_in]=3600',
  'auth[scope]=imbot',
  'auth[domain]=acme.bitrix24.com',
  'auth[server_endpoint]=https://oauth.bitrix24.tech/rest/',
  'auth[status]=L',
  'auth[client_endpoint]=https://acme.bitrix24.com/rest/',
  'auth[member_id]=5f0c9e2d7b1a4c3e8d6f0a1b2c3d4e5f',
  'auth[user_id]=27',
  'auth[refresh_token]=0c9bc7690000071b000008440000001b0000e1',
  'auth[application_token]=d0c8a7e3f5b14c2a9e6f1b2c3d4e5f60',
];

function events(body: Record<string, unknown>): BotEvent[] {
  const decoded = decodeEvent(body);
  if (decoded.kind !== 'bot') throw new Error(`expected bot events, got ${decoded.kind}`);
  return decoded.events;
}

function messages(body: Record<string, unknown>): MessageEvent[] {
  return events(body).map((e) => {
    if (e.type !== 'message') throw new Error(`expected a message, got ${e.type}`);
    return e;
  });
}

/** A classic body (JSON with string scalars, as the docs print it) around PARAMS and BOT blocks. */
function v1Body(event: string, data: Json): Json {
  return {
    event,
    data,
    ts: '1772097308',
    auth: { domain: 'acme.bitrix24.com', member_id: 'm1', application_token: 'app-secret-1234567890' },
  };
}

const GROUP_PARAMS = { MESSAGE: 'hello all', DIALOG_ID: 'chat1157', CHAT_ID: '1157', CHAT_TYPE: 'C', MESSAGE_ID: '900', AUTHOR_ID: '27', LANGUAGE: 'en' };

function groupMessage(params: Json = {}, bots: Json = { 571: { BOT_ID: '571', BOT_CODE: 'helpdesk' } }): Json {
  return v1Body('ONIMBOTMESSAGEADD', { BOT: bots, PARAMS: { ...GROUP_PARAMS, ...params } });
}

describe('protocol/decode v1 (classic ONIMBOT*)', () => {
  it('decodes the flat group message of b24-api-facts §5.3 exactly', () => {
    const [e] = messages(parsePhpForm(formBody(FACTS_5_3)));
    expect(e).to.deep.include({ api: 'v1', memberId: '5f0c9e2d7b1a4c3e8d6f0a1b2c3d4e5f', domain: 'acme.bitrix24.com' });
    expect(e).to.deep.include({ language: 'en', ts: 1772097308, eventId: null, bot: { id: 571, code: 'helpdesk' } });
    expect(e!.chat).to.deep.equal({ id: 1157, dialogId: 'chat1157', kind: 'group', title: 'IT support' });
    expect(e!.user).to.deep.equal({ id: 27, name: 'Anna Smith', firstName: 'Anna', lastName: 'Smith', isBot: false, isExtranet: false });
    expect(e!.message).to.deep.equal({ ...NO_EXTRAS,
      id: 84351,
      text: 'please reset my VPN password',
      originalText: '[USER=571]HelpDesk[/USER], please reset my VPN password',
      addressed: true,
    });
    expect((e!.raw['PARAMS'] as Json)['CHAT_COLOR']).to.equal('MINT');
    expect(e!.raw['BOT']).to.deep.equal({ 571: { expires: '1772100908', scope: 'imbot', domain: 'acme.bitrix24.com', server_endpoint: 'https://oauth.bitrix24.tech/rest/', status: 'L', member_id: '5f0c9e2d7b1a4c3e8d6f0a1b2c3d4e5f', user_id: '571', expires_in: '3600', client_endpoint: 'https://acme.bitrix24.com/rest/', BOT_ID: '571', BOT_CODE: 'helpdesk' } });
    const text = JSON.stringify(e);
    for (const secret of [BOT_TOKEN['access_token'], BOT_TOKEN['refresh_token'], BOT_TOKEN['application_token'], BOT_TOKEN['client_id'], '1c7d2a690000071b000008440000001b00000772aa', '0c9bc7690000071b000008440000001b0000e1']) {
      expect(text).not.to.include(secret);
    }
  });

  it('gives one event per bot when data[BOT] names two bots, each with its own `addressed`', () => {
    const bots = { 571: { BOT_ID: '571', BOT_CODE: 'helpdesk' }, 572: { BOT_ID: '572', BOT_CODE: 'sales' } };
    const list = messages(toWire(groupMessage({ TO_USER_ID: '571', MENTIONED_LIST: { 571: '571' } }, bots)));
    expect(list.map((e) => [e.bot.id, e.bot.code, e.message.addressed])).to.deep.equal([
      [571, 'helpdesk', true],
      [572, 'sales', false],
    ]);
    expect(list[0]!.message.id).to.equal(list[1]!.message.id);
    expect(eventDedupeKey(list[0]!, 'ONIMBOTMESSAGEADD')).not.to.equal(eventDedupeKey(list[1]!, 'ONIMBOTMESSAGEADD'));
  });

  it('keeps bot ids below 100 (data[BOT][45]), with or without BOT_ID in the block', () => {
    const auth = 'auth[member_id]=m1&auth[application_token]=t';
    const params = 'data[PARAMS][DIALOG_ID]=1&data[PARAMS][MESSAGE_ID]=5&data[PARAMS][MESSAGE]=hi&data[PARAMS][CHAT_TYPE]=P';
    const withId = messages(parsePhpForm(`event=ONIMBOTMESSAGEADD&data[BOT][45][BOT_ID]=45&data[BOT][45][BOT_CODE]=echo&${params}&${auth}`));
    const keyOnly = messages(parsePhpForm(`event=ONIMBOTMESSAGEADD&data[BOT][45][BOT_CODE]=echo&${params}&${auth}`));
    expect(withId.map((e) => e.bot)).to.deep.equal([{ id: 45, code: 'echo' }]);
    expect(keyOnly.map((e) => e.bot)).to.deep.equal([{ id: 45, code: 'echo' }]);
  });

  it('marks a group message addressed only by TO_USER_ID, MENTIONED_LIST or a mention', () => {
    const addressed = (params: Json): boolean => messages(toWire(groupMessage(params)))[0]!.message.addressed;
    expect(addressed({})).to.equal(false);
    expect(addressed({ TO_USER_ID: '0' })).to.equal(false);
    expect(addressed({ TO_USER_ID: '571' })).to.equal(true);
    expect(addressed({ MENTIONED_LIST: { 571: '571' } })).to.equal(true);
    expect(addressed({ MENTIONED_LIST: { 5710: '5710' } })).to.equal(false);
    expect(addressed({ MESSAGE_ORIGINAL: 'hi [USER=571]Bot[/USER]' })).to.equal(true);
  });

  it('maps CHAT_TYPE / MESSAGE_TYPE / CHAT_ENTITY_TYPE to the chat kind', () => {
    const kind = (params: Json): string => messages(toWire(groupMessage(params)))[0]!.chat.kind;
    expect(kind({ CHAT_TYPE: 'P', DIALOG_ID: '27' })).to.equal('private');
    expect(kind({ CHAT_TYPE: 'C' })).to.equal('group');
    expect(kind({ CHAT_TYPE: 'O' })).to.equal('group');
    expect(kind({ CHAT_TYPE: 'L' })).to.equal('openline');
    expect(kind({ CHAT_TYPE: 'C', CHAT_ENTITY_TYPE: 'LINES' })).to.equal('openline');
    expect(kind({ CHAT_TYPE: 'N' }), 'a channel (im Chat::IM_TYPE_CHANNEL)').to.equal('group');
    expect(kind({ CHAT_TYPE: 'S' }), 'system').to.equal('other');
    expect(kind({ CHAT_TYPE: '', MESSAGE_TYPE: 'P' })).to.equal('private');
    // A private or open-line dialogue is always addressed to the bot.
    expect(messages(toWire(groupMessage({ CHAT_TYPE: 'L' })))[0]!.message.addressed).to.equal(true);
  });

  it('takes the user from PARAMS when data[USER] is absent', () => {
    const [e] = messages(toWire(groupMessage({ AUTHOR_ID: '33' })));
    expect(e!.user).to.deep.equal({ id: 33, name: '', firstName: '', lastName: '', isBot: false, isExtranet: false });
  });

  it('refuses a BOT map whose key is not a numeric id, naming the key', () => {
    expect(() => decodeEvent(toWire(groupMessage({}, { abc: { BOT_CODE: 'x' } })))).to.throw(BotkitError, 'data[BOT][abc]');
  });

  it('refuses a message without DIALOG_ID or MESSAGE_ID, naming the field', () => {
    const noDialog = merge(groupMessage(), {});
    delete ((noDialog['data'] as Json)['PARAMS'] as Json)['DIALOG_ID'];
    expect(() => decodeEvent(toWire(noDialog))).to.throw(BotkitError, 'data[PARAMS][DIALOG_ID] is missing');
    const edit = v1Body('ONIMBOTMESSAGEUPDATE', { BOT: { 571: { BOT_CODE: 'x' } }, PARAMS: { DIALOG_ID: '1', MESSAGE: 'x' } });
    expect(() => decodeEvent(toWire(edit))).to.throw(BotkitError, 'data[PARAMS][MESSAGE_ID] is missing');
  });

  describe('ONIMCOMMANDADD', () => {
    function command(blocks: Json, params: Json = {}): CommandEvent[] {
      const body = v1Body('ONIMCOMMANDADD', {
        COMMAND: blocks,
        PARAMS: { MESSAGE: '/echo hi', DIALOG_ID: '1269', CHAT_TYPE: 'P', MESSAGE_ID: '33899', ...params },
        USER: { ID: '1269', NAME: 'Ivan Petrov' },
      });
      return events(toWire(body)).map((e) => {
        if (e.type !== 'command') throw new Error(`expected a command, got ${e.type}`);
        return e;
      });
    }
    const block = (over: Json = {}): Json => ({ BOT_ID: '1291', BOT_CODE: 'gm', COMMAND: 'echo', COMMAND_ID: '103', COMMAND_PARAMS: 'hi', COMMAND_CONTEXT: 'TEXTAREA', MESSAGE_ID: '33899', ...over });

    it('lower-cases the name, drops a slash and maps KEYBOARD / MENU contexts', () => {
      const [e] = command({ 103: block({ COMMAND: '/Echo', COMMAND_CONTEXT: 'KEYBOARD', COMMAND_PARAMS: 'yes', MESSAGE_ID: '777' }) });
      expect(e!.command).to.deep.equal({ id: 103, name: 'echo', params: 'yes', context: 'keyboard' });
      expect(e!.messageId).to.equal(777);
      expect(command({ 103: block({ COMMAND_CONTEXT: 'MENU' }) })[0]!.command.context).to.equal('menu');
    });

    it('gives one event per command block (a message with two commands)', () => {
      const list = command({ 103: block(), 104: block({ COMMAND: 'help', COMMAND_ID: '104', COMMAND_PARAMS: '' }) });
      expect(list.map((e) => [e.command.id, e.command.name])).to.deep.equal([[103, 'echo'], [104, 'help']]);
    });

    it('falls back to PARAMS for the context and message id', () => {
      const [e] = command({ 103: block({ COMMAND_CONTEXT: undefined, MESSAGE_ID: undefined }) }, { COMMAND_CONTEXT: 'MENU' });
      expect([e!.command.context, e!.messageId]).to.deep.equal(['menu', 33899]);
    });

    it('takes an unknown COMMAND_CONTEXT as typed (never refuses the event); refuses a block without BOT_ID', () => {
      expect(command({ 103: block({ COMMAND_CONTEXT: 'VOICE' }) })[0]!.command.context).to.equal('textarea');
      expect(() => command({ 103: block({ BOT_ID: undefined }) })).to.throw(BotkitError, 'data[COMMAND][103][BOT_ID] is missing');
    });
  });
});
