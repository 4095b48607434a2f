import { expect } from 'chai';
import type { Emulator } from '../src/index.js';
import { call, emulator, result, type Answer } from './helpers.js';
import { portalRig } from './portal-rig.js';

// What registration sync reads and changes, as the docs describe it (bitrix-tools/b24-rest-docs,
// api-reference/chat-bots/...): listing bots and commands, updating profiles, titles and hints.

describe('emulator: reading and updating registrations (v2)', () => {
  let emu: Emulator;
  let hook: string;
  const v2 = (method: string, params: Record<string, unknown>): Promise<Answer> => call(hook, `imbot.v2.${method}`, params);
  const register = async (code: string, token = 't', extra: Record<string, unknown> = {}): Promise<number> =>
    ((result(await v2('Bot.register', { fields: { code, botToken: token, properties: { name: `Bot ${code}` }, ...extra } }))['bot']) as { id: number }).id;
  const codes = (a: Answer): string[] => (result(a)['bots'] as Array<{ code: string }>).map((b) => b.code);

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    hook = emu.portal.createWebhook();
  });
  afterEach(() => emu.close());

  it('Bot.list pages with limit/offset; a full page says hasNextPage and the next one is empty (chat-bots-v2/imbot.v2/bots/bot-list.md, SRC2)', async () => {
    for (const code of ['a', 'b', 'c']) await register(code);
    await register('foreign', 'other-token');
    const first = await v2('Bot.list', { botToken: 't', limit: 2 });
    expect([codes(first), result(first)['hasNextPage']]).to.deep.equal([['a', 'b'], true]);
    const second = await v2('Bot.list', { botToken: 't', limit: 2, offset: 2 });
    expect([codes(second), result(second)['hasNextPage']]).to.deep.equal([['c'], false]);
    const full = await v2('Bot.list', { botToken: 't', limit: 3 });
    expect(result(full)['hasNextPage'], 'a full last page').to.equal(true);
    const after = await v2('Bot.list', { botToken: 't', limit: 3, offset: 3 });
    expect([codes(after), result(after)['hasNextPage']]).to.deep.equal([[], false]);
    const users = result(first)['users'] as Array<{ id: number; name: string }>;
    expect(users.map((u) => u.name)).to.deep.equal(['Bot a', 'Bot b']);
    // "Метод всегда возвращает успешный ответ": an unknown filter.type gives an empty list, no error.
    const unknown = await v2('Bot.list', { botToken: 't', filter: { type: 'robot' } });
    expect([unknown.status, codes(unknown)]).to.deep.equal([200, []]);
  });

  it('Bot.update changes the profile shown by Bot.list and keeps what it was not given; type is not updatable (bot-update.md)', async () => {
    const id = await register('prof', 't', { properties: { name: 'Prof', lastName: 'Bot', workPosition: 'Helps' } });
    await v2('Bot.update', { botId: id, botToken: 't', fields: { properties: { name: 'Professor' }, type: 'supervisor' } });
    const list = result(await v2('Bot.list', { botToken: 't' }));
    expect((list['users'] as Array<Record<string, unknown>>)[0]).to.include({ name: 'Professor Bot', workPosition: 'Helps' });
    expect((list['bots'] as Array<{ type: string }>)[0]?.type).to.equal('bot');
    await v2('Bot.update', { botId: id, botToken: 't', fields: { properties: { lastName: '', workPosition: '', gender: 'F' } } });
    expect(emu.portal.bots()[0]?.name).to.equal('Professor');
    expect((result(await v2('Bot.get', { botId: id, botToken: 't' }))['users'] as Array<Record<string, unknown>>)[0]).to.include({ gender: 'F', workPosition: '' });
  });

  it('Command.update: a title string sets, null deletes, a missing language stays; params only for languages in title (commands/command-update.md)', async () => {
    const id = await register('cmd');
    await v2('Command.register', { botId: id, botToken: 't', fields: { command: 'help', title: { en: 'Help', de: 'Hilfe', fr: 'Aide' }, params: { en: 'topic', de: 'Thema' } } });
    const upd = await v2('Command.update', {
      botId: id, botToken: 't', commandId: 1,
      fields: { title: { en: 'Get help', fr: null }, params: { en: 'subject', de: 'Gegenstand' }, hidden: true, common: true },
    });
    expect(result(upd)['command']).to.deep.equal({ id: 1, botId: id, command: '/help', common: true, hidden: true, extranetSupport: false });
    const cmd = emu.portal.bots()[0]?.commands[0];
    expect(cmd?.title).to.deep.equal({ en: 'Get help', de: 'Hilfe' });
    expect(cmd?.params, 'de is not in title: its hint stays').to.deep.equal({ en: 'subject', de: 'Thema' });
    await v2('Command.update', { botId: id, botToken: 't', commandId: 1, fields: { title: { de: 'Hilfe' }, params: { de: null } } });
    expect(emu.portal.bots()[0]?.commands[0]?.params).to.deep.equal({ en: 'subject' });
    expect((await v2('Command.update', { botId: id, botToken: 't', commandId: 99, fields: { hidden: false } })).body['error']).to.equal('COMMAND_NOT_FOUND');
    expect((await v2('Command.update', { botId: id, botToken: 't', commandId: 1, fields: { command: '' } })).body['error']).to.equal('COMMAND_NAME_EMPTY');
    await v2('Command.register', { botId: id, botToken: 't', fields: { command: 'other', title: { en: 'Other' } } });
    expect((await v2('Command.update', { botId: id, botToken: 't', commandId: 1, fields: { command: 'other' } })).body['error']).to.equal('COMMAND_ALREADY_EXISTS');
  });

  it('Command.list shows title and hint in the portal language, falling back to another (commands/command-list.md)', async () => {
    const id = await register('lang');
    await v2('Command.register', { botId: id, botToken: 't', fields: { command: 'a', title: { de: 'Nur Deutsch' } } });
    await v2('Command.register', { botId: id, botToken: 't', fields: { command: 'b', title: { de: 'B', en: 'Bee' }, params: { en: 'x' } } });
    const list = result(await v2('Command.list', { botId: id, botToken: 't' }))['commands'] as Array<Record<string, unknown>>;
    expect(list.map((c) => [c['command'], c['title'], c['params']])).to.deep.equal([['/a', 'Nur Deutsch', ''], ['/b', 'Bee', 'x']]);
  });
});

