import { expect } from 'chai';
import type { FormObject } from '../src/php-form.js';
import { call, emulator, leaves, rejection, result } from './helpers.js';
import { portalRig } from './portal-rig.js';

type Form = Record<string, Record<string, unknown>>;

// DOC api-reference/chat-bots/chat-bots-v2/imbot.v2/events/events.md: the v2 events and their data (bot, message,
// chat, user, language), the webhook payload (form-encoded by http_build_query: integers and booleans as strings,
// top-level event/event_handler_id/data/ts/auth, data.bot.auth for OAuth apps).
describe('emulator event push', () => {
  const rig = portalRig();


  async function v2Bot(code: string, token: string, extra: Record<string, unknown> = {}): Promise<number> {
    const res = await call(rig.hook, 'imbot.v2.Bot.register', {
      fields: { code, botToken: token, eventMode: 'webhook', webhookUrl: `${rig.rec.url}/v2`, properties: { name: code }, ...extra },
    });
    return (result(res)['bot'] as { id: number }).id;
  }

  it('pushes ONIMBOTV2MESSAGEADD form-encoded with bracket keys and string scalars', async () => {
    const botId = await v2Bot('echo', 'tok');
    const { messageId, deliveries } = await rig.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'Hello bot!' });
    expect(deliveries).to.deep.equal([{ event: 'ONIMBOTV2MESSAGEADD', botCode: 'echo', mode: 'webhook', status: 200 }]);
    const [got] = rig.rec.received;
    expect(got?.url).to.equal('/v2');
    expect(got?.headers['content-type']).to.equal('application/x-www-form-urlencoded');
    expect(got?.body).to.match(/^event=ONIMBOTV2MESSAGEADD&event_handler_id=\d+&data%5Bbot%5D%5Bid%5D=/);
    expect(got?.body).to.include('data%5Bmessage%5D%5Btext%5D=Hello%20bot!');
    expect(leaves(got?.form).every((v) => typeof v === 'string')).to.equal(true);
    const form = got?.form as Form;
    expect(form['data']?.['bot']).to.deep.equal({ id: String(botId), code: 'echo' });
    expect(form['data']?.['message']).to.include({ id: String(messageId), authorId: '1', text: 'Hello bot!', isSystem: '0' });
    expect(form['data']?.['chat']).to.include({ dialogId: '1', type: 'private', owner: String(botId) });
    expect(form['data']?.['user']).to.include({ id: '1', name: 'John Smith', bot: '0' });
    expect(form['data']?.['language']).to.equal('en');
    expect(form['auth']).to.deep.equal({
      domain: rig.emu.portal.domain, client_endpoint: rig.emu.portal.clientEndpoint, server_endpoint: `${rig.emu.url}/rest/`,
      member_id: rig.emu.portal.memberId, application_token: 'customtok',
    });
    expect(rig.emu.portal.bots()[0]?.applicationToken).to.equal('customtok');
    expect(rig.emu.portal.deliveries()[0]?.body).to.equal(got?.body);
    expect(rig.emu.portal.counters().eventsDelivered).to.equal(1);
  });

  it('gives OAuth v2 bots the app token and a bot token block with refresh_token', async () => {
    const { accessToken } = rig.emu.portal.issueTokens();
    await call(rig.emu.portal.clientEndpoint, 'imbot.v2.Bot.register', {
      auth: accessToken, fields: { code: 'app', eventMode: 'webhook', webhookUrl: rig.rec.url, properties: { name: 'App' } },
    });
    await rig.emu.portal.sendMessage({ from: 1, to: 'app', text: 'hi' });
    const form = rig.rec.received[0]?.form as Form;
    expect(form['auth']?.['application_token']).to.equal(rig.emu.portal.applicationToken);
    expect(form['auth']).to.include.keys('access_token', 'refresh_token', 'user_id', 'expires');
    const botAuth = (form['data']?.['bot'] as FormObject)['auth'] as Record<string, string>;
    expect(botAuth).to.include({ application_token: rig.emu.portal.applicationToken, member_id: rig.emu.portal.memberId });
    const asBot = await call(rig.emu.portal.clientEndpoint, 'profile', { auth: botAuth['access_token'] });
    expect(result(asBot)['ID'], 'the bot token works for REST as the bot user (profile.md: ID is a string)').to.equal(botAuth['user_id']);
  });

  it('in groups: bots get mentions only, supervisors everything; a command goes to COMMAND only', async () => {
    const botId = await v2Bot('plain', 't1');
    await v2Bot('watch', 't2', { type: 'supervisor' });
    await call(rig.hook, 'imbot.v2.Command.register', { botId, botToken: 't1', fields: { command: 'help', title: { en: 'Help' } } });
    const chat = rig.emu.portal.createChat({ title: 'Team', userIds: [1, rig.emu.portal.users.add({ name: 'Anna Lee' })] });
    await rig.emu.portal.addBotToChat('plain', chat);
    await rig.emu.portal.addBotToChat('watch', chat);
    rig.rec.received.length = 0;
    const plain = await rig.emu.portal.sendMessage({ from: 1, to: chat, text: 'morning all' });
    expect(plain.deliveries.map((d) => d.botCode)).to.deep.equal(['watch']);
    const mention = await rig.emu.portal.sendMessage({ from: 1, to: chat, text: 'can you help?', mention: 'plain' });
    expect(mention.deliveries.map((d) => `${d.botCode}:${d.event}`).sort()).to.deep.equal(['plain:ONIMBOTV2MESSAGEADD', 'watch:ONIMBOTV2MESSAGEADD']);
    const textFor = (code: string): string | undefined => rig.rec.received.map((r) => (r.form as Form)['data'])
      .filter((d) => (d?.['bot'] as Record<string, string>)['code'] === code)
      .map((d) => (d?.['message'] as Record<string, string>)['text']).at(-1);
    // v2 mention stripping is UNCONFIRMED; the emulator strips by default (as v1, and as the docs' group example shows).
    expect(textFor('plain'), 'the addressed bot gets the text without its mention').to.equal('can you help?');
    expect(textFor('watch'), 'another bot\'s mention stays').to.equal(`[USER=${botId}]plain[/USER] can you help?`);
    const cmd = await rig.emu.portal.sendMessage({ from: 1, to: chat, text: '/help vpn' });
    expect(cmd.deliveries.map((d) => `${d.botCode}:${d.event}`).sort()).to.deep.equal(['plain:ONIMBOTV2COMMANDADD', 'watch:ONIMBOTV2MESSAGEADD']);
    const command = rig.rec.received.map((r) => r.form as Form).find((f) => f['event'] as unknown === 'ONIMBOTV2COMMANDADD');
    expect(command?.['data']?.['command']).to.deep.equal({ id: '1', command: '/help', params: 'vpn', context: 'textarea' });
    expect(command?.['data']?.['chat']).to.include({ dialogId: chat, type: 'chat', name: 'Team' });
  });

  // chat-bots-v2/index.md#bot-types; whether v2 strips the mention is UNCONFIRMED (docs example: "Hello bot!" in chat5).
  it('v2GroupMentions: keep delivers the mention as typed (UNCONFIRMED which one the platform does)', async () => {
    await rig.emu.close();
    rig.emu = await emulator({ rateLimit: null, v2GroupMentions: 'keep' });
    rig.hook = rig.emu.portal.createWebhook();
    const botId = await v2Bot('plain', 't1');
    const chat = rig.emu.portal.createChat({ title: 'Team', userIds: [1] });
    await rig.emu.portal.addBotToChat('plain', chat);
    rig.rec.received.length = 0;
    await rig.emu.portal.sendMessage({ from: 1, to: chat, text: 'can you help?', mention: 'plain' });
    const data = (rig.rec.received.at(-1)?.form as Form)['data'];
    expect((data?.['message'] as Record<string, string>)['text']).to.equal(`[USER=${botId}]plain[/USER] can you help?`);
  });

  it('presses a keyboard button: COMMANDADD with context keyboard, the button params and the keyboard message', async () => {
    const botId = await v2Bot('kb', 't');
    await call(rig.hook, 'imbot.v2.Command.register', { botId, botToken: 't', fields: { command: 'confirm', hidden: true } });
    const sent = await call(rig.hook, 'imbot.v2.Chat.Message.send', {
      botId, botToken: 't', dialogId: '1',
      fields: { message: 'Sure?', keyboard: [{ TEXT: 'Yes', COMMAND: 'confirm', COMMAND_PARAMS: 'yes', BLOCK: 'Y' }, { TYPE: 'NEWLINE' }, { TEXT: 'No', COMMAND: 'confirm', COMMAND_PARAMS: 'no' }] },
    });
    const messageId = result(sent)['id'] as number;
    const delivery = await rig.emu.portal.pressButton({ from: 1, messageId, button: 'No' });
    expect(delivery).to.deep.equal({ event: 'ONIMBOTV2COMMANDADD', botCode: 'kb', mode: 'webhook', status: 200 });
    const data = (rig.rec.received.at(-1)?.form as Form)['data'];
    expect(data?.['command']).to.deep.equal({ id: '1', command: '/confirm', params: 'no', context: 'keyboard' });
    expect(data?.['message']).to.include({ id: String(messageId), text: 'Sure?', authorId: String(botId) });
    await rig.emu.portal.pressButton({ from: 1, messageId, button: 0 });
    expect(((rig.rec.received.at(-1)?.form as Form)['data']?.['command'] as Record<string, string>)['params']).to.equal('yes');
    const blocked = await rejection(rig.emu.portal.pressButton({ from: 1, messageId, button: 0 }));
    expect(blocked).to.have.property('code', 'EMULATOR_USAGE');
    const missing = await rejection(rig.emu.portal.pressButton({ from: 1, messageId, button: 5 }));
    expect(missing).to.have.property('code', 'EMULATOR_USAGE');
  });

  it('sends JOINCHAT on openDialog and addBotToChat, REACTIONCHANGE for the bot\'s messages, edits and deletes', async () => {
    const botId = await v2Bot('life', 't');
    const join = await rig.emu.portal.openDialog(1, 'life');
    expect(join.event).to.equal('ONIMBOTV2JOINCHAT');
    expect((rig.rec.received[0]?.form as Form)['data']?.['dialogId']).to.equal('1');
    const chat = rig.emu.portal.createChat({ title: 'G', userIds: [1] });
    await rig.emu.portal.addBotToChat('life', chat);
    expect((rig.rec.received[1]?.form as Form)['data']?.['dialogId']).to.equal(chat);
    const sent = await call(rig.hook, 'imbot.v2.Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'rate me' } });
    const reacted = await rig.emu.portal.react({ from: 1, messageId: result(sent)['id'] as number, reaction: 'like' });
    expect(reacted.map((d) => d.event)).to.deep.equal(['ONIMBOTV2REACTIONCHANGE']);
    expect((rig.rec.received[2]?.form as Form)['data']).to.include({ reaction: 'like', action: 'add' });
    const { messageId } = await rig.emu.portal.sendMessage({ from: 1, to: 'life', text: 'typo' });
    expect((await rig.emu.portal.editMessage({ from: 1, messageId, text: 'fixed' })).map((d) => d.event)).to.deep.equal(['ONIMBOTV2MESSAGEUPDATE']);
    expect(((rig.rec.received.at(-1)?.form as Form)['data']?.['message'] as Record<string, string>)['text']).to.equal('fixed');
    expect((await rig.emu.portal.deleteMessage({ from: 1, messageId })).map((d) => d.event)).to.deep.equal(['ONIMBOTV2MESSAGEDELETE']);
    expect((rig.rec.received.at(-1)?.form as Form)['data']?.['messageId']).to.equal(String(messageId));
  });

  it('reports the handler status and connection failures without retrying', async () => {
    await v2Bot('flaky', 't');
    rig.rec.status = 500;
    const failed = await rig.emu.portal.sendMessage({ from: 1, to: 'flaky', text: 'x' });
    expect(failed.deliveries[0]?.status).to.equal(500);
    await rig.rec.close();
    const refused = await rig.emu.portal.sendMessage({ from: 1, to: 'flaky', text: 'y' });
    expect(refused.deliveries[0]).to.include({ status: null, error: 'ECONNREFUSED' });
    expect(rig.emu.portal.counters()).to.include({ eventsFailed: 2, eventsDelivered: 0 });
  });

  it('pushes ONIMBOTV2DELETE when a webhook bot is unregistered', async () => {
    const botId = await v2Bot('bye', 't');
    await call(rig.hook, 'imbot.v2.Bot.unregister', { botId, botToken: 't' });
    const [got] = await rig.rec.waitFor(1);
    const form = got?.form as Form;
    expect(form['event']).to.equal('ONIMBOTV2DELETE');
    expect(form['data']).to.deep.equal({ bot: { id: String(botId), code: 'bye' } });
  });
});
