import { expect } from 'chai';
import type { FetchedIntake } from '../../src/intake/fetched.js';
import { HAS_MORE_PAUSE_MS, startPoller } from '../../src/intake/poller.js';
import { createLogger } from '../../src/log.js';
import type { BotRecord } from '../../src/store/types.js';
import { emuRig, type EmuRig } from '../rest/emu-rig.js';

// chat-bots-v2/index.md#polling: "Рекомендуемый интервал: 5–30 секунд при отсутствии новых событий.
// Если hasMore = true — следующий запрос с минимальной паузой в две секунды."
describe('intake/poller cadence (imbot.v2.Event.get)', function () {
  this.timeout(20_000);
  let rig: EmuRig;
  afterEach(async () => rig.close());

  // Docs api-reference/chat-bots/chat-bots-v2/index.md (polling): "Если `hasMore = true` — следующий запрос с
  // минимальной паузой в две секунды"; "Рекомендуемый интервал: 5–30 секунд" when no events.
  it('pauses 2 s after a page with events (hasMore or not), the idle interval after an empty page', async () => {
    rig = await emuRig();
    const bot: BotRecord = {
      memberId: rig.memberId, code: 'rig', botId: rig.botId, api: 'v2', eventMode: 'fetch', botToken: null, handlerUrl: null, registeredAt: 1,
    };
    const user = rig.emu.portal.users.add({ name: 'Writer' });
    for (let i = 0; i < 150; i++) await rig.emu.portal.sendMessage({ from: user, to: 'rig', text: `m${i}` });
    const pages: number[] = [];
    const intake: FetchedIntake = { acceptFetched: async (_p, items) => pages.push(items.length) };
    const pauses: number[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => { stop = resolve; });
    // The injected wait records each pause instead of sleeping; after four polls the test stops the loop.
    const poller = startPoller(bot, {
      store: rig.store, client: rig.client, intake, log: createLogger({ silent: true }), idleMs: 10_000, limit: 100,
      wait: async (ms) => {
        pauses.push(ms);
        if (pauses.length === 4) stop();
      },
    });
    await stopped;
    await poller.stop();
    expect(pages).to.deep.equal([100, 50]);
    expect(pauses.slice(0, 4)).to.deep.equal([HAS_MORE_PAUSE_MS, HAS_MORE_PAUSE_MS, 10_000, 10_000]);
    expect(HAS_MORE_PAUSE_MS).to.equal(2000);
  });
});

// chat-bots-v2/imbot.v2/events/event-get.md: BOT_NOT_FOUND once the bot is gone (unregistered or its app removed).
describe('intake/poller: a bot gone from the portal', function () {
  this.timeout(20_000);
  let rig: EmuRig;
  afterEach(async () => rig.close());
  const record = (botId: number): BotRecord => ({
    memberId: rig.memberId, code: 'rig', botId, api: 'v2', eventMode: 'fetch', botToken: null, handlerUrl: null, registeredAt: 1,
  });
  const runUntilGone = async (bot: BotRecord): Promise<void> => {
    const poller = startPoller(bot, {
      store: rig.store, client: rig.client, intake: { acceptFetched: async () => 0 }, log: createLogger({ silent: true }), idleMs: 10_000,
      wait: async () => undefined,
    });
    await poller.done;
  };

  it('forgets the bot and stops polling', async () => {
    rig = await emuRig();
    const gone = 999_999;
    await rig.store.saveBot(record(gone));
    await runUntilGone(record(gone));
    expect(await rig.store.listBots(rig.memberId)).to.deep.equal([]);
  });

  it('keeps the record of the same code registered again under a new id meanwhile', async () => {
    rig = await emuRig();
    await rig.store.saveBot(record(rig.botId));
    await runUntilGone(record(999_999));
    expect((await rig.store.listBots(rig.memberId)).map((b) => b.botId)).to.deep.equal([rig.botId]);
  });
});
