import { expect } from 'chai';
import type { Emulator } from '../src/index.js';
import { call, emulator, result, type Answer } from './helpers.js';
import { rejection } from './helpers.js';

describe('emulator imbot.v2 methods', () => {
  let emu: Emulator;
  let hook: string;
  const v2 = (method: string, params: Record<string, unknown>): Promise<Answer> => call(hook, `imbot.v2.${method}`, params);
  const register = (code: string, token: string, extra: Record<string, unknown> = {}): Promise<Answer> =>
    v2('Bot.register', { fields: { code, botToken: token, properties: { name: `Bot ${code}` }, ...extra } });
  const botIdOf = (a: Answer): number => (result(a)['bot'] as { id: number }).id;

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    hook = emu.portal.createWebhook();
  });
  afterEach(() => emu.close());

  describe('Bot.register and botToken rules', () => {
    it('is idempotent by code for the same owner and refuses the code to another owner', async () => {
      const first = await register('support', 'secret-1');
      expect(first.status).to.equal(200);
      expect(result(first)['bot']).to.include({ code: 'support', type: 'bot', eventMode: 'fetch', moduleId: 'rest', language: 'en' });
      expect((result(first)['users'] as Array<Record<string, unknown>>)[0]).to.include({ name: 'Bot support', bot: true, type: 'bot' });
      const again = await register('support', 'secret-1', { type: 'supervisor' });
      expect(botIdOf(again)).to.equal(botIdOf(first));
      expect((result(again)['bot'] as { type: string }).type, 'returned unchanged').to.equal('bot');
      const other = await register('support', 'secret-2');
      expect(other.status).to.equal(400);
      expect(other.body['error']).to.equal('BOT_CODE_ALREADY_TAKEN');
    });

    it('requires a botToken of at most 40 characters with webhook auth, in fields for register', async () => {
      const missing = await v2('Bot.register', { fields: { code: 'a', properties: { name: 'A' } } });
      expect(missing.body['error']).to.equal('BOT_TOKEN_NOT_SPECIFIED');
      const long = await register('a', 'x'.repeat(41));
      expect(long.body['error']).to.equal('BOT_TOKEN_INVALID_LENGTH');
      expect((await register('a', 'x'.repeat(40))).status).to.equal(200);
      const topLevel = await v2('Bot.register', { botToken: 'top', fields: { code: 'b', properties: { name: 'B' } } });
      expect(topLevel.status, 'top-level botToken is accepted for register too').to.equal(200);
    });

    it('checks ownership on every later call: BOT_TOKEN_NOT_SPECIFIED, BOT_OWNERSHIP_ERROR, BOT_NOT_FOUND', async () => {
      const id = botIdOf(await register('own', 'mine'));
      expect((await v2('Bot.get', { botId: id })).body['error']).to.equal('BOT_TOKEN_NOT_SPECIFIED');
      const foreign = await v2('Bot.update', { botId: id, botToken: 'theirs', fields: { isHidden: true } });
      expect(foreign.status).to.equal(403);
      expect(foreign.body['error']).to.equal('BOT_OWNERSHIP_ERROR');
      expect((await v2('Bot.update', { botToken: 'mine', fields: {} })).body['error']).to.equal('BOT_ID_REQUIRED');
      expect((await v2('Bot.get', { botId: 999, botToken: 'mine' })).body['error']).to.equal('BOT_NOT_FOUND');
      const pub = await v2('Bot.get', { code: 'own', botToken: 'theirs' });
      expect(result(pub)['bot']).to.not.have.property('eventMode');
      expect((await v2('Bot.get', { botToken: 'mine' })).body['error']).to.equal('PARAMS_REQUIRED');
    });

    it('validates event mode and webhook URL, lists own bots, rotates the token', async () => {
      expect((await register('w', 't', { eventMode: 'webhook' })).body['error']).to.equal('BOT_WEBHOOK_URL_REQUIRED');
      expect((await register('w', 't', { eventMode: 'webhook', webhookUrl: 'not a url' })).body['error']).to.equal('BOT_INVALID_CALLBACK');
      expect((await register('w', 't', { eventMode: 'push' })).body['error']).to.equal('BOT_INVALID_EVENT_MODE');
      expect((await register('w', 't', { type: 'robot' })).body['error']).to.equal('BOT_INVALID_TYPE');
      const id = botIdOf(await register('w', 't', { eventMode: 'WEBHOOK', webhookUrl: 'http://127.0.0.1:1/hook' }));
      await register('other', 'u');
      const list = result(await v2('Bot.list', { botToken: 't' }));
      expect((list['bots'] as Array<{ code: string }>).map((b) => b.code)).to.deep.equal(['w']);
      expect(list['hasNextPage']).to.equal(false);
      const rotated = await v2('Bot.update', { botId: id, botToken: 't', fields: { botToken: 't2', eventMode: 'fetch' } });
      expect((result(rotated)['bot'] as { eventMode: string }).eventMode).to.equal('fetch');
      expect((await v2('Bot.get', { botId: id, botToken: 't' })).body['result']).to.have.nested.property('bot.code');
      expect((await v2('Bot.update', { botId: id, botToken: 't', fields: {} })).body['error']).to.equal('BOT_OWNERSHIP_ERROR');
      expect((await v2('Bot.update', { botId: id, botToken: 't2', fields: { botToken: 'u' } })).body['error']).to.equal('BOT_TOKEN_ROTATION_FAILED');
    });

    it('unregisters: the bot disappears and Event.get answers BOT_NOT_FOUND', async () => {
      const id = botIdOf(await register('gone', 't'));
      expect(result(await v2('Bot.unregister', { botId: id, botToken: 't' }))).to.deep.equal({ result: true });
      expect((await v2('Event.get', { botId: id, botToken: 't' })).body['error']).to.equal('BOT_NOT_FOUND');
      expect(emu.portal.bots()).to.deep.equal([]);
    });
  });

  describe('commands', () => {
    it('registers idempotently with a slash in answers, lists and unregisters', async () => {
      const id = botIdOf(await register('cmd', 't'));
      const reg = await v2('Command.register', { botId: id, botToken: 't', fields: { command: '/help', title: { en: 'Help' }, params: { en: 'topic' } } });
      expect(result(reg)['command']).to.deep.equal({ id: 1, botId: id, command: '/help', common: false, hidden: false, extranetSupport: false });
      const again = await v2('Command.register', { botId: id, botToken: 't', fields: { command: 'help', title: { en: 'Other' } } });
      expect((result(again)['command'] as { id: number }).id).to.equal(1);
      expect((await v2('Command.register', { botId: id, botToken: 't', fields: { command: 'x' } })).body['error']).to.equal('COMMAND_TITLE_REQUIRED');
      expect((await v2('Command.register', { botId: id, botToken: 't', fields: {} })).body['error']).to.equal('COMMAND_REQUIRED');
      expect((await v2('Command.register', { botId: id, botToken: 't', command: 'legacy', hidden: true })).status, 'legacy flat form').to.equal(200);
      const list = result(await v2('Command.list', { botId: id, botToken: 't' }))['commands'] as Array<Record<string, unknown>>;
      expect(list[0]).to.include({ command: '/help', title: 'Help', params: 'topic', category: 'Bot cmd' });
      expect(result(await v2('Command.unregister', { botId: id, botToken: 't', commandId: 1 }))).to.deep.equal({ result: true });
      expect((await v2('Command.unregister', { botId: id, botToken: 't', commandId: 1 })).body['error']).to.equal('COMMAND_NOT_FOUND');
    });

    it('answers a typed command into its dialog', async () => {
      const id = botIdOf(await register('ans', 't'));
      await v2('Command.register', { botId: id, botToken: 't', fields: { command: 'echo', title: { en: 'Echo' } } });
      const { messageId } = await emu.portal.sendMessage({ from: 1, to: 'ans', text: '/echo hi' });
      const answer = await v2('Command.answer', { botId: id, botToken: 't', commandId: 1, messageId, dialogId: '1', fields: { message: 'hi' } });
      expect(result(answer)).to.deep.equal({ result: true });
      const [msg] = emu.portal.messages({ botCode: 'ans' });
      expect(msg).to.include({ text: 'hi', dialogId: '1', commandId: 1, replyTo: messageId, via: 'imbot.v2.Command.answer', system: false });
    });
  });

  describe('messages', () => {
    let botId: number;
    beforeEach(async () => {
      botId = botIdOf(await register('talk', 't'));
    });

    // templateId as the platform keeps it: im module Message\Uuid::validate and
    // V2\Message\Send\SendingService::checkDuplicateByUuid (public mirror avshatalov48/bitrix-core-business).
    const UUID = '6f1c2a3b-4d5e-4f60-9a7b-8c9d0e1f2a3b';

    it('sends with a keyboard; a repeated UUIDv4 templateId answers the first id, portal-wide, and posts nothing', async () => {
      const keyboard = [{ TEXT: 'Yes', COMMAND: 'confirm', COMMAND_PARAMS: 'yes' }];
      const fields = { message: 'Sure?', keyboard, templateId: UUID };
      const first = await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields });
      expect(result(first)).to.deep.equal({ id: 1, uuidMap: {} });
      const again = await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields });
      expect(result(again)['id']).to.equal(1);
      const msgs = emu.portal.messages({ botCode: 'talk' });
      expect(msgs).to.have.length(1);
      expect(msgs[0]).to.include({ idempotencyKey: UUID, via: 'imbot.v2.Chat.Message.send', dialogId: '1' });
      expect(msgs[0]?.keyboard).to.deep.equal({ BOT_ID: botId, BUTTONS: keyboard });
      const chat = emu.portal.createChat({ title: 'G', userIds: [1] });
      await emu.portal.addBotToChat('talk', chat);
      const otherChat = await v2('Chat.Message.send', { botId, botToken: 't', dialogId: chat, fields });
      expect(result(otherChat), 'the UUID table is portal-wide, not per chat').to.deep.equal({ id: 1, uuidMap: {} });
      const other = botIdOf(await register('other', 't2'));
      const otherBot = await v2('Chat.Message.send', { botId: other, botToken: 't2', dialogId: '1', fields });
      expect(result(otherBot)['id'], 'nor per bot').to.equal(1);
      expect(emu.portal.messages()).to.have.length(1);
    });

    it('keeps only a lowercase UUIDv4: any other templateId is dropped silently and repeats post again', async () => {
      const shapes = ['tpl-1', UUID.toUpperCase(), '6f1c2a3b-4d5e-1f60-9a7b-8c9d0e1f2a3b', '6f1c2a3b-4d5e-4f60-7a7b-8c9d0e1f2a3b',
        '2c26b46b-68ff-c68f-ff99-b453c1d30413']; // the last: a SHA-256 prefix in UUID shape, as ids were derived before
      for (const templateId of shapes) {
        const a = await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: templateId, templateId } });
        const b = await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: templateId, templateId } });
        expect(a.status, templateId).to.equal(200);
        expect(result(b)['id'], templateId).to.not.equal(result(a)['id']);
      }
      expect(emu.portal.messages()).to.have.length(shapes.length * 2);
      expect(emu.portal.messages().every((m) => m.idempotencyKey === null), 'message.uuid not kept').to.equal(true);
      const system = { message: 'sys', system: true, templateId: UUID };
      await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: system });
      await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: system });
      expect(emu.portal.messages().filter((m) => m.text === 'sys'), 'system messages skip the UUID check').to.have.length(2);
    });

    it('answers MESSAGE_DUPLICATED_BY_UUID while the first send with that UUID is still running', async () => {
      // The first send claims the UUID, then runs for 1.5 s; the repeat goes as soon as the claim is made.
      emu.faults.add({ method: 'imbot.v2.Chat.Message.send', kind: 'slow', during: true, delayMs: 1500, times: 1 });
      const fields = { message: 'slow one', templateId: UUID };
      const first = v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields });
      await new Promise<void>((resolve) => {
        const poll = (): void => (emu.faults.list().length === 0 ? resolve() : void setImmediate(poll));
        poll();
      });
      const repeat = await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields });
      expect(repeat.status).to.equal(400);
      expect(repeat.body['error']).to.equal('MESSAGE_DUPLICATED_BY_UUID');
      expect(result(await first)).to.deep.equal({ id: 1, uuidMap: {} });
      expect(result(await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields }))['id'], 'once stored: its id').to.equal(1);
      expect(emu.portal.messages()).to.have.length(1);
    });

    // Docs v2/imbot.v2/messages/chat-message-send.md (`message`): "Максимальная длина — 20 000 символов. При
    // превышении текст обрезается с добавлением ` (...)`".
    it('cuts text at 20,000 characters and enforces keyboard, attach and empty-message rules', async () => {
      await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'a'.repeat(20_001) } });
      expect(emu.portal.messages()[0]?.text).to.equal(`${'a'.repeat(20_000)} (...)`);
      const bigKeyboard = Array.from({ length: 400 }, (_, i) => ({ TEXT: `button ${i} ${'x'.repeat(60)}`, COMMAND: 'c' }));
      expect((await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'k', keyboard: bigKeyboard } })).body['error']).to.equal('KEYBOARD_OVERSIZE');
      const bigAttach = [{ MESSAGE: 'y'.repeat(60_001) }];
      expect((await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'a', attach: bigAttach } })).body['error']).to.equal('ATTACH_OVERSIZE');
      expect((await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'k', keyboard: 'junk' } })).body['error']).to.equal('KEYBOARD_ERROR');
      expect((await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: ' ' } })).body['error']).to.equal('EMPTY_MESSAGE');
      expect((await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { attach: [{ MESSAGE: 'only attach' }] } })).status).to.equal(200);
      const notMember = await v2('Chat.Message.send', { botId, botToken: 't', dialogId: emu.portal.createChat({ title: 'x', userIds: [1] }), fields: { message: 'm' } });
      expect(notMember.status).to.equal(403);
      expect(notMember.body['error']).to.equal('ACCESS_DENIED');
    });

    it('updates (keyboard "N" removes it), deletes, notifies typing and reacts', async () => {
      await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'v1', keyboard: [{ TEXT: 'A', COMMAND: 'a' }] } });
      expect(result(await v2('Chat.Message.update', { botId, botToken: 't', messageId: 1, fields: { message: 'v2', keyboard: 'N' } }))).to.deep.equal({ result: true });
      expect(emu.portal.messages()[0]).to.include({ text: 'v2', keyboard: null, updated: true });
      expect((await v2('Chat.InputAction.notify', { botId, botToken: 't', dialogId: '1' })).status).to.equal(200);
      expect(result(await v2('Chat.Message.Reaction.add', { botId, botToken: 't', messageId: 1, reaction: 'like' }))).to.deep.equal({ result: true });
      expect((await v2('Chat.Message.Reaction.add', { botId, botToken: 't', messageId: 1, reaction: 'like' })).body['error']).to.equal('REACTION_ALREADY_SET');
      expect((await v2('Chat.Message.Reaction.add', { botId, botToken: 't', messageId: 1, reaction: 'smile' })).body['error']).to.equal('REACTION_NOT_FOUND');
      expect((await v2('Chat.Message.Reaction.delete', { botId, botToken: 't', messageId: 1, reaction: 'like' })).status).to.equal(200);
      expect(result(await v2('Chat.Message.delete', { botId, botToken: 't', messageId: 1 }))).to.deep.equal({ result: true });
      expect(emu.portal.messages()[0]?.deleted).to.equal(true);
      expect((await v2('Chat.Message.update', { botId, botToken: 't', messageId: 1, fields: { message: 'x' } })).body['error']).to.equal('ACCESS_DENIED');
      expect(emu.portal.counters().typing).to.equal(1);
    });

    // Only error codes the docs list: chat-message-update.md and chat-input-action-notify.md name none for
    // a missing `fields` or a `duration` outside 1-600 (what the portal does then is UNCONFIRMED).
    it('answers no undocumented error code: update without fields, typing with an odd duration', async () => {
      await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'keep' } });
      expect(result(await v2('Chat.Message.update', { botId, botToken: 't', messageId: 1 }))).to.deep.equal({ result: true });
      expect(emu.portal.messages()[0]).to.include({ text: 'keep', updated: false });
      expect((await v2('Chat.InputAction.notify', { botId, botToken: 't', dialogId: '1', duration: 900 })).status).to.equal(200);
      expect(emu.portal.counters().errors).to.deep.equal({});
      const noDialog = await v2('Chat.Message.send', { botId, botToken: 't', fields: { message: 'where?' } });
      expect(noDialog.body['error'], 'chat-message-send.md has no DIALOG_ID_EMPTY').to.equal('ACCESS_DENIED');
    });

    it('resolves waitForMessages from the posting event and rejects with EMULATOR_TIMEOUT', async () => {
      const waiting = emu.portal.waitForMessages(2, { botCode: 'talk', dialogId: '1' });
      await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'one' } });
      await v2('Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'two' } });
      expect((await waiting).map((m) => m.text)).to.deep.equal(['one', 'two']);
      const err = await rejection(emu.portal.waitForMessages(3, { botCode: 'talk' }, 50));
      expect(err).to.have.property('code', 'EMULATOR_TIMEOUT');
    });
  });
});
