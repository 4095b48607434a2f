import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { defineBot } from '../../src/router/bot.js';
import type { ReplySink } from '../../src/router/context.js';
import { createRuntime } from '../../src/router/runtime.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { messageEvent } from '../helpers/events.js';

function runtimeWith(type: 'bot' | 'supervisor', groupMessages?: 'all' | 'addressed'): { handle: (e: ReturnType<typeof messageEvent>) => Promise<void>; seen: string[] } {
  const seen: string[] = [];
  const def = defineBot({ code: 'echo', type, properties: { name: 'E' }, ...(groupMessages ? { groupMessages } : {}) })
    .text(null, (ctx) => void seen.push(ctx.text));
  const sink: ReplySink = { enqueue: async () => ({}) };
  const rt = createRuntime({
    store: createMemoryStore(), bots: new Map([['echo', def]]), sink, log: createLogger({ silent: true }),
    client: { call: async () => { throw new Error('no REST'); } },
  });
  return { handle: (e) => rt.handle(e), seen };
}

describe('router/runtime group policy', () => {
  const group = { id: 5, dialogId: 'chat5', kind: 'group' as const, title: 'T' };
  it('a bot sees only addressed group messages, but every private one', async () => {
    const { handle, seen } = runtimeWith('bot');
    await handle(messageEvent('not for me', { chat: group, addressed: false }));
    await handle(messageEvent('for me', { chat: group, addressed: true }));
    await handle(messageEvent('private', { addressed: false }));
    expect(seen).to.deep.equal(['for me', 'private']);
  });

  it('a supervisor, or groupMessages: all, sees everything', async () => {
    for (const rt of [runtimeWith('supervisor'), runtimeWith('bot', 'all')]) {
      await rt.handle(messageEvent('not for me', { chat: group, addressed: false }));
      expect(rt.seen).to.deep.equal(['not for me']);
    }
  });

  it('ignores events for a bot code with no module', async () => {
    const { handle, seen } = runtimeWith('bot');
    await handle(messageEvent('x', { bot: { id: 9, code: 'gone' } }));
    expect(seen).to.deep.equal([]);
  });
});
