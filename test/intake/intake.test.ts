import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createFetchedIntake } from '../../src/intake/fetched.js';
import { createLogger } from '../../src/log.js';
import type { BotEvent } from '../../src/protocol/events.js';
import type { PortalRecord } from '../../src/store/types.js';
import { webhookPortalRecord } from '../helpers/common.js';
import { fetchItem, fixture } from '../protocol/event-fixtures.js';
import { dispatchRig } from './dispatch-rig.js';

const portal: PortalRecord = webhookPortalRecord({ clientEndpoint: 'https://acme.bitrix24.com/rest/1/x/' });

describe('intake/fetched: acceptFetched', () => {
  it('skips a malformed item with a warning and accepts the rest, each once', async () => {
    const lines: string[] = [];
    const log = createLogger({ stream: new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }) });
    const handled: BotEvent[] = [];
    const { d: dispatcher, queue } = dispatchRig({ concurrency: 2, log, handle: async (e) => void handled.push(e) });
    const intake = createFetchedIntake({ queue, log, clock: Date.now });
    const good = fetchItem('ONIMBOTV2MESSAGEADD', fixture('ONIMBOTV2MESSAGEADD.json'), 1001);
    const bad = { eventId: 1002, type: 'ONIMBOTV2MESSAGEADD', date: 'x', data: { bot: 'not an object' } };
    expect(await intake.acceptFetched(portal, [bad, good, good])).to.equal(1);
    await dispatcher.idle();
    expect(handled.map((e) => [e.type, e.memberId, e.eventId])).to.deep.equal([['message', portal.memberId, 1001]]);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).to.include('fetched event skipped: malformed');
    expect(await intake.acceptFetched(portal, [good])).to.equal(0);
  });
});
