import { expect } from 'chai';
import { BotkitError } from '../../src/errors.js';
import { createDialogueControl, dialogueStateOf } from '../../src/router/dialogue-control.js';
import { END, defineDialogue, retry } from '../../src/router/dialogue.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { testContext } from '../helpers/context.js';
import { commandEvent, messageEvent } from '../helpers/events.js';
import { runtimeRig } from '../helpers/runtime.js';
import { defineBot } from '../../src/router/bot.js';
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
    expect(err.message).to.equal('dialogue state d changed concurrently');
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
    expect(err.message).to.equal('dialogue form has no step "removed"');
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

  it('refuses a control it did not create with CONTEXT_UNSUPPORTED', () => {
    const foreign = { enter: async () => undefined, leave: async () => false, current: async () => null };
    expect(() => dialogueStateOf(foreign)).to.throw(BotkitError, 'ctx.dialogue was not created by createDialogueControl').with.property('code', 'CONTEXT_UNSUPPORTED');
  });

  it('leave() ends the running dialogue and says whether there was one', async () => {
    const { ctx } = testContext(messageEvent('x'));
    expect(await ctx.dialogue.leave()).to.equal(false);
    await dialogueStateOf(ctx.dialogue).save(null, { dialogue: 'form', step: 'a', data: {} });
    expect(await ctx.dialogue.leave()).to.equal(true);
    expect(await ctx.dialogue.current()).to.equal(null);
  });
});

describe('router/dialogue through the runtime', () => {
  const at = { bot: { id: 9, code: 'form' } };
  const press = (value: string, name = 'form_btn') => commandEvent(name, value, { ...at, context: 'keyboard' });
  function formBot(): ReturnType<typeof defineBot> {
    const form = defineDialogue({
      name: 'form', start: 'ask', initial: () => ({ answer: '' }),
      onCancel: (ctx, s) => ctx.reply(`cancelled at "${s.answer}"`),
      steps: {
        ask: {
          enter: (ctx) => ctx.reply('ask?'),
          text: (ctx, s) => ((s.answer = ctx.text), ctx.text === 'stay' ? undefined : 'pick'),
        },
        pick: {
          enter: (ctx) => ctx.reply('pick?'),
          button: (_ctx, s, v) => ((s.answer += `+${v}`), v === 'again' ? 'ask' : END),
        },
      },
    });
    const other = defineDialogue({ name: 'other', start: 'only', initial: () => 0, steps: { only: { text: () => END } } });
    return defineBot({ code: 'form', properties: { name: 'Form' }, commands: [{ name: 'go' }, { name: 'stop' }] })
      .dialogue(form)
      .dialogue(other)
      .command('go', (ctx) => ctx.dialogue.enter('form'))
      .command('other', (ctx) => ctx.dialogue.enter('other'))
      .command('where', async (ctx) => void (await ctx.reply(JSON.stringify(await ctx.dialogue.current()))))
      .use((ctx) => ctx.reply(`fallthrough ${ctx.event.type} ${ctx.text}`));
  }

  it('passes on when no dialogue runs, and when another dialogue runs', async () => {
    const rig = runtimeRig([formBot()]);
    await rig.handle(messageEvent('hello', at));
    await rig.handle(commandEvent('other', '', at));
    await rig.handle(commandEvent('where', '', at));
    expect(rig.take()).to.deep.equal(['fallthrough message hello', '{"name":"other","step":"only"}']);
  });

  it('stays on a step that returns nothing (no re-ask) and moves on with a step name (asking the next)', async () => {
    const rig = runtimeRig([formBot()]);
    await rig.handle(commandEvent('go', '', at));
    await rig.handle(messageEvent('stay', at));
    await rig.handle(commandEvent('where', '', at));
    await rig.handle(messageEvent('blue', at));
    await rig.handle(commandEvent('where', '', at));
    expect(rig.take()).to.deep.equal(['ask?', '{"name":"form","step":"ask"}', 'pick?', '{"name":"form","step":"pick"}']);
  });

  it('passes on what the step does not handle: text on a button step, another command, a button of another dialogue', async () => {
    const rig = runtimeRig([formBot()]);
    await rig.handle(commandEvent('go', '', at));
    await rig.handle(messageEvent('blue', at));
    rig.take();
    await rig.handle(messageEvent('typed', at));
    await rig.handle(press('x', 'other_btn'));
    await rig.handle(commandEvent('stop', '', at));
    expect(rig.take()).to.deep.equal(['fallthrough message typed', 'fallthrough command ', 'fallthrough command ']);
    await rig.handle(press('again'));
    expect(rig.take()).to.deep.equal(['ask?']);
  });

  it('cancels with /cancel or a cancel button, says onCancel with the state, and forgets the state', async () => {
    for (const cancel of [commandEvent('cancel', '', at), press('cancel')]) {
      const rig = runtimeRig([formBot()]);
      await rig.handle(commandEvent('go', '', at));
      await rig.handle(messageEvent('blue', at));
      rig.take();
      await rig.handle(cancel);
      await rig.handle(commandEvent('where', '', at));
      await rig.handle(messageEvent('after', at));
      expect(rig.take()).to.deep.equal(['cancelled at "blue"', 'null', 'fallthrough message after']);
    }
  });

  it('ends with END: the state is gone and later messages pass on', async () => {
    const rig = runtimeRig([formBot()]);
    await rig.handle(commandEvent('go', '', at));
    await rig.handle(messageEvent('blue', at));
    await rig.handle(press('ok'));
    await rig.handle(commandEvent('where', '', at));
    expect(rig.take()).to.deep.equal(['ask?', 'pick?', 'null']);
  });

  it('a step without enter is entered silently', async () => {
    const d = defineDialogue({ name: 'q', start: 'quiet', initial: () => ({}), steps: { quiet: { text: () => END } } });
    const bot = defineBot({ code: 'form', properties: { name: 'Q' } }).dialogue(d).command('go', (ctx) => ctx.dialogue.enter('q'));
    const rig = runtimeRig([bot]);
    await rig.handle(commandEvent('go', '', at));
    expect(rig.take()).to.deep.equal([]);
    expect(await rejection(async () => { await runtimeRig([defineBot({ code: 'form', properties: { name: 'N' } }).command('go', (ctx) => ctx.dialogue.enter('nope'))]).handle(commandEvent('go', '', at)); }))
      .to.include({ code: 'CONTEXT_UNSUPPORTED', message: 'no dialogue named "nope" on this bot' });
  });
});
