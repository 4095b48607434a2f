import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { defineBot } from '../../src/router/bot.js';
import type { ReplySink } from '../../src/router/context.js';
import { createRuntime, stableUuid } from '../../src/router/runtime.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { decodeEvent } from '../../src/protocol/decode.js';
import type { MessageEvent } from '../../src/protocol/events.js';
import { botDeleteEvent, messageEvent } from '../helpers/events.js';
import { fixture, toWire, webhookBody } from '../protocol/event-fixtures.js';

function runtimeWith(type: 'bot' | 'supervisor', groupMessages?: 'all' | 'addressed', code = 'echo'): {
  handle: (e: ReturnType<typeof messageEvent>) => Promise<void>; seen: string[]; addressed: boolean[];
} {
  const seen: string[] = [];
  const addressed: boolean[] = [];
  const def = defineBot({ code, type, properties: { name: 'E' }, ...(groupMessages ? { groupMessages } : {}) })
    .text(null, (ctx) => {
      seen.push(ctx.text);
      addressed.push(ctx.event.message.addressed);
    });
  const sink: ReplySink = { enqueue: async () => ({ delivered: Promise.resolve(null) }) };
  const rt = createRuntime({
    store: createMemoryStore(), bots: new Map([[code, def]]), sink, log: createLogger({ silent: true }),
    client: { call: async () => { throw new Error('no REST'); } },
  });
  return { handle: (e) => rt.handle(e), seen, addressed };
}

describe('router/runtime group policy', () => {
  const group = { id: 5, dialogId: 'chat5', kind: 'group' as const, title: 'T' };
  // chat-bots-v2/index.md#bot-types: a `bot` gets group events only when addressed (the platform filters),
  // and the delivered text may have lost its mention; supervisor/personal bots get every message.
  it('a bot/openline bot handles every group message the platform delivers, visible mention or not, as addressed', async () => {
    const { handle, seen, addressed } = runtimeWith('bot');
    await handle(messageEvent('mention stripped by the platform', { chat: group, addressed: false }));
    await handle(messageEvent('for me', { chat: group, addressed: true }));
    await handle(messageEvent('private', { addressed: false }));
    expect(seen).to.deep.equal(['mention stripped by the platform', 'for me', 'private']);
    expect(addressed).to.deep.equal([true, true, false]);
    const asked = runtimeWith('bot', 'addressed');
    await asked.handle(messageEvent('no mention', { chat: group, addressed: false }));
    expect(asked.seen, 'groupMessages cannot filter what the platform already filtered').to.deep.equal(['no mention']);
  });

  it('answers the docs\' own ONIMBOTV2MESSAGEADD example: a group message (chat5) with no visible mention', async () => {
    // chat-bots-v2/imbot.v2/events/events.md#onimbotv2messageadd, bot type `bot`, text "Hello bot!".
    const data = fixture('ONIMBOTV2MESSAGEADD.json') as Record<string, unknown>;
    const decoded = decodeEvent(toWire(webhookBody('ONIMBOTV2MESSAGEADD', data)));
    if (decoded.kind !== 'bot') throw new Error('expected a bot event');
    const event = decoded.events[0] as MessageEvent;
    expect(event.chat.kind).to.equal('group');
    const { handle, seen, addressed } = runtimeWith('bot', undefined, event.bot.code);
    await handle(event);
    expect(seen).to.deep.equal(['Hello bot!']);
    expect(addressed).to.deep.equal([true]);
  });

  it('a supervisor sees everything by default; with groupMessages: addressed only mentions and commands', async () => {
    for (const rt of [runtimeWith('supervisor'), runtimeWith('bot', 'all')]) {
      await rt.handle(messageEvent('not for me', { chat: group, addressed: false }));
      expect(rt.seen).to.deep.equal(['not for me']);
    }
    const filtered = runtimeWith('supervisor', 'addressed');
    await filtered.handle(messageEvent('chatter', { chat: group, addressed: false }));
    await filtered.handle(messageEvent('for me', { chat: group, addressed: true }));
    expect(filtered.seen).to.deep.equal(['for me']);
  });

  it('ignores events for a bot code with no module', async () => {
    const { handle, seen } = runtimeWith('bot');
    await handle(messageEvent('x', { bot: { id: 9, code: 'gone' } }));
    expect(seen).to.deep.equal([]);
  });
});

describe('router/runtime idempotency keys (v2 templateId)', () => {
  // The platform keeps a templateId only if it passes im module Message\Uuid::validate (lowercase UUIDv4).
  const PLATFORM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  it('derives a lowercase UUIDv4 from every seed, deterministically and without collisions', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => stableUuid(`event-${i}#0`));
    expect(keys.filter((k) => !PLATFORM_UUID.test(k))).to.deep.equal([]);
    expect(new Set(keys).size).to.equal(keys.length);
    expect(stableUuid('event-1#0')).to.equal(keys[1]);
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
