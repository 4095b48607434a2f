import { expect } from 'chai';
import type { Emulator } from '../src/index.js';
import { call, emulator, manualClock, result } from './helpers.js';

interface Page {
  events: Array<{ eventId: number; type: string; date: string; data: Record<string, unknown> }>;
  nextOffset: number;
  hasMore: boolean;
}

// DOC api-reference/chat-bots/chat-bots-v2/imbot.v2/events/event-get.md: `offset` acknowledges events with smaller ids,
// `limit` 1-1000 (default 100), nextOffset/hasMore. The 24 h retention is documented for im.v2 (im.v2/events/index.md,
// "Срок хранения записанных событий — 24 часа"); that bot events share it is from the im module source (b24-v2-facts.md §8, SRC2).
describe('emulator fetch mode (imbot.v2.Event.get)', () => {
  let emu: Emulator;
  let hook: string;
  const clock = manualClock();
  const get = async (botId: number, params: Record<string, unknown> = {}): Promise<Page> =>
    result(await call(hook, 'imbot.v2.Event.get', { botId, botToken: 't', ...params })) as unknown as Page;
  const register = async (code: string): Promise<number> => {
    const res = await call(hook, 'imbot.v2.Bot.register', { fields: { code, botToken: 't', properties: { name: code } } });
    return (result(res)['bot'] as { id: number }).id;
  };

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null, clock: clock.now });
    hook = emu.portal.createWebhook();
  });
  afterEach(() => emu.close());

  it('returns events with JSON types and a full bot object; a fresh bot answers nextOffset 0', async () => {
    const botId = await register('poll');
    expect(await get(botId)).to.deep.equal({ events: [], nextOffset: 0, hasMore: false });
    const { messageId, deliveries } = await emu.portal.sendMessage({ from: 1, to: 'poll', text: 'hi' });
    expect(deliveries).to.deep.equal([{ event: 'ONIMBOTV2MESSAGEADD', botCode: 'poll', mode: 'fetch', status: null }]);
    expect(emu.portal.pendingEvents('poll')).to.equal(1);
    const page = await get(botId);
    expect(page.nextOffset).to.equal(page.events[0]!.eventId + 1);
    const [event] = page.events;
    expect(event?.type).to.equal('ONIMBOTV2MESSAGEADD');
    expect(event?.date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(event?.data['bot']).to.include({ id: botId, code: 'poll', eventMode: 'fetch', isHidden: false, countCommand: 0 });
    expect(event?.data['message']).to.include({ id: messageId, authorId: 1, text: 'hi', isSystem: false });
    expect(event?.data['user']).to.include({ id: 1, bot: false, active: true });
    expect(event?.data['chat']).to.include({ dialogId: '1', type: 'private' });
  });

  it('deletes older rows on a read with offset, keeps them without one, and computes nextOffset and hasMore', async () => {
    const botId = await register('q');
    for (const text of ['a', 'b', 'c']) await emu.portal.sendMessage({ from: 1, to: 'q', text });
    const all = await get(botId);
    const ids = all.events.map((e) => e.eventId);
    expect(ids).to.have.length(3);
    expect((await get(botId)).events.map((e) => e.eventId), 'no offset: redelivered').to.deep.equal(ids);
    const first = await get(botId, { limit: 2 });
    expect(first.hasMore).to.equal(true);
    expect(first.nextOffset).to.equal(ids[1]! + 1);
    const second = await get(botId, { offset: first.nextOffset, limit: 2 });
    expect(second.events.map((e) => e.eventId)).to.deep.equal([ids[2]]);
    expect(second.hasMore).to.equal(false);
    expect(emu.portal.pendingEvents('q'), 'rows below the offset are gone').to.equal(1);
    const empty = await get(botId, { offset: second.nextOffset });
    expect(empty).to.deep.equal({ events: [], nextOffset: second.nextOffset, hasMore: false });
    expect(emu.portal.pendingEvents('q')).to.equal(0);
    const exact = await get(botId, { offset: second.nextOffset + 50 });
    expect(exact.nextOffset, 'max(offset, last+1)').to.equal(second.nextOffset + 50);
    expect(emu.portal.counters().eventsFetched).to.equal(3 + 3 + 2 + 1);
  });

  it('numbers events from one sequence across bots, so one bot sees gaps', async () => {
    const a = await register('a');
    const b = await register('b');
    await emu.portal.sendMessage({ from: 1, to: 'a', text: '1' });
    await emu.portal.sendMessage({ from: 1, to: 'b', text: '2' });
    await emu.portal.sendMessage({ from: 1, to: 'a', text: '3' });
    const idsA = (await get(a)).events.map((e) => e.eventId);
    const idsB = (await get(b)).events.map((e) => e.eventId);
    expect(idsA[1]! - idsA[0]!).to.equal(2);
    expect(idsB[0]).to.equal(idsA[0]! + 1);
  });

  it('clamps limit to 1..1000 and drops events after 24 hours', async () => {
    const botId = await register('c');
    await emu.portal.sendMessage({ from: 1, to: 'c', text: '1' });
    await emu.portal.sendMessage({ from: 1, to: 'c', text: '2' });
    expect((await get(botId, { limit: 0 })).events).to.have.length(1);
    expect((await get(botId, { limit: 5000 })).events).to.have.length(2);
    clock.advance(24 * 3_600_000 + 1);
    expect((await get(botId)).events).to.deep.equal([]);
  });

  it('queues nothing for webhook-mode bots and refuses another owner', async () => {
    const botId = await register('d');
    await call(hook, 'imbot.v2.Bot.update', { botId, botToken: 't', fields: { eventMode: 'webhook', webhookUrl: 'http://127.0.0.1:9/none' } });
    await emu.portal.sendMessage({ from: 1, to: 'd', text: 'lost' });
    expect((await get(botId)).events).to.deep.equal([]);
    const foreign = await call(hook, 'imbot.v2.Event.get', { botId, botToken: 'x' });
    expect(foreign.body['error']).to.equal('BOT_OWNERSHIP_ERROR');
  });
});
