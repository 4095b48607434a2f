/**
 * `ctx.client.chat` wire shapes, unit level: exactly what each wrapper sends (v2 `v2/imbot.v2/chats/*.md`,
 * classic `outdated/chats/*.md`), through which path (outbox for writes, client for reads), and how the
 * answers are read. The end-to-end run against the emulator is test/e2e/chat-admin.test.ts.
 */
import { expect } from 'chai';
import { botClient } from '../../src/router/chat-client.js';
import { helperRig } from '../helpers/helper-env.js';
import { expectCode, rejection } from '../helpers/common.js';

describe('router/chat-client v2 (imbot.v2.Chat.*)', () => {
  it('writes go through the outbox with the bot id, each with the next idempotency key', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.Chat.add', { chat: { id: 9, dialogId: 'chat9' } });
    const chat = botClient(rig.env).chat;
    expect(await chat.add({ title: 'T', userIds: [1, 2], color: 'mint' })).to.deep.equal({ dialogId: 'chat9', chatId: 9 });
    await chat.update('chat9', { title: 'U', description: 'D' });
    await chat.leave('chat9');
    await chat.setOwner('chat9', 3);
    await chat.addUsers('chat9', [4, 5]);
    await chat.removeUser('chat9', 4);
    await chat.addManagers('chat9', [1]);
    await chat.removeManagers('chat9', [1]);
    expect(rig.calls).to.deep.equal([
      { via: 'queued', method: 'imbot.v2.Chat.add', params: { botId: 45, fields: { title: 'T', userIds: [1, 2], color: 'mint' } }, key: 'key-1' },
      { via: 'queued', method: 'imbot.v2.Chat.update', params: { botId: 45, dialogId: 'chat9', fields: { title: 'U', description: 'D' } }, key: 'key-2' },
      { via: 'queued', method: 'imbot.v2.Chat.leave', params: { botId: 45, dialogId: 'chat9' }, key: 'key-3' },
      { via: 'queued', method: 'imbot.v2.Chat.setOwner', params: { botId: 45, dialogId: 'chat9', userId: 3 }, key: 'key-4' },
      { via: 'queued', method: 'imbot.v2.Chat.User.add', params: { botId: 45, dialogId: 'chat9', userIds: [4, 5] }, key: 'key-5' },
      { via: 'queued', method: 'imbot.v2.Chat.User.delete', params: { botId: 45, dialogId: 'chat9', userId: 4 }, key: 'key-6' },
      { via: 'queued', method: 'imbot.v2.Chat.Manager.add', params: { botId: 45, dialogId: 'chat9', userIds: [1] }, key: 'key-7' },
      { via: 'queued', method: 'imbot.v2.Chat.Manager.delete', params: { botId: 45, dialogId: 'chat9', userIds: [1] }, key: 'key-8' },
    ]);
  });

  it('a webhook-auth bot adds its botToken to every call, reads included', async () => {
    const rig = helperRig('v2', { botToken: 'tok' });
    rig.answers.set('imbot.v2.Chat.get', { chat: { id: 9 } });
    rig.answers.set('imbot.v2.Chat.User.list', []);
    const chat = botClient(rig.env).chat;
    await chat.leave('chat9');
    await chat.get('chat9');
    await chat.listUsers('chat9');
    expect(rig.calls.map((c) => [c.via, c.params['botId'], c.params['botToken']])).to.deep.equal([
      ['queued', 45, 'tok'], ['read', 45, 'tok'], ['read', 45, 'tok'],
    ]);
  });

  it('add resolves the chat id from the answer and falls back to chat<N> without a dialogId', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.Chat.add', { chat: { id: 12 } });
    expect(await botClient(rig.env).chat.add({ title: 'T' })).to.deep.equal({ dialogId: 'chat12', chatId: 12 });
    rig.answers.set('imbot.v2.Chat.add', { chat: { id: '13', dialogId: 'chat99' } });
    expect(await botClient(rig.env).chat.add({ title: 'T' }), 'the answer\'s dialogId wins').to.deep.equal({ dialogId: 'chat99', chatId: 13 });
    rig.answers.set('imbot.v2.Chat.add', { chat: null });
    expect(await botClient(rig.env).chat.add({ title: 'T' })).to.deep.equal({ dialogId: 'chat0', chatId: 0 });
    rig.answers.set('imbot.v2.Chat.add', { chat: 'nope' });
    expect(await botClient(rig.env).chat.add({ title: 'T' })).to.deep.equal({ dialogId: 'chat0', chatId: 0 });
    rig.answers.set('imbot.v2.Chat.add', true);
    expect(await botClient(rig.env).chat.add({ title: 'T' })).to.deep.equal({ dialogId: 'chat0', chatId: 0 });
  });

  it('get is a read (not queued) and parses the v2 chat entity (chats/chat-get.md)', async () => {
    const rig = helperRig('v2');
    const raw = { id: 9, dialogId: 'chat9', name: 'Team', owner: 3, managerList: [3, '4', 'x', 0] };
    rig.answers.set('imbot.v2.Chat.get', { chat: raw });
    const info = await botClient(rig.env).chat.get('chat9');
    expect(info).to.deep.equal({ id: 9, dialogId: 'chat9', title: 'Team', ownerId: 3, managerIds: [3, 4], raw });
    expect(rig.calls).to.deep.equal([{ via: 'read', method: 'imbot.v2.Chat.get', params: { botId: 45, dialogId: 'chat9' } }]);
  });

  it('get tolerates a thin answer: title falls back to `title`, then empty; dialog id to the asked one', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.Chat.get', { chat: { id: '7', title: 'Old', owner: '12', manager_list: [5] } });
    const a = await botClient(rig.env).chat.get('chat7');
    expect([a.id, a.dialogId, a.title, a.ownerId, a.managerIds]).to.deep.equal([7, 'chat7', 'Old', 12, [5]]);
    rig.answers.set('imbot.v2.Chat.get', {});
    const b = await botClient(rig.env).chat.get('chat8');
    expect([b.id, b.dialogId, b.title, b.ownerId, b.managerIds, b.raw]).to.deep.equal([0, 'chat8', '', 0, [], {}]);
    rig.answers.set('imbot.v2.Chat.get', { chat: { id: 1, dialogId: 'chat2', owner: 'x1', managerList: 'none' } });
    const c = await botClient(rig.env).chat.get('chat1');
    expect([c.dialogId, c.ownerId, c.managerIds]).to.deep.equal(['chat2', 0, []]);
    rig.answers.set('imbot.v2.Chat.get', { chat: { id: [4], dialogId: 4, owner: '3 ', managerList: [[5], '6 ', '7'] } });
    const d = await botClient(rig.env).chat.get('chat4');
    expect([d.id, d.dialogId, d.ownerId, d.managerIds], 'only numbers and digit strings are ids').to.deep.equal([0, 'chat4', 0, [7]]);
  });

  it('listUsers reads user objects or bare ids and drops what is not a positive id', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.Chat.User.list', [{ id: 1 }, { id: '2' }, 3, '4', { name: 'no id' }, 0, -1, '5a']);
    expect(await botClient(rig.env).chat.listUsers('chat9')).to.deep.equal([1, 2, 3, 4]);
    expect(rig.calls[0]).to.deep.equal({ via: 'read', method: 'imbot.v2.Chat.User.list', params: { botId: 45, dialogId: 'chat9' } });
    rig.answers.set('imbot.v2.Chat.User.list', { users: [1] });
    expect(await botClient(rig.env).chat.listUsers('chat9')).to.deep.equal([]);
  });

  it('a write resolves only once the portal confirmed it and rejects with the dead-letter error', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.Chat.leave', new Error('dead-lettered'));
    expect((await rejection(botClient(rig.env).chat.leave('chat9'))).message).to.equal('dead-lettered');
  });

  it('ctx.client.call is the portal client itself', async () => {
    const rig = helperRig('v2');
    rig.answers.set('user.current', { ID: 1 });
    expect(await botClient(rig.env).call('user.current')).to.deep.equal({ ID: 1 });
    expect(rig.calls).to.deep.equal([{ via: 'read', method: 'user.current', params: {} }]);
  });
});

