import { expect } from 'chai';
import { createRedisRefreshLock } from '../../src/cluster/refresh-lock.js';
import { startEmulator, type Emulator } from '@b24-botkit/emulator';
import { createLogger } from '../../src/log.js';
import { createRestClient, type RestClient } from '../../src/rest/client.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import { LOOPBACK, oauthRecord } from '../rest/emu-rig.js';
import { requireServices, testPrefix, type TestPrefix } from './services.js';

const log = createLogger({ silent: true });

// The platform rotates refresh tokens: the old one is refused after use (facts §1.4, settings/oauth/auto-renewal.md).
describe('single-flight token refresh across instances (Redis lock)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let p: TestPrefix;
  let store: Store;
  let clients: RestClient[] = [];
  let botId = 0;
  before(requireServices);
  beforeEach(async () => {
    emu = await startEmulator({ log, rateLimit: null });
    p = testPrefix();
    store = createMemoryStore(); // stands for the shared database
    await store.savePortal(oauthRecord(emu.portal));
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    await emu.close();
    await p.cleanup();
  });

  async function instances(withLock: boolean): Promise<RestClient[]> {
    clients = [0, 1, 2].map(() => createRestClient({
      store, oauth: { clientId: emu.clientId, clientSecret: emu.clientSecret, oauthUrl: emu.oauthUrl }, rateLimit: { rate: 1000, burst: 1000 },
      portalHosts: LOOPBACK, log, retry: { baseDelayMs: 5, maxDelayMs: 50 },
      ...(withLock ? { refreshLock: createRedisRefreshLock({ link: p.link(), log }) } : {}),
    }));
    const reg = await clients[0]!.call<{ bot: { id: number } }>(emu.portal.memberId, 'imbot.v2.Bot.register', { fields: { code: 'r', properties: { name: 'R' } } });
    botId = reg.bot.id;
    return clients;
  }
  const send = (c: RestClient, i: number): Promise<unknown> =>
    c.call(emu.portal.memberId, 'imbot.v2.Chat.Message.send', { botId, dialogId: '1', fields: { message: `m${i}` } });

  it('30 concurrent calls on an expired token over 3 instances → exactly one refresh request, all delivered', async () => {
    const cs = await instances(true);
    emu.portal.expireAccessTokens();
    const before = emu.portal.counters().oauthRefreshes;
    await Promise.all(Array.from({ length: 30 }, (_, i) => send(cs[i % 3]!, i)));
    expect(emu.portal.counters().oauthRefreshes - before).to.equal(1);
    expect(emu.portal.counters().oauthErrors).to.equal(0);
    expect(emu.portal.messages()).to.have.length(30);
    expect((await store.getPortal(emu.portal.memberId))?.status).to.equal('active');
  });

  it('without the lock the same load refreshes more than once (the test can fail)', async () => {
    const cs = await instances(false);
    emu.portal.expireAccessTokens();
    const before = emu.portal.counters().oauthRefreshes + emu.portal.counters().oauthErrors;
    await Promise.allSettled(Array.from({ length: 30 }, (_, i) => send(cs[i % 3]!, i)));
    expect(emu.portal.counters().oauthRefreshes + emu.portal.counters().oauthErrors - before).to.be.above(1);
  });

  it('12 calls 60 ms apart during an 800 ms refresh → exactly one refresh; the rotated token is never sent again', async () => {
    const cs = await instances(true);
    emu.faults.add({ method: 'oauth.token', kind: 'slow', delayMs: 800, times: 1 });
    emu.portal.expireAccessTokens();
    const before = emu.portal.counters();
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 12; i++) {
      calls.push(send(cs[i % 3]!, i));
      await new Promise((r) => setTimeout(r, 60));
    }
    await Promise.all(calls);
    const after = emu.portal.counters();
    expect(after.oauthRefreshes - before.oauthRefreshes).to.equal(1);
    // an old refresh token sent again would be answered invalid_grant
    expect(after.oauthErrors - before.oauthErrors).to.equal(0);
    expect(emu.portal.requests().filter((r) => r.method === 'oauth.token')).to.have.length(1);
    expect(emu.portal.messages()).to.have.length(12);
  });
});
