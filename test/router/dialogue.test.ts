import { expect } from 'chai';
import { BotkitError } from '../../src/errors.js';
import { createDialogueControl, dialogueStateOf } from '../../src/router/dialogue-control.js';
import { END, defineDialogue, retry } from '../../src/router/dialogue.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { testContext } from '../helpers/context.js';
import { commandEvent, messageEvent } from '../helpers/events.js';
import { rejection } from '../helpers/common.js';

describe('router/dialogue', () => {
  it('refuses a write from a stale read with STATE_CONFLICT (optimistic version check)', async () => {
    const store = createMemoryStore();
    const opts = { store, key: 'dlg:k', clock: Date.now, ttlS: 60, dialogues: new Map() };
    const a = dialogueStateOf(createDialogueControl(opts, () => { throw new Error('unused'); }));
    await a.save(null, { dialogue: 'd', step: 's1', data: { n: 1 } });
    const first = await a.load();
    const second = await a.load();
    await a.save(first, { dialogue: 'd', step: 's2', data: { n: 2 } });
    const err = await rejection(a.save(second, { dialogue: 'd', step: 's2', data: { n: 3 } }));
    expect(err).to.be.instanceOf(BotkitError).and.to.have.property('code', 'STATE_CONFLICT');
    expect((await a.load())?.state.data).to.deep.equal({ n: 2 });
  });

  it('expires idle state after the TTL', async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ clock: () => now });
    const c = createDialogueControl({ store, key: 'dlg:t', clock: () => now, ttlS: 10, dialogues: new Map() }, () => { throw new Error('unused'); });
    await dialogueStateOf(c).save(null, { dialogue: 'd', step: 's', data: {} });
    now += 9_000;
    expect(await c.current()).to.deep.equal({ name: 'd', step: 's' });
    now += 2_000;
    expect(await c.current()).to.equal(null);
  });

  it('runs steps, retries, buttons and END through the middleware', async () => {
    const d = defineDialogue({
      name: 'form', start: 'a', initial: () => ({ a: '', b: '' }),
      steps: {
        a: { enter: (ctx) => ctx.reply('A?'), text: (ctx, s) => (ctx.text.length < 2 ? retry('longer') : ((s.a = ctx.text), 'b')) },
        b: { enter: (ctx) => ctx.reply('B?'), button: (_ctx, s, v) => ((s.b = v), END) },
      },
    });
    const store = createMemoryStore();
    const dialogues = new Map([['form', d as never]]);
    const step = async (event: Parameters<typeof testContext>[0]): Promise<string[]> => {
      const { ctx, sent } = testContext(event);
      const control = createDialogueControl({ store, key: 'dlg:x', clock: Date.now, ttlS: 60, dialogues }, () => ctx);
      Object.defineProperty(ctx, 'dialogue', { get: () => control });
      if (event.type === 'command' && event.command.name === 'start') await control.enter('form');
      else await d.middleware()(ctx, async () => undefined);
      return sent.map((x) => (x.params['fields'] as { message: string }).message);
    };
    expect(await step(commandEvent('start'))).to.deep.equal(['A?']);
    expect(await step(messageEvent('x'))).to.deep.equal(['longer']);
    expect(await step(messageEvent('xyz'))).to.deep.equal(['B?']);
    expect(await step(commandEvent('form_btn', 'blue', { context: 'keyboard' }))).to.deep.equal([]);
    expect(await store.getState('dlg:x', Date.now())).to.equal(null);
  });

  it('ends a stored dialogue whose step no longer exists with DIALOGUE_STEP_UNKNOWN (state from an older deploy)', async () => {
    const d = defineDialogue({ name: 'form', start: 'a', initial: () => ({}), steps: { a: { text: () => END } } });
    const { ctx } = testContext(messageEvent('x'));
    const states = dialogueStateOf(ctx.dialogue);
    await states.save(null, { dialogue: 'form', step: 'removed', data: {} });
    const err = await rejection(async () => d.middleware()(ctx, async () => undefined));
    expect(err).to.be.instanceOf(BotkitError).and.to.have.property('code', 'DIALOGUE_STEP_UNKNOWN');
    expect(await ctx.dialogue.current()).to.equal(null);
  });

  it('refuses an untyped unknown step name with DIALOGUE_STEP_UNKNOWN, at definition and at run time', async () => {
    const define = (): unknown => defineDialogue({ name: 'x', start: 'nope' as 'a', initial: () => ({}), steps: { a: {} } });
    expect(define).to.throw(BotkitError).with.property('code', 'DIALOGUE_STEP_UNKNOWN');
    const d = defineDialogue({ name: 'form', start: 'a', initial: () => ({}), steps: { a: { text: () => 'gone' as 'a' } } });
    const { ctx } = testContext(messageEvent('x'));
    await dialogueStateOf(ctx.dialogue).save(null, { dialogue: 'form', step: 'a', data: {} });
    const err = await rejection(async () => d.middleware()(ctx, async () => undefined));
    expect(err).to.be.instanceOf(BotkitError).and.to.have.property('code', 'DIALOGUE_STEP_UNKNOWN');
    expect(await ctx.dialogue.current()).to.deep.equal({ name: 'form', step: 'a' });
  });

  it('leave() ends the running dialogue and says whether there was one', async () => {
    const { ctx } = testContext(messageEvent('x'));
    expect(await ctx.dialogue.leave()).to.equal(false);
    await dialogueStateOf(ctx.dialogue).save(null, { dialogue: 'form', step: 'a', data: {} });
    expect(await ctx.dialogue.leave()).to.equal(true);
    expect(await ctx.dialogue.current()).to.equal(null);
  });
});