describe('router/chat-client classic (imbot.chat.*, imbot.dialog.get)', () => {
  it('add maps the fields to the classic names and converts the colour (outdated/chats/imbot-chat-add.md)', async () => {
    const rig = helperRig('v1');
    rig.answers.set('imbot.chat.add', 31);
    const out = await botClient(rig.env).chat.add({ title: 'T', userIds: [1], description: 'D', color: 'lightBlue', avatar: 'QUJD', message: 'Hi' });
    expect(out).to.deep.equal({ dialogId: 'chat31', chatId: 31 });
    expect(rig.calls).to.deep.equal([{
      via: 'queued', method: 'imbot.chat.add', key: 'key-1',
      params: { BOT_ID: 45, TYPE: 'CHAT', TITLE: 'T', USERS: [1], DESCRIPTION: 'D', COLOR: 'LIGHT_BLUE', AVATAR: 'QUJD', MESSAGE: 'Hi' },
    }]);
  });

  it('add sends only what was given; a webhook-auth bot passes CLIENT_ID', async () => {
    const rig = helperRig('v1', { botToken: 'tok' });
    rig.answers.set('imbot.chat.add', '32');
    expect(await botClient(rig.env).chat.add({ title: 'T' })).to.deep.equal({ dialogId: 'chat32', chatId: 32 });
    expect(rig.calls[0]!.params).to.deep.equal({ BOT_ID: 45, CLIENT_ID: 'tok', TYPE: 'CHAT', TITLE: 'T' });
  });

  it('add with an owner, update of a description: CONTEXT_UNSUPPORTED before anything is queued', async () => {
    const rig = helperRig('v1');
    const chat = botClient(rig.env).chat;
    const a = await rejection(chat.add({ title: 'T', ownerId: 3 }));
    const b = await rejection(chat.update('chat5', { title: 'x', description: 'D' }));
    expectCode(a, 'CONTEXT_UNSUPPORTED');
    expectCode(b, 'CONTEXT_UNSUPPORTED');
    expect([a.message, b.message]).to.deep.equal(['imbot.chat.add has no owner: call setOwner after add', 'the classic API cannot change a chat description']);
    expect(rig.calls).to.deep.equal([]);
  });

  it('update splits into one call per field, in title, colour, avatar order', async () => {
    const rig = helperRig('v1');
    const chat = botClient(rig.env).chat;
    await chat.update('chat5', { avatar: 'QQ', color: 'darkBlue', title: 'New' });
    await chat.update('chat5', { color: 'red' });
    await chat.update('chat5', {});
    expect(rig.calls.map((c) => [c.method, c.params])).to.deep.equal([
      ['imbot.chat.updateTitle', { BOT_ID: 45, CHAT_ID: 5, TITLE: 'New' }],
      ['imbot.chat.updateColor', { BOT_ID: 45, CHAT_ID: 5, COLOR: 'DARK_BLUE' }],
      ['imbot.chat.updateAvatar', { BOT_ID: 45, CHAT_ID: 5, AVATAR: 'QQ' }],
      ['imbot.chat.updateColor', { BOT_ID: 45, CHAT_ID: 5, COLOR: 'RED' }],
    ]);
  });

  it('membership, owner and managers use CHAT_ID; managers go one user at a time with IS_MANAGER', async () => {
    const rig = helperRig('v1');
    const chat = botClient(rig.env).chat;
    await chat.leave('chat15');
    await chat.setOwner('chat5', 3);
    await chat.addUsers('chat5', [4, 6]);
    await chat.removeUser('chat5', 4);
    await chat.addManagers('chat5', [1, 2]);
    await chat.removeManagers('chat5', [2]);
    expect(rig.calls.map((c) => [c.via, c.method, c.params])).to.deep.equal([
      ['queued', 'imbot.chat.leave', { BOT_ID: 45, CHAT_ID: 15 }],
      ['queued', 'imbot.chat.setOwner', { BOT_ID: 45, CHAT_ID: 5, USER_ID: 3 }],
      ['queued', 'imbot.chat.user.add', { BOT_ID: 45, CHAT_ID: 5, USERS: [4, 6] }],
      ['queued', 'imbot.chat.user.delete', { BOT_ID: 45, CHAT_ID: 5, USER_ID: 4 }],
      ['queued', 'imbot.chat.setManager', { BOT_ID: 45, CHAT_ID: 5, USER_ID: 1, IS_MANAGER: 'Y' }],
      ['queued', 'imbot.chat.setManager', { BOT_ID: 45, CHAT_ID: 5, USER_ID: 2, IS_MANAGER: 'Y' }],
      ['queued', 'imbot.chat.setManager', { BOT_ID: 45, CHAT_ID: 5, USER_ID: 2, IS_MANAGER: 'N' }],
    ]);
  });

  it('a dialog id that is not chat<N> is refused with CONTEXT_UNSUPPORTED, nothing sent', async () => {
    const rig = helperRig('v1');
    const chat = botClient(rig.env).chat;
    for (const bad of ['1', 'chat', 'chatx', 'xchat5', 'chat5x', 'chat-5']) expectCode(await rejection(chat.leave(bad)), 'CONTEXT_UNSUPPORTED');
    expect((await rejection(chat.listUsers('12'))).message).to.equal('the classic chat methods need a group dialog id (chat<N>), got 12');
    expectCode(await rejection(chat.addManagers('12', [1])), 'CONTEXT_UNSUPPORTED');
    expect(rig.calls).to.deep.equal([]);
  });

  it('get reads imbot.dialog.get (chats/fields.md names: name, owner, manager_list)', async () => {
    const rig = helperRig('v1', { botToken: 'tok' });
    const raw = { id: '5', name: 'Team', owner: '3', manager_list: ['3'] };
    rig.answers.set('imbot.dialog.get', raw);
    expect(await botClient(rig.env).chat.get('chat5')).to.deep.equal({ id: 5, dialogId: 'chat5', title: 'Team', ownerId: 3, managerIds: [3], raw });
    expect(rig.calls).to.deep.equal([{ via: 'read', method: 'imbot.dialog.get', params: { BOT_ID: 45, CLIENT_ID: 'tok', DIALOG_ID: 'chat5' } }]);
    rig.answers.set('imbot.dialog.get', null);
    expect((await botClient(rig.env).chat.get('chat5')).raw).to.deep.equal({});
  });

  it('listUsers reads imbot.chat.user.list (a list of ids)', async () => {
    const rig = helperRig('v1');
    rig.answers.set('imbot.chat.user.list', [1, '2', 0, 'x']);
    expect(await botClient(rig.env).chat.listUsers('chat5')).to.deep.equal([1, 2]);
    expect(rig.calls).to.deep.equal([{ via: 'read', method: 'imbot.chat.user.list', params: { BOT_ID: 45, CHAT_ID: 5 } }]);
    rig.answers.set('imbot.chat.user.list', { 1: 1 });
    expect(await botClient(rig.env).chat.listUsers('chat5')).to.deep.equal([]);
  });
});
