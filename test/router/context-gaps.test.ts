/**
 * Behaviours mutation testing showed no test pinned (docs/mutation.md, "test gaps"): the context's client
 * is built once, reactions and deletions carry the message id helpers act on, a dialogue's cancel is only
 * its own, a bot without `fallbackLanguage` falls back to English, dialogues are per chat and per user.
 */
import { expect } from 'chai';
import { defineBot } from '../../src/router/bot.js';
import { END, defineDialogue } from '../../src/router/dialogue.js';
import { baseEvent, commandEvent, messageEvent } from '../helpers/events.js';
import { testContext } from '../helpers/context.js';
import { runtimeRig } from '../helpers/runtime.js';
import type { MessageDeleteEvent, ReactionEvent } from '../../src/protocol/events.js';

const reaction = (messageId: number): ReactionEvent => ({ ...baseEvent(), type: 'reaction', messageId, reaction: 'like', action: 'add' });
const deletion = (messageId: number): MessageDeleteEvent => ({ ...baseEvent(), type: 'message_delete', messageId });

describe('router/context: what the helpers act on', () => {
  it('ctx.client is built once per context', () => {
    const { ctx } = testContext(messageEvent('x'));
    const first = ctx.client;
    expect(first).to.be.an('object');
    expect(ctx.client).to.equal(first);
    expect(ctx.client.chat).to.equal(first.chat);
  });

  it('react() and unreact() on a reaction or a deletion act on that event\'s message', async () => {
    for (const event of [reaction(501), deletion(502)]) {
      const { ctx, sent } = testContext(event);
      await ctx.react('like');
      await ctx.unreact('like');
      expect(sent.map((s) => [s.method, s.params['messageId']])).to.deep.equal([
        ['imbot.v2.Chat.Message.Reaction.add', event.messageId],
        ['imbot.v2.Chat.Message.Reaction.delete', event.messageId],
      ]);
    }
  });

  it('fileInfo() answers from the event without any request when the event names the file', async () => {
    const { ctx } = testContext(messageEvent('x'));
    const file = { id: 3, name: 'a.txt', size: 4, type: 'file' as const };
    expect(await ctx.fileInfo(file)).to.deep.equal(file);
  });
});

describe('router/dialogue: cancel', () => {
  const form = (onCancel?: () => void) => defineDialogue({
    name: 'form', start: 'a', initial: () => ({}),
    steps: { a: { enter: (ctx) => ctx.reply('A?'), text: () => END } },
    ...(onCancel ? { onCancel } : {}),
  });

  it('a cancel button of another dialogue (`other_btn cancel`) does not cancel this one', async () => {
    let cancelled = 0;
    const d = form(() => void cancelled++);
    const rig = runtimeRig([defineBot({ code: 'echo', properties: { name: 'E' } }).dialogue(d).command('start', (ctx) => ctx.dialogue.enter('form'))]);
    await rig.handle(commandEvent('start'));
    await rig.handle(commandEvent('other_btn', 'cancel', { context: 'keyboard' }));
    expect(cancelled).to.equal(0);
    const state = await rig.store.getState(`dlg:m1:45:1:1`, Date.now());
    expect(state?.value).to.deep.include({ dialogue: 'form', step: 'a' });
    await rig.handle(commandEvent('form_btn', 'cancel', { context: 'keyboard' }));
    expect(cancelled).to.equal(1);
    expect(await rig.store.getState(`dlg:m1:45:1:1`, Date.now())).to.equal(null);
  });

  it('cancelling a dialogue without onCancel just ends it', async () => {
    const rig = runtimeRig([defineBot({ code: 'echo', properties: { name: 'E' } }).dialogue(form()).command('start', (ctx) => ctx.dialogue.enter('form'))]);
    await rig.handle(commandEvent('start'));
    expect(await rig.store.getState('dlg:m1:45:1:1', Date.now())).to.not.equal(null);
    await rig.handle(commandEvent('cancel'));
    expect(await rig.store.getState('dlg:m1:45:1:1', Date.now())).to.equal(null);
    expect(rig.take()).to.deep.equal(['A?']);
  });
});

describe('router/runtime: languages and dialogue keys', () => {
  it('a bot without fallbackLanguage answers a language it has no texts for in English', async () => {
    const bot = defineBot({ code: 'echo', properties: { name: 'E' }, texts: { en: { hi: 'Hello' }, de: { hi: 'Hallo' } } })
      .text(null, (ctx) => ctx.reply(ctx.t('hi')));
    const rig = runtimeRig([bot]);
    await rig.handle(messageEvent('x', { language: 'fr' }));
    await rig.handle(messageEvent('x', { language: 'de' }));
    expect(rig.take()).to.deep.equal(['Hello', 'Hallo']);
  });

  it('dialogues are kept per chat and per user: another user or chat does not continue mine', async () => {
    const seen: string[] = [];
    const d = defineDialogue({
      name: 'ask', start: 'q', initial: () => ({}),
      steps: { q: { text: (ctx) => (seen.push(`${ctx.event.user.id}@${ctx.event.chat.dialogId}:${ctx.text}`), END) } },
    });
    const bot = defineBot({ code: 'echo', properties: { name: 'E' } }).dialogue(d)
      .command('ask', (ctx) => ctx.dialogue.enter('ask'))
      .text(null, (ctx) => void seen.push(`plain ${ctx.event.user.id}@${ctx.event.chat.dialogId}:${ctx.text}`));
    const rig = runtimeRig([bot]);
    const user2 = { ...baseEvent().user, id: 2 };
    const group = { id: 5, dialogId: 'chat5', kind: 'group' as const, title: 'G' };
    await rig.handle(commandEvent('ask'));
    await rig.handle(messageEvent('from 2', { user: user2 }));
    await rig.handle(messageEvent('in a group', { chat: group }));
    await rig.handle(messageEvent('answer'));
    expect(seen).to.deep.equal(['plain 2@1:from 2', 'plain 1@chat5:in a group', '1@1:answer']);
  });
});