describe('emulator: reading and updating registrations (classic)', () => {
  const rig = portalRig();
  const v1 = (method: string, params: Record<string, unknown>, client = 'my-client'): Promise<Answer> => call(rig.hook, method, { CLIENT_ID: client, ...params }, 'form');
  const register = async (code: string, client = 'my-client', extra: Record<string, unknown> = {}): Promise<number> =>
    (await v1('imbot.register', { CODE: code, EVENT_HANDLER: `${rig.rec.url}/v1`, PROPERTIES: { NAME: code, LAST_NAME: 'Bot' }, ...extra }, client)).body['result'] as number;

  it('imbot.bot.list lists every bot of the portal, other apps\' too, keyed by id with the full name (outdated/bots/imbot-bot-list.md)', async () => {
    const mine = await register('mine');
    const theirs = await register('theirs', 'another-app', { TYPE: 'O' });
    expect(result(await v1('imbot.bot.list', {}))).to.deep.equal({
      [mine]: { ID: mine, NAME: 'mine Bot', CODE: 'mine', OPENLINE: 'N' },
      [theirs]: { ID: theirs, NAME: 'theirs Bot', CODE: 'theirs', OPENLINE: 'Y' },
    });
  });

  it('imbot.update keeps the properties it was not given; NAME and LAST_NAME both empty is NAME_ERROR; TYPE stays (outdated/bots/imbot-update.md)', async () => {
    const id = await register('upd');
    const res = await v1('imbot.update', { BOT_ID: id, FIELDS: { PROPERTIES: { WORK_POSITION: 'Answers' }, TYPE: 'S', OPENLINE: 'Y' } });
    expect(res.body['result']).to.equal(true);
    expect(result(await v1('imbot.bot.list', {}))).to.deep.equal({ [id]: { ID: id, NAME: 'upd Bot', CODE: 'upd', OPENLINE: 'N' } });
    expect(rig.emu.portal.bots()[0]?.type).to.equal('bot');
    const empty = await v1('imbot.update', { BOT_ID: id, FIELDS: { PROPERTIES: { NAME: '', LAST_NAME: '' } } });
    expect([empty.status, empty.body['error']]).to.deep.equal([400, 'NAME_ERROR']);
    await v1('imbot.update', { BOT_ID: id, FIELDS: { PROPERTIES: { NAME: 'Renamed', LAST_NAME: '', PERSONAL_GENDER: 'F' } } });
    expect(rig.emu.portal.bots()[0]?.name).to.equal('Renamed');
    // imbot-update.md: CODE is unique in the portal (the error code for a taken one is UNCONFIRMED; nothing changes).
    await register('taken', 'another-app');
    const clash = await v1('imbot.update', { BOT_ID: id, FIELDS: { CODE: 'taken', PROPERTIES: { NAME: 'Clash' } } });
    expect([clash.status, clash.body['error']]).to.deep.equal([400, 'WRONG_REQUEST']);
    expect(rig.emu.portal.bots().map((b) => [b.code, b.name])).to.deep.equal([['upd', 'Renamed'], ['taken', 'taken Bot']]);
    expect((await v1('imbot.update', { BOT_ID: id, FIELDS: { CODE: 'upd2' } })).body['result']).to.equal(true);
    expect(rig.emu.portal.bots()[0]?.code).to.equal('upd2');
    // Classic and v2 bots are mutually visible (chat-bots-v2/migration.md): CLIENT_ID works as botToken.
    const viaV2 = await call(rig.hook, 'imbot.v2.Bot.get', { botId: id, botToken: 'my-client' });
    expect((result(viaV2)['users'] as Array<Record<string, unknown>>)[0]).to.include({ name: 'Renamed', gender: 'F', workPosition: 'Answers' });
  });

  it('imbot.command.update replaces LANG and HIDDEN but not COMMON, which is not updatable (outdated/commands/imbot-command-update.md)', async () => {
    const bot = await register('cmds');
    const reg = await v1('imbot.command.register', {
      BOT_ID: bot, COMMAND: 'echo', EVENT_COMMAND_ADD: `${rig.rec.url}/cmd`, LANG: [{ LANGUAGE_ID: 'en', TITLE: 'Echo', PARAMS: 'text' }, { LANGUAGE_ID: 'de', TITLE: 'Echo', PARAMS: 'Text' }],
    });
    const id = reg.body['result'] as number;
    const upd = await v1('imbot.command.update', { COMMAND_ID: id, FIELDS: { COMMON: 'Y', HIDDEN: 'Y', LANG: [{ LANGUAGE_ID: 'en', TITLE: 'Repeat', PARAMS: 'words' }] } });
    expect(upd.body['result']).to.equal(true);
    expect(rig.emu.portal.bots()[0]?.commands[0]).to.include({ common: false, hidden: true });
    expect(rig.emu.portal.bots()[0]?.commands[0]?.title).to.deep.equal({ en: 'Repeat' });
    expect((await v1('imbot.command.update', { COMMAND_ID: id, FIELDS: {} })).body['error']).to.equal('WRONG_REQUEST');
    expect((await v1('imbot.command.update', { COMMAND_ID: id, FIELDS: { HIDDEN: 'N' } }, 'another-app')).body['error']).to.equal('APP_ID_ERROR');
    expect((await v1('imbot.command.unregister', { COMMAND_ID: id })).body['result']).to.equal(true);
    expect((await v1('imbot.command.unregister', { COMMAND_ID: id })).body['error']).to.equal('COMMAND_ID_ERROR');
  });
});
