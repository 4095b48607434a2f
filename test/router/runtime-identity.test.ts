/**
 * The runtime answers as the bot the store knows (id and webhook token), reading the portal's bot records
 * at most once per cache window (`botCacheMs`, default 5 s, on the runtime's clock), and at once when an
 * event names a bot id the cache does not know (the bot was registered again).
 */
import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { defineBot } from '../../src/router/bot.js';
import type { ReplySink } from '../../src/router/context.js';
import { createRuntime } from '../../src/router/runtime.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { BotRecord } from '../../src/store/types.js';
import { messageEvent } from '../helpers/events.js';
import { describeFile, formatSize } from '../../src/router/file-format.js';

function rig(opts: { botCacheMs?: number } = {}) {
  let now = 1_000_000;
  const store = createMemoryStore({ clock: () => now });
  let reads = 0;
  const listBots = store.listBots.bind(store);
  store.listBots = (memberId?: string) => (reads++, listBots(memberId));
  const sent: Array<{ method: string; params: Record<string, unknown> }> = [];
  const sink: ReplySink = { enqueue: async (item) => (sent.push({ method: item.method, params: item.params }), { delivered: Promise.resolve(null) }) };
  const bot = (code: string) => defineBot({ code, properties: { name: code } }).text(null, (ctx) => ctx.reply('ok'));
  const rt = createRuntime({
    store, bots: new Map([['echo', bot('echo')], ['other', bot('other')]]), sink, log: createLogger({ silent: true }),
    client: { call: async () => { throw new Error('no REST'); } }, clock: () => now, ...opts,
  });
  const record = (code: string, botId: number, botToken: string | null): BotRecord => ({
    memberId: 'm1', code, botId, api: 'v2', eventMode: 'webhook', botToken, handlerUrl: null, registeredAt: 0,
  });
  return {
    store, sent, rt, record,
    reads: () => reads,
    advance: (ms: number) => void (now += ms),
    event: (code: string, id: number) => messageEvent('hi', { bot: { id, code } }),
  };
}

describe('router/runtime bot identity', () => {
  it('replies with the stored bot id and token, each bot its own, from one read of the portal\'s bots', async () => {
    const r = rig();
    await r.store.saveBot(r.record('other', 46, 'tok-other'));
    await r.store.saveBot(r.record('echo', 45, 'tok-echo'));
    await r.rt.handle(r.event('echo', 45));
    await r.rt.handle(r.event('other', 46));
    await r.rt.handle(r.event('echo', 45));
    expect(r.sent.map((s) => [s.params['botId'], s.params['botToken']])).to.deep.equal([[45, 'tok-echo'], [46, 'tok-other'], [45, 'tok-echo']]);
    expect(r.reads()).to.equal(1);
  });

  it('re-reads once the cache window passed on the runtime\'s clock (default 5 s)', async () => {
    const r = rig();
    await r.store.saveBot(r.record('echo', 45, 'a'));
    await r.rt.handle(r.event('echo', 45));
    r.advance(4_999);
    await r.rt.handle(r.event('echo', 45));
    expect(r.reads()).to.equal(1);
    await r.store.saveBot(r.record('echo', 45, 'b'));
    r.advance(2);
    await r.rt.handle(r.event('echo', 45));
    expect(r.reads()).to.equal(2);
    expect(r.sent.map((s) => s.params['botToken'])).to.deep.equal(['a', 'a', 'b']);
  });

  it('honours botCacheMs', async () => {
    const r = rig({ botCacheMs: 100 });
    await r.store.saveBot(r.record('echo', 45, 'a'));
    await r.rt.handle(r.event('echo', 45));
    r.advance(101);
    await r.rt.handle(r.event('echo', 45));
    expect(r.reads()).to.equal(2);
  });

  it('a bot registered again (new id) is answered with its new identity at once, not the cached one', async () => {
    const r = rig();
    await r.store.saveBot(r.record('echo', 45, 'old'));
    await r.rt.handle(r.event('echo', 45));
    await r.store.saveBot(r.record('echo', 52, 'new'));
    await r.rt.handle(r.event('echo', 52));
    expect(r.sent.map((s) => [s.params['botId'], s.params['botToken']])).to.deep.equal([[45, 'old'], [52, 'new']]);
    expect(r.reads()).to.equal(2);
  });

  it('a bot the store does not know answers with the event\'s bot id and no token', async () => {
    const r = rig();
    await r.rt.handle(r.event('echo', 77));
    expect(r.sent.map((s) => [s.params['botId'], s.params['botToken']])).to.deep.equal([[77, undefined]]);
  });
});

describe('router/file-format', () => {
  it('formats sizes in bytes, KB, MB and GB with one decimal, and unknown sizes', () => {
    expect([null, 0, 1023, 1024, 1536, 1024 * 1024 - 1, 1024 * 1024, 1.25 * 1024 ** 3, 5 * 1024 ** 4].map(formatSize)).to.deep.equal([
      'size unknown', '0 bytes', '1023 bytes', '1 KB', '1.5 KB', '1024 KB', '1 MB', '1.3 GB', '5120 GB',
    ]);
  });

  it('describes a file by name, or by id when it has none', () => {
    expect(describeFile({ id: 3, name: 'a.pdf', size: 2048 })).to.equal('a.pdf (2 KB)');
    expect(describeFile({ id: 3, name: null, size: null })).to.equal('file 3 (size unknown)');
  });
});
