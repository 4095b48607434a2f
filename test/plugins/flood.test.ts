import { expect } from 'chai';
import { floodGuard } from '../../src/plugins/flood.js';
import { defineBot } from '../../src/router/bot.js';
import { calm } from '../../examples/flood/index.js';
import { baseEvent, botDeleteEvent, joinEvent, messageEvent } from '../helpers/events.js';
import { runtimeRig } from '../helpers/runtime.js';

const user = (id: number) => ({ user: { ...baseEvent().user, id } });

describe('plugins/flood', () => {
  it('the shipped bot lets 3 messages per 10 s through, warns once, and resets with the window (fake clock)', async () => {
    let now = 1_000_000;
    // The guard reads Date.now by default; the shipped bot takes the default, so drive the clock through a bot of our own with the same options.
    const bot = defineBot({ code: 'calm', properties: { name: 'Calm' } })
      .use(floodGuard({ limit: 3, windowMs: 10_000, clock: () => now, onLimit: (ctx, ms) => ctx.reply(`wait ${ms}`) }))
      .text(null, (ctx) => ctx.reply(`got ${ctx.text}`));
    const rig = runtimeRig([bot]);
    const at = { bot: { id: 9, code: 'calm' } };
    for (const t of ['1', '2', '3', '4', '5']) await rig.handle(messageEvent(t, at));
    expect(rig.take()).to.deep.equal(['got 1', 'got 2', 'got 3', 'wait 10000']);
    await rig.handle(messageEvent('other', { ...at, ...user(2) }));
    expect(rig.take()).to.deep.equal(['got other']);
    now += 9_999;
    await rig.handle(messageEvent('6', at));
    expect(rig.take()).to.deep.equal([]);
    now += 1;
    await rig.handle(messageEvent('7', at));
    expect(rig.take()).to.deep.equal(['got 7']);
  });

  it('the shipped example guards its bot', async () => {
    const rig = runtimeRig([calm]);
    const at = { bot: { id: 9, code: 'calm' } };
    for (const t of ['a', 'b', 'c', 'd', 'e']) await rig.handle(messageEvent(t, at));
    const texts = rig.take();
    expect(texts.slice(0, 3)).to.deep.equal(['Got: a', 'Got: b', 'Got: c']);
    expect(texts).to.have.length(4);
    expect(texts[3]).to.match(/^Slow down: try again in (9|10) s\.$/);
  });

  it('counts only the configured event types and never bot_delete by default', async () => {
    const seen: string[] = [];
    const guarded = (types?: readonly string[]) => defineBot({ code: 'calm', properties: { name: 'Calm' } })
      .use(floodGuard({ limit: 1, clock: () => 0, ...(types ? { types } : {}) }))
      .use((ctx) => void seen.push(ctx.event.type));
    const at = { bot: { id: 9, code: 'calm' } };
    const rig = runtimeRig([guarded()]);
    await rig.handle(joinEvent(at));
    await rig.handle(botDeleteEvent(at));
    await rig.handle(messageEvent('x', at));
    expect(seen).to.deep.equal(['join', 'bot_delete']);
    seen.length = 0;
    const onlyMessages = runtimeRig([guarded(['message'])]);
    await onlyMessages.handle(joinEvent(at));
    await onlyMessages.handle(joinEvent(at));
    await onlyMessages.handle(messageEvent('x', at));
    await onlyMessages.handle(messageEvent('y', at));
    expect(seen).to.deep.equal(['join', 'join', 'message']);
  });

  it('forgets the oldest window beyond maxKeys (bounded memory)', async () => {
    const seen: number[] = [];
    const bot = defineBot({ code: 'calm', properties: { name: 'Calm' } })
      .use(floodGuard({ limit: 1, maxKeys: 2, clock: () => 0 }))
      .use((ctx) => void seen.push(ctx.user.id));
    const rig = runtimeRig([bot]);
    const at = { bot: { id: 9, code: 'calm' } };
    for (const id of [1, 2, 3, 1, 3]) await rig.handle(messageEvent('x', { ...at, ...user(id) }));
    // 3 evicted user 1's window, so user 1 passes again; user 3 is still limited.
    expect(seen).to.deep.equal([1, 2, 3, 1]);
  });
});
