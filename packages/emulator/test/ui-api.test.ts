import { expect } from 'chai';
import { request } from 'undici';
import type { Emulator } from '../src/index.js';
import { call, emulator, receiver, result, type Receiver } from './helpers.js';

type Json = Record<string, unknown>;

describe('emulator chat page API (/ui/api) and fault controls', () => {
  let emu: Emulator;
  let rec: Receiver;
  let hook: string;
  let echoId: number;

  const post = async (name: string, body: Json): Promise<{ status: number; body: Json }> => {
    const res = await request(`${emu.url}/ui/api/${name}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.statusCode, body: await res.body.json() as Json };
  };
  const get = async <T>(name: string): Promise<T> => (await request(`${emu.url}/ui/api/${name}`)).body.json() as Promise<T>;

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    rec = await receiver();
    hook = emu.portal.createWebhook();
    const reg = await call(hook, 'imbot.v2.Bot.register', {
      fields: { code: 'echo', botToken: 'secret-bot-token', eventMode: 'webhook', webhookUrl: `${rec.url}/v2`, properties: { name: 'Echo' } },
    });
    echoId = (result(reg)['bot'] as { id: number }).id;
    await call(hook, 'imbot.v2.Command.register', { botId: echoId, botToken: 'secret-bot-token', fields: { command: 'echo', title: { en: 'Echo it', de: 'Wiederholen' }, params: { en: 'text' } } });
    await call(hook, 'imbot.v2.Command.register', { botId: echoId, botToken: 'secret-bot-token', fields: { command: 'vote', hidden: true } });
  });
  afterEach(async () => {
    await emu.close();
    await rec.close();
  });

  it('state lists people, bots with their visible commands and titles per language, and chats', async () => {
    const anna = emu.portal.users.add({ name: 'Anna Lee' });
    emu.portal.createChat({ title: 'Team', userIds: [1, anna] });
    const state = await get<{ users: Json[]; bots: Array<{ code: string; commands: Json[] }>; chats: Json[] }>('state');
    expect(state.users.map((u) => u['name'])).to.include.members(['John Smith', 'Anna Lee', 'Echo']);
    expect(state.bots[0]?.commands).to.deep.equal([{ command: 'echo', title: { en: 'Echo it', de: 'Wiederholen' }, params: { en: 'text' }, common: false }]);
    expect(state.chats).to.deep.include({ id: 1, kind: 'group', title: 'Team', members: [1, anna] });
  });

  it('opens a private dialog (JOINCHAT once), sends, and presses a keyboard button as the real command event', async () => {
    const opened = await post('open', { from: 1, bot: 'echo' });
    const chatId = (opened.body['result'] as { chatId: number }).chatId;
    await post('open', { from: 1, bot: 'echo' });
    expect(rec.received.map((r) => r.form['event'])).to.deep.equal(['ONIMBOTV2JOINCHAT']);
    expect((await post('send', { from: 1, chatId, text: '/echo hi' })).status).to.equal(200);
    expect(rec.received.at(-1)?.form['event']).to.equal('ONIMBOTV2COMMANDADD');
    const sent = await call(hook, 'imbot.v2.Chat.Message.send', { botId: echoId, botToken: 'secret-bot-token', dialogId: '1',
      fields: { message: '[b]Vote[/b]', keyboard: [{ TEXT: 'Yes', COMMAND: 'vote', COMMAND_PARAMS: 'yes' }] } });
    const messageId = (result(sent) as { id: number }).id;
    const list = await get<Array<{ id: number; html: string; keyboard: string }>>(`messages?chat=${chatId}`);
    const shown = list.find((m) => m.id === messageId);
    expect(shown?.html).to.equal('<b>Vote</b>');
    expect(shown?.keyboard).to.include(`data-press="${messageId}:0"`);
    expect((await post('press', { from: 1, messageId, button: 0 })).status).to.equal(200);
    const data = rec.received.at(-1)?.form['data'] as { command: Json };
    expect(rec.received.at(-1)?.form['event']).to.equal('ONIMBOTV2COMMANDADD');
    expect(data.command).to.include({ command: '/vote', params: 'yes', context: 'keyboard' });
  });

  it('edits, deletes and reacts in place; shows system messages, replies and forwards', async () => {
    const chatId = ((await post('open', { from: 1, bot: 'echo' })).body['result'] as { chatId: number }).chatId;
    const first = ((await post('send', { from: 1, chatId, text: 'first' })).body['result'] as { messageId: number }).messageId;
    await post('edit', { from: 1, messageId: first, text: 'first, edited' });
    await post('react', { from: 1, messageId: first, reaction: 'like' });
    const { messageId: reply } = await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'answer', replyTo: first });
    const { messageId: fwd } = await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'again', forwardOf: first });
    await call(hook, 'imbot.v2.Chat.Message.send', { botId: echoId, botToken: 'secret-bot-token', dialogId: '1', fields: { message: 'note', system: true } });
    const gone = ((await post('send', { from: 1, chatId, text: 'oops' })).body['result'] as { messageId: number }).messageId;
    await post('delete', { from: 1, messageId: gone });
    const list = await get<Array<Json & { id: number }>>(`messages?chat=${chatId}`);
    const byId = (id: number): Json | undefined => list.find((m) => m.id === id);
    expect(byId(first)).to.include({ html: 'first, edited', updated: true });
    expect(byId(first)?.['reactions']).to.deep.equal([{ code: 'like', count: 1, userIds: [1] }]);
    expect(byId(reply)?.['html']).to.equal('<blockquote class="bb-quote msg-reply"><b>John Smith</b><br>first, edited</blockquote>answer');
    expect(byId(fwd)?.['html']).to.equal('<div class="msg-forward">Forwarded from John Smith</div>again');
    expect(list.find((m) => m['html'] === 'note')).to.include({ system: true, isBot: true });
    expect(byId(gone)).to.include({ deleted: true, html: '<i class="deleted">This message was deleted</i>' });
  });

  it('answers misuse with 400 EMULATOR_USAGE and non-JSON with 415, changing nothing', async () => {
    const bad = await post('send', { from: 1, chatId: 999, text: 'x' });
    expect(bad).to.deep.equal({ status: 400, body: { error: 'EMULATOR_USAGE', error_description: 'no chat 999' } });
    const form = await request(`${emu.url}/ui/api/send`, { method: 'POST', body: 'from=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).to.equal(415);
    await form.body.dump();
    expect(rec.received).to.have.length(0);
  });

  it('streams rendered messages, typing, REST calls and bucket samples as server-sent events', async () => {
    const res = await request(`${emu.url}/ui/api/events`);
    expect(res.headers['content-type']).to.match(/^text\/event-stream/);
    let text = '';
    const seen = new Promise<void>((resolve) => {
      res.body.on('data', (c: Buffer) => {
        text += String(c);
        if (/event: message[\s\S]*event: typing/.test(text) && text.includes('event: request')) resolve();
      });
    });
    await call(hook, 'imbot.v2.Chat.Message.send', { botId: echoId, botToken: 'secret-bot-token', dialogId: '1', fields: { message: '<i>x</i>' } });
    await call(hook, 'imbot.v2.Chat.InputAction.notify', { botId: echoId, botToken: 'secret-bot-token', dialogId: '1' });
    await seen;
    res.body.destroy();
    expect(text).to.include('event: bucket');
    const message = JSON.parse(/event: message\ndata: (.*)\n/.exec(text)?.[1] ?? '{}') as Json;
    expect(message['html']).to.equal('&#60;i&#62;x&#60;/i&#62;');
    expect(text).to.match(/event: typing\ndata: \{"userId":\d+,"chatId":\d+,"name":"Echo"\}/);
  });

  it('the inspector shows each call with secrets masked, its result, duration and batch size, and each push with its answer', async () => {
    await call(hook, 'batch', { cmd: { a: 'user.current', b: 'server.time' } });
    await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'hello' });
    const ins = await get<{ requests: Json[]; deliveries: Json[] }>('inspector');
    const register = ins.requests.find((r) => r['method'] === 'imbot.v2.Bot.register');
    expect(register?.['params']).to.include('"botToken":"***"').and.not.include('secret-bot-token');
    expect(register?.['result']).to.include('"code":"echo"');
    expect(register?.['durationMs']).to.be.a('number');
    expect(ins.requests.find((r) => r['method'] === 'batch')?.['batchSize']).to.equal(2);
    const push = ins.deliveries.at(-1) as Json;
    expect(push).to.include({ event: 'ONIMBOTV2MESSAGEADD', status: 200, answer: '{"status":"ok"}' });
    expect(push['data']).to.include('"event":"ONIMBOTV2MESSAGEADD"').and.not.include('secret-bot-token');
  });

  it('fault controls: expire tokens, bucket by plan or custom, injected 503 per method, dropped and re-moded deliveries', async () => {
    const { accessToken } = emu.portal.issueTokens(1);
    expect((await post('fault', { op: 'expireTokens' })).status).to.equal(200);
    expect((await call(emu.portal.clientEndpoint, 'user.current', { auth: accessToken })).body['error']).to.equal('expired_token');

    await post('fault', { op: 'bucket', rate: 0.001, burst: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(hook, 'server.time')).status);
    expect(statuses).to.deep.equal([200, 200, 503]);
    await post('fault', { op: 'plan', plan: 'enterprise' });
    expect(emu.portal.bucket()).to.include({ rate: 5, burst: 250 });
    await post('fault', { op: 'plan', plan: 'unlimited' });
    expect(emu.portal.bucket()).to.equal(null);

    await post('fault', { op: 'inject', method: 'user.current', fault: '503', times: 1 });
    expect((await call(hook, 'user.current')).body['error']).to.equal('QUERY_LIMIT_EXCEEDED');
    expect((await call(hook, 'user.current')).status).to.equal(200);

    await post('fault', { op: 'delivery', kind: 'drop', times: 1 });
    const dropped = await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'lost' });
    expect(dropped.deliveries[0]).to.include({ status: null, error: 'dropped by an injected fault' });
    expect(rec.received).to.have.length(0);
    await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'delivered' });
    expect(rec.received).to.have.length(1);

    await post('fault', { op: 'eventMode', bot: 'echo', mode: 'fetch' });
    await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'queued' });
    expect(emu.portal.pendingEvents('echo')).to.equal(1);
    expect(rec.received).to.have.length(1);
  });

  it('presses a classic context-menu item: ONIMCOMMANDADD with COMMAND_CONTEXT=MENU', async () => {
    const v1 = (method: string, params: Json): ReturnType<typeof call> => call(hook, method, { CLIENT_ID: 'c1', ...params });
    const botId = (await v1('imbot.register', { CODE: 'classic', EVENT_HANDLER: `${rec.url}/v1`, PROPERTIES: { NAME: 'Classic' } })).body['result'] as number;
    await v1('imbot.command.register', { BOT_ID: botId, COMMAND: 'del', EVENT_COMMAND_ADD: `${rec.url}/cmd`, LANG: [{ LANGUAGE_ID: 'en', TITLE: 'Delete' }] });
    const sent = await v1('imbot.message.add', { BOT_ID: botId, DIALOG_ID: '1', MESSAGE: 'menu here', MENU: [{ TEXT: 'Delete', COMMAND: 'del', COMMAND_PARAMS: '5' }] });
    const messageId = sent.body['result'] as number;
    const res = await post('menu', { from: 1, messageId, item: 0 });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const last = rec.received.at(-1);
    expect(last?.form['event']).to.equal('ONIMCOMMANDADD');
    const command = Object.values((last?.form['data'] as { COMMAND: Record<string, Json> }).COMMAND)[0];
    expect(command).to.include({ COMMAND: 'del', COMMAND_PARAMS: '5', COMMAND_CONTEXT: 'MENU' });
  });
});
