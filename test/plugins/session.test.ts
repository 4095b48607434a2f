import { expect } from 'chai';
import { memoryStorage, session, type SessionFlavor, type StorageAdapter } from '../../src/plugins/session.js';
import { defineBot } from '../../src/router/bot.js';
import type { Context } from '../../src/router/context.js';
import { counter } from '../../examples/counter/index.js';
import { baseEvent, commandEvent, messageEvent } from '../helpers/events.js';
import { runtimeRig } from '../helpers/runtime.js';
import { rejection } from '../helpers/common.js';

const at = { bot: { id: 9, code: 'counter' } };

describe('plugins/session', () => {
  it('the shipped counter keeps typed per-user state in the store, across events, per user', async () => {
    const rig = runtimeRig([counter]);
    await rig.handle(messageEvent('one', at));
    await rig.handle(messageEvent('two', at));
    await rig.handle(messageEvent('other user', { ...at, user: { ...baseEvent().user, id: 2 } }));
    await rig.handle(commandEvent('reset', '', at));
    await rig.handle(messageEvent('three', at));
    expect(rig.take()).to.deep.equal([
      'Message 1', 'Message 2; last time you said "one"', 'Message 1', 'Forgotten.', 'Message 1',
    ]);
  });

  it('writes only when the state changed, and deletes it when set to undefined', async () => {
    const writes: string[] = [];
    const inner = memoryStorage<{ n: number }>();
    const storage: StorageAdapter<{ n: number }> = {
      read: (k) => inner.read(k),
      write: (k, v) => { writes.push(`write ${k} ${v.n}`); return inner.write(k, v); },
      delete: (k) => { writes.push(`delete ${k}`); return inner.delete(k); },
    };
    type C = Context & SessionFlavor<{ n: number } | undefined>;
    const bot = defineBot<C>({ code: 'counter', properties: { name: 'C' } })
      .use(session<{ n: number } | undefined>({ initial: () => ({ n: 0 }), storage }))
      .text('read', () => undefined)
      .text('inc', (ctx) => void (ctx.state = { n: (ctx.state?.n ?? 0) + 1 }))
      .text('drop', (ctx) => void (ctx.state = undefined));
    const rig = runtimeRig([bot]);
    for (const t of ['read', 'inc', 'read', 'inc', 'drop', 'drop']) await rig.handle(messageEvent(t, at));
    expect(writes).to.deep.equal(['write m1:counter:1 1', 'write m1:counter:1 2', 'delete m1:counter:1']);
    expect(inner.size).to.equal(0);
  });

  it('does not save when a handler throws after mutating (the event is handled again)', async () => {
    const storage = memoryStorage<{ n: number }>();
    const bot = defineBot<Context & SessionFlavor<{ n: number }>>({ code: 'counter', properties: { name: 'C' } })
      .use(session({ initial: () => ({ n: 0 }), storage }))
      .use((ctx) => { ctx.state.n = 5; throw new Error('boom'); });
    const err = await rejection(runtimeRig([bot]).handle(messageEvent('x', at)));
    expect(err).to.have.property('message', 'boom');
    expect(storage.size).to.equal(0);
  });
});
