import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { createOutbox } from '../../src/outbox/outbox.js';
import { defineBot } from '../../src/router/bot.js';
import { createRuntime } from '../../src/router/runtime.js';
import { messageEvent } from '../helpers/events.js';
import { emuRig, v2Send, type EmuRig } from '../rest/emu-rig.js';

// A handler re-run after a crash (its event was not yet marked handled) must not repeat calls that
// already reached the portal, including methods without a templateId (update, answer, classic sends).
describe('outbox: handler re-run after a crash', function () {
  this.timeout(20_000);
  let rig: EmuRig;
  afterEach(async () => rig.close());

  it('sends each call of the handler once, across two runs of the same event', async () => {
    rig = await emuRig();
    const sent = await rig.client.call<{ id: number }>(rig.memberId, 'imbot.v2.Chat.Message.send', v2Send(rig.botId, '1', 'original'));
    const bot = defineBot({ code: 'rig', properties: { name: 'Rig' } }).text(null, async (ctx) => {
      await ctx.update(sent.id, 'edited once');
      await ctx.react('like', sent.id);
    });
    const log = createLogger({ silent: true });
    const outbox = createOutbox({ store: rig.store, client: rig.client, log });
    outbox.start();
    const runtime = createRuntime({ store: rig.store, bots: new Map([['rig', bot]]), sink: outbox, client: rig.client, log });
    const event = messageEvent('go', { memberId: rig.memberId, bot: { id: rig.botId, code: 'rig' } });
    const count = (method: string): number => rig.emu.portal.requests().filter((r) => r.method === method).length;

    // Helpers resolve once the call is queued; wait until the outbox has nothing left.
    const settled = async (): Promise<void> => {
      while (outbox.stats().pending > 0) await new Promise((r) => setTimeout(r, 5));
    };
    await runtime.handle(event, 'event-key-1');
    await settled();
    await runtime.handle(event, 'event-key-1');
    await settled();
    expect(count('imbot.v2.Chat.Message.update')).to.equal(1);
    expect(count('imbot.v2.Chat.Message.Reaction.add')).to.equal(1);

    // A different event is new work: it updates again (and its reaction is refused as already set).
    await runtime.handle(event, 'event-key-2');
    await settled();
    expect(count('imbot.v2.Chat.Message.update')).to.equal(2);
    const [dead] = await rig.store.outboxDeadList(1);
    expect(dead?.reason).to.contain('REACTION_ALREADY_SET');
  });
});
