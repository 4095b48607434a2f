import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { defineBot } from '../../src/router/bot.js';
import type { ReplySink } from '../../src/router/context.js';
import { createRuntime } from '../../src/router/runtime.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { botDeleteEvent, messageEvent } from '../helpers/events.js';

function runtimeWith(type: 'bot' | 'supervisor', groupMessages?: 'all' | 'addressed'): { handle: (e: ReturnType<typeof messageEvent>) => Promise<void>; seen: string[] } {
  const seen: string[] = [];
  const def = defineBot({ code: 'echo', type, properties: { name: 'E' }, ...(groupMessages ? { groupMessages } : {}) })
    .text(null, (ctx) => void seen.push(ctx.text));
  const sink: ReplySink = { enqueue: async () => ({ delivered: Promise.resolve(null) }) };
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

describe('router/runtime bot deletion', () => {
  it('runs bot_delete handlers, then forgets the bot so a re-sync registers it again', async () => {
    const store = createMemoryStore();
    await store.saveBot({ memberId: 'm1', code: 'echo', botId: 45, api: 'v2', eventMode: 'webhook', botToken: null, handlerUrl: 'https://x/events', registeredAt: 0 });
    const seen: string[] = [];
    const def = defineBot({ code: 'echo', properties: { name: 'E' } }).on('bot_delete', (ctx) => void seen.push(ctx.event.type));
    const rt = createRuntime({
      store, bots: new Map([['echo', def]]), sink: { enqueue: async () => ({ delivered: Promise.resolve(null) }) }, log: createLogger({ silent: true }),
      client: { call: async () => { throw new Error('no REST'); } },
    });
    await rt.handle(botDeleteEvent());
    expect(seen).to.deep.equal(['bot_delete']);
    expect(await store.listBots('m1')).to.deep.equal([]);
  });
});
