import { expect } from 'chai';
import { call, leaves, result, type Answer } from './helpers.js';
import { portalRig } from './portal-rig.js';

type Form = Record<string, Record<string, Record<string, unknown>>>;

// DOC api-reference/chat-bots/outdated/ (bots/imbot-register.md, messages/events/on-imbot-message-add.md: data[BOT][<id>],
// PARAMS, USER; MESSAGE_ORIGINAL only where a mention was cut). CLIENT_ID appended to a webhook bot's handler URL and
// the `custom` + CLIENT_ID application_token come from the im module source (/work/shared/bitrix24/b24-api-facts.md §4, SRC).
describe('emulator classic imbot (v1)', () => {
  const rig = portalRig();
  const v1 = (method: string, params: Record<string, unknown>, encoding: 'json' | 'form' = 'form'): Promise<Answer> =>
    call(rig.hook, method, { CLIENT_ID: 'my-client', ...params }, encoding);
  const register = async (code: string, extra: Record<string, unknown> = {}): Promise<number> => {
    const res = await v1('imbot.register', { CODE: code, EVENT_HANDLER: `${rig.rec.url}/v1`, PROPERTIES: { NAME: code }, ...extra });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body['result'] as number;
  };

  it('registers through a webhook only with CLIENT_ID and checks handlers and names', async () => {
    const noClient = await call(rig.hook, 'imbot.register', { CODE: 'x', EVENT_HANDLER: rig.rec.url, PROPERTIES: { NAME: 'X' } });
    expect(noClient.status).to.equal(403);
    expect(noClient.body['error']).to.equal('ACCESS_DENIED');
    expect((await v1('imbot.register', { EVENT_HANDLER: rig.rec.url, PROPERTIES: { NAME: 'X' } })).body['error']).to.equal('CODE_ERROR');
    expect((await v1('imbot.register', { CODE: 'x', PROPERTIES: { NAME: 'X' } })).body['error']).to.equal('EVENT_MESSAGE_ADD_ERROR');
    expect((await v1('imbot.register', { CODE: 'x', EVENT_HANDLER: 'ftp://x', PROPERTIES: { NAME: 'X' } })).body['error']).to.equal('EVENT_MESSAGE_ADD_ERROR');
    expect((await v1('imbot.register', { CODE: 'x', EVENT_HANDLER: rig.rec.url, PROPERTIES: {} })).body['error']).to.equal('NAME_ERROR');
    const id = await register('helpdesk', { TYPE: 'B' });
    expect(await register('helpdesk')).to.equal(id);
    expect((await call(rig.hook, 'imbot.register', { CLIENT_ID: 'other', CODE: 'helpdesk', EVENT_HANDLER: rig.rec.url, PROPERTIES: { NAME: 'H' } })).body['error']).to.equal('CODE_ERROR');
    expect(result(await v1('imbot.bot.list', {}))).to.deep.equal({ [id]: { ID: id, NAME: 'helpdesk', CODE: 'helpdesk', OPENLINE: 'N' } });
  });

  it('pushes ONIMBOTMESSAGEADD with data[BOT][<id>], PARAMS, USER and CLIENT_ID appended to the handler URL', async () => {
    const id = await register('helpdesk');
    const { messageId, deliveries } = await rig.emu.portal.sendMessage({ from: 1, to: 'helpdesk', text: 'Hello' });
    expect(deliveries).to.deep.equal([{ event: 'ONIMBOTMESSAGEADD', botCode: 'helpdesk', mode: 'webhook', status: 200 }]);
    const [got] = rig.rec.received;
    expect(got?.url).to.equal('/v1?CLIENT_ID=my-client');
    expect(got?.body).to.include(`data%5BBOT%5D%5B${id}%5D%5BBOT_CODE%5D=helpdesk`);
    expect(leaves(got?.form).every((v) => typeof v === 'string')).to.equal(true);
    const form = got?.form as Form;
    expect(form['event']).to.equal('ONIMBOTMESSAGEADD');
    expect(form['data']?.['BOT']?.[String(id)]).to.include({ BOT_ID: String(id), BOT_CODE: 'helpdesk', member_id: rig.emu.portal.memberId });
    expect(form['data']?.['PARAMS']).to.include({
      MESSAGE: 'Hello', DIALOG_ID: '1', FROM_USER_ID: '1', TO_USER_ID: String(id), MESSAGE_ID: String(messageId), CHAT_TYPE: 'P',
      MESSAGE_TYPE: 'P', COMMAND_CONTEXT: 'TEXTAREA', LANGUAGE: 'en',
    });
    expect(form['data']?.['PARAMS']).to.not.have.property('MESSAGE_ORIGINAL');
    expect(form['data']?.['USER']).to.include({ ID: '1', NAME: 'John Smith', IS_BOT: 'N' });
    expect(form['auth']?.['application_token']).to.equal('custommy-client');
  });

  it('strips the mention in groups, keeps MESSAGE_ORIGINAL, and groups bots of one app in one request', async () => {
    const a = await register('alpha');
    const s = await register('sentinel', { TYPE: 'S' });
    const chat = rig.emu.portal.createChat({ title: 'IT', userIds: [1] });
    await rig.emu.portal.addBotToChat('alpha', chat);
    await rig.emu.portal.addBotToChat('sentinel', chat);
    rig.rec.received.length = 0;
    const { deliveries } = await rig.emu.portal.sendMessage({ from: 1, to: chat, text: ', reset my VPN', mention: 'alpha' });
    expect(deliveries.map((d) => d.botCode).sort()).to.deep.equal(['alpha', 'sentinel']);
    expect(rig.rec.received).to.have.length(1);
    const form = rig.rec.received[0]?.form as Form;
    expect(Object.keys(form['data']?.['BOT'] ?? {}).sort()).to.deep.equal([String(a), String(s)].sort());
    expect(form['data']?.['PARAMS']).to.include({
      MESSAGE: ', reset my VPN', MESSAGE_ORIGINAL: `[USER=${a}]alpha[/USER] , reset my VPN`, DIALOG_ID: chat, TO_USER_ID: String(a), CHAT_TITLE: 'IT',
    });
    expect(form['data']?.['PARAMS']?.['MENTIONED_LIST']).to.deep.equal({ [a]: String(a) });
  });

  it('binds UPDATE/DELETE handlers of B bots only through imbot.update (the documented pitfall)', async () => {
    const id = await register('b');
    const { messageId } = await rig.emu.portal.sendMessage({ from: 1, to: 'b', text: 'v1' });
    expect(await rig.emu.portal.editMessage({ from: 1, messageId, text: 'v2' })).to.deep.equal([]);
    expect(result(await v1('imbot.update', { BOT_ID: id, FIELDS: { EVENT_HANDLER: `${rig.rec.url}/v1` } }))).to.equal(true);
    expect((await rig.emu.portal.editMessage({ from: 1, messageId, text: 'v3' })).map((d) => d.event)).to.deep.equal(['ONIMBOTMESSAGEUPDATE']);
    expect((rig.rec.received.at(-1)?.form as Form)['data']?.['PARAMS']).to.include({ ID: String(messageId), MESSAGE: 'v3', DIALOG_ID: '1' });
    expect((await rig.emu.portal.deleteMessage({ from: 1, messageId })).map((d) => d.event)).to.deep.equal(['ONIMBOTMESSAGEDELETE']);
    expect((await v1('imbot.update', { BOT_ID: id })).body['error']).to.equal('WRONG_REQUEST');
  });

  it('delivers ONIMCOMMANDADD (typed and keyboard) to the app\'s command handler and answers it', async () => {
    const id = await register('cmd');
    const reg = await v1('imbot.command.register', {
      BOT_ID: id, COMMAND: 'echo', EVENT_COMMAND_ADD: `${rig.rec.url}/cmd`, LANG: [{ LANGUAGE_ID: 'en', TITLE: 'Echo', PARAMS: 'text' }],
    });
    const commandId = reg.body['result'] as number;
    expect((await v1('imbot.command.register', { BOT_ID: id, COMMAND: 'x', EVENT_COMMAND_ADD: rig.rec.url })).body['error']).to.equal('LANG_ERROR');
    const typed = await rig.emu.portal.sendMessage({ from: 1, to: 'cmd', text: '/echo hello world' });
    expect(typed.deliveries.map((d) => d.event)).to.deep.equal(['ONIMCOMMANDADD']);
    const form = rig.rec.received.at(-1)?.form as Form;
    expect(rig.rec.received.at(-1)?.url).to.equal('/cmd?CLIENT_ID=my-client');
    expect(form['data']?.['COMMAND']?.[String(commandId)]).to.include({
      BOT_ID: String(id), COMMAND: 'echo', COMMAND_ID: String(commandId), COMMAND_PARAMS: 'hello world', COMMAND_CONTEXT: 'TEXTAREA',
      MESSAGE_ID: String(typed.messageId),
    });
    const answer = await v1('imbot.command.answer', { COMMAND_ID: commandId, MESSAGE_ID: typed.messageId, MESSAGE: 'hello world' });
    const replyId = answer.body['result'] as number;
    expect(rig.emu.portal.messages({ botCode: 'cmd' })[0]).to.include({ id: replyId, text: 'hello world', via: 'imbot.command.answer', commandId });
    const kb = await v1('imbot.message.add', {
      BOT_ID: id, DIALOG_ID: '1', MESSAGE: 'again?', KEYBOARD: [{ TEXT: 'Again', COMMAND: 'echo', COMMAND_PARAMS: 'again' }],
    });
    await rig.emu.portal.pressButton({ from: 1, messageId: kb.body['result'] as number, button: 'Again' });
    const pressed = (rig.rec.received.at(-1)?.form as Form)['data']?.['COMMAND']?.[String(commandId)];
    expect(pressed).to.include({ COMMAND_CONTEXT: 'KEYBOARD', COMMAND_PARAMS: 'again', MESSAGE_ID: String(kb.body['result']) });
  });

  it('adds, updates, likes and deletes messages with the documented errors', async () => {
    const id = await register('m');
    expect((await v1('imbot.message.add', { BOT_ID: id, DIALOG_ID: '1', MESSAGE: '  ' })).body['error']).to.equal('MESSAGE_EMPTY');
    expect((await v1('imbot.message.add', { BOT_ID: id, MESSAGE: 'x' })).body['error']).to.equal('DIALOG_ID_EMPTY');
    expect((await v1('imbot.message.add', { BOT_ID: 999, DIALOG_ID: '1', MESSAGE: 'x' })).body['error']).to.equal('BOT_ID_ERROR');
    const menu = [{ TEXT: 'Help', COMMAND: 'help' }];
    const added = await v1('imbot.message.add', { DIALOG_ID: '1', MESSAGE: 'first', MENU: menu }, 'json');
    const messageId = added.body['result'] as number;
    expect(rig.emu.portal.messages()[0]).to.include({ botCode: 'm', text: 'first', via: 'imbot.message.add' });
    expect(rig.emu.portal.messages()[0]?.menu).to.deep.equal({ ITEMS: menu });
    expect(result(await v1('imbot.message.update', { BOT_ID: id, MESSAGE_ID: messageId, MESSAGE: 'second', MENU: 'N' }))).to.equal(true);
    expect(rig.emu.portal.messages()[0]).to.include({ text: 'second', menu: null, updated: true });
    expect(result(await v1('imbot.message.like', { BOT_ID: id, MESSAGE_ID: messageId }))).to.equal(true);
    expect((await v1('imbot.message.like', { BOT_ID: id, MESSAGE_ID: messageId, ACTION: 'plus' })).body['error']).to.equal('WITHOUT_CHANGES');
    expect(result(await v1('imbot.chat.sendTyping', { BOT_ID: id, DIALOG_ID: '1' }))).to.equal(true);
    expect(result(await v1('imbot.message.update', { BOT_ID: id, MESSAGE_ID: messageId, MESSAGE: '' }))).to.equal(true);
    expect(rig.emu.portal.messages()[0]?.deleted).to.equal(true);
    expect((await v1('imbot.message.delete', { BOT_ID: id, MESSAGE_ID: 999 })).body['error']).to.equal('MESSAGE_ID_ERROR');
    const other = await call(rig.hook, 'imbot.message.update', { CLIENT_ID: 'someone-else', BOT_ID: id, MESSAGE_ID: messageId, MESSAGE: 'x' });
    expect(other.body['error']).to.equal('APP_ID_ERROR');
  });

  it('sends ONIMBOTJOINCHAT and, on unregister, ONIMBOTDELETE to the app\'s handlers', async () => {
    const id = await register('life');
    await rig.emu.portal.openDialog(1, 'life');
    const join = rig.rec.received[0]?.form as Form;
    expect(join['event']).to.equal('ONIMBOTJOINCHAT');
    expect(join['data']?.['PARAMS']).to.include({ CHAT_TYPE: 'P', BOT_ID: String(id), USER_ID: '1', DIALOG_ID: '1' });
    expect(join['auth']).to.not.have.property('refresh_token');
    expect(result(await v1('imbot.unregister', { BOT_ID: id }))).to.equal(true);
    const [, gone] = await rig.rec.waitFor(2);
    expect((gone?.form as Form)['event']).to.equal('ONIMBOTDELETE');
    expect((gone?.form as Form)['data']).to.deep.equal({ BOT_ID: String(id), BOT_CODE: 'life' });
  });

  it('lets an OAuth app register v1 bots and gives events the acting user\'s tokens', async () => {
    const { accessToken } = rig.emu.portal.issueTokens();
    const reg = await call(rig.emu.portal.clientEndpoint, 'imbot.register', {
      auth: accessToken, CODE: 'oauthbot', EVENT_HANDLER: rig.rec.url, PROPERTIES: { NAME: 'OAuth' },
    });
    const id = reg.body['result'] as number;
    await rig.emu.portal.sendMessage({ from: 1, to: 'oauthbot', text: 'hi' });
    const form = rig.rec.received[0]?.form as Form;
    expect(rig.rec.received[0]?.url).to.equal('/');
    expect(form['auth']).to.include({ application_token: rig.emu.portal.applicationToken, user_id: '1' });
    expect(form['auth']).to.have.property('refresh_token');
    const block = form['data']?.['BOT']?.[String(id)] as Record<string, unknown>;
    expect(block['AUTH']).to.deep.include({ access_token: block['access_token'], user_id: String(id) });
    const reply = await call(rig.emu.portal.clientEndpoint, 'imbot.message.add', { auth: form['auth']?.['access_token'], DIALOG_ID: '1', MESSAGE: 'hello' });
    expect(reply.status, 'the acting user\'s token works for the reply').to.equal(200);
  });
});
