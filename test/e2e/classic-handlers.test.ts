import { expect } from 'chai';
import { defineBot } from '../../src/index.js';
import { startStack, type Stack } from './harness.js';

// outdated/bots/imbot-register.md: EVENT_MESSAGE_UPDATE / EVENT_MESSAGE_DELETE "are ignored only for bots with
// TYPE=B/H and OPENLINE=N" at register; imbot.update has no such restriction (outdated/bots/imbot-update.md),
// so the server binds them there. The emulator ignores them at register and delivers nothing unbound.
const editor = defineBot({ code: 'editor', properties: { name: 'Editor' } })
  .on('message_edit', (ctx) => ctx.reply(`edited: ${ctx.text}`))
  .on('message_delete', (ctx) => ctx.reply(`deleted #${ctx.event.messageId}`))
  // outdated/messages/imbot-message-like.md: classic bots have only the like; ACTION=plus on a liked message
  // answers WITHOUT_CHANGES, which means "already liked", not a failure.
  .text('like me', async (ctx) => {
    await ctx.react('like');
    await ctx.react('like');
    const refused = await ctx.react('fire').then(() => 'sent', (e: unknown) => (e as { code?: string }).code);
    await ctx.reply(`liked twice; fire: ${refused}`);
  })
  .text(null, (ctx) => ctx.reply(`got: ${ctx.text}`));

describe('e2e classic TYPE=B bot: message_edit and message_delete arrive', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ api: 'v1', bots: new Map([['editor', editor]]) });
  });
  after(async () => stack.close());

  it('registers with TYPE=B and binds the update/delete handlers with imbot.update', async () => {
    const register = stack.emu.portal.requests().find((r) => r.method === 'imbot.register');
    expect(register?.status).to.equal(200);
    const update = stack.emu.portal.requests().find((r) => r.method === 'imbot.update');
    expect(update?.status, 'imbot.update follows imbot.register').to.equal(200);
    const user = stack.emu.portal.users.add({ name: 'Ed' });
    const sent = await stack.emu.portal.sendMessage({ from: user, to: 'editor', text: 'first' });
    await stack.emu.portal.waitForMessages(1, { botCode: 'editor', dialogId: String(user) });
    const edit = await stack.emu.portal.editMessage({ from: user, messageId: sent.messageId, text: 'second' });
    expect(edit.map((d) => `${d.event}:${d.status}`)).to.deep.equal(['ONIMBOTMESSAGEUPDATE:200']);
    const del = await stack.emu.portal.deleteMessage({ from: user, messageId: sent.messageId });
    expect(del.map((d) => `${d.event}:${d.status}`)).to.deep.equal(['ONIMBOTMESSAGEDELETE:200']);
    const texts = (await stack.emu.portal.waitForMessages(3, { botCode: 'editor', dialogId: String(user) })).map((m) => m.text);
    expect(texts).to.deep.equal(['got: first', 'edited: second', `deleted #${sent.messageId}`]);
  });

  it('classic react(): like is set once, a repeat (WITHOUT_CHANGES) succeeds, another code is refused before sending', async () => {
    const user = stack.emu.portal.users.add({ name: 'Liker' });
    const sent = await stack.emu.portal.sendMessage({ from: user, to: 'editor', text: 'like me' });
    const [reply] = await stack.emu.portal.waitForMessages(1, { botCode: 'editor', dialogId: String(user) });
    expect(reply?.text).to.equal('liked twice; fire: CONTEXT_UNSUPPORTED');
    const likes = stack.emu.portal.requests().filter((r) => r.method === 'imbot.message.like').map((r) => r.error ?? 'ok');
    expect(likes).to.deep.equal(['ok', 'WITHOUT_CHANGES']);
    await stack.kit.idle();
    expect(await stack.kit.store.outboxDeadList(10), 'WITHOUT_CHANGES is not a dead letter').to.deep.equal([]);
    expect(sent.messageId).to.be.greaterThan(0);
  });
});
