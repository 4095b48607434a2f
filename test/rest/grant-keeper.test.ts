import { expect } from 'chai';
import { Writable } from 'node:stream';
import { BotkitError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { TokenRefresher, type RefreshLock } from '../../src/rest/auth.js';
import { DEFAULT_PERSIST_BACKOFF, GrantKeeper } from '../../src/rest/grant-keeper.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import { overriding } from '../helpers/override.js';
import { mockAgent, OAUTH, OAUTH_ORIGIN, oauthPortal } from './helpers.js';

const pair = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresAt: n });
const unavailable = (): BotkitError => new BotkitError('STORE_UNAVAILABLE', 'The database cannot be reached');

function logLines(): { log: ReturnType<typeof createLogger>; msgs: string[] } {
  const msgs: string[] = [];
  const log = createLogger({ level: 'debug', stream: new Writable({ write(c, _e, cb) { msgs.push(String((JSON.parse(String(c)) as { msg: unknown }).msg)); cb(); } }) });
  return { log, msgs };
}

/** A memory store holding portal m1 (refresh-1) whose `updateTokens` runs `hook` first (it may throw). */
async function storeWith(hook: (attempt: number, real: Store) => Promise<void>): Promise<Store> {
  const real = createMemoryStore();
  await real.savePortal(oauthPortal());
  let attempt = 0;
  return overriding(real, 'updateTokens', (update) => async (m, t, expected) => {
    await hook(++attempt, real);
    return update(m, t, expected);
  });
}

describe('GrantKeeper: a refreshed pair survives failed store writes', () => {
  it('serves the pending pair while the store holds the pair it replaced, and the stored one after', async () => {
    const store = await storeWith(async (n) => { if (n === 1) throw unavailable(); });
    const keeper = new GrantKeeper({ store, log: createLogger({ silent: true }), backoff: { baseMs: 1, maxMs: 2 } });
    expect(await keeper.write('m1', pair(2), 'refresh-1')).to.equal('kept');
    const stored = (await store.getPortal('m1'))!;
    expect(keeper.overlay(stored)).to.include({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: 2 });
    expect(keeper.overlay(oauthPortal({ memberId: 'm2' }))).to.include({ accessToken: 'access-1' });
    expect([keeper.has('m1'), keeper.accessToken('m1'), keeper.accessToken('m2')]).to.deep.equal([true, 'access-2', null]);
    await keeper.settle('m1');
    expect(await store.getPortal('m1')).to.include({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    expect([keeper.has('m1'), keeper.accessToken('m1')]).to.deep.equal([false, null]);
  });

  it('serves the stored pair, not the pending one, once the store holds a pair other than the one replaced', async () => {
    const store = await storeWith(async () => { throw unavailable(); });
    const keeper = new GrantKeeper({ store, log: createLogger({ silent: true }), backoff: { baseMs: 10_000, maxMs: 10_000 } });
    expect(await keeper.write('m1', pair(2), 'refresh-1')).to.equal('kept');
    const reinstalled = oauthPortal({ accessToken: 'access-9', refreshToken: 'refresh-9' });
    expect(keeper.overlay(reinstalled)).to.include({ accessToken: 'access-9', refreshToken: 'refresh-9' });
    keeper.close();
  });

  it('settles a second outage of the same portal as the first (one loop at a time, not one ever)', async () => {
    const store = await storeWith(async (n) => { if (n === 1 || n === 3) throw unavailable(); });
    const keeper = new GrantKeeper({ store, log: createLogger({ silent: true }), backoff: { baseMs: 1, maxMs: 2 } });
    expect(await keeper.write('m1', pair(2), 'refresh-1')).to.equal('kept');
    await keeper.settle('m1');
    expect(await keeper.write('m1', pair(3), 'refresh-2')).to.equal('kept');
    await keeper.settle('m1');
    expect(await store.getPortal('m1')).to.include({ refreshToken: 'refresh-3' });
  });

  it('drops a pending pair whose portal was deleted meanwhile (uninstalled), and settles', async () => {
    let real: Store | null = null;
    const store = await storeWith(async (n, r) => {
      real = r;
      if (n === 1) throw unavailable();
    });
    const keeper = new GrantKeeper({ store, log: createLogger({ silent: true }), backoff: { baseMs: 1, maxMs: 2 } });
    expect(await keeper.write('m1', pair(2), 'refresh-1')).to.equal('kept');
    await real!.deletePortal('m1');
    await keeper.settle('m1');
    expect(keeper.has('m1')).to.equal(false);
  });

  it('counts a write that committed but reported a failure as stored (the retry finds its own pair)', async () => {
    const { log, msgs } = logLines();
    const real = createMemoryStore();
    await real.savePortal(oauthPortal());
    let calls = 0;
    const store = overriding(real, 'updateTokens', (update) => async (m, t, expected) => {
      const done = await update(m, t, expected);
      if (++calls === 1) throw unavailable(); // the connection dropped after the commit
      return done;
    });
    const keeper = new GrantKeeper({ store, log, backoff: { baseMs: 1, maxMs: 2 } });
    expect(await keeper.write('m1', pair(2), 'refresh-1')).to.equal('kept');
    await keeper.settle('m1');
    expect(keeper.has('m1')).to.equal(false);
    expect(msgs).to.deep.equal([
      'refreshed oauth tokens could not be stored: kept in memory, written again until stored', 'oauth tokens refreshed (stored after failed writes)',
    ]);
  });

  it('drops the pending pair for one another writer stored meanwhile (the stored pair wins)', async () => {
    const { log, msgs } = logLines();
    const store = await storeWith(async (n, real) => {
      if (n === 1) throw unavailable();
      if (n === 2) await real.updateTokens('m1', pair(9), 'refresh-1'); // e.g. a reinstall's pair
    });
    const keeper = new GrantKeeper({ store, log, backoff: { baseMs: 1, maxMs: 2 } });
    await keeper.write('m1', pair(2), 'refresh-1');
    await keeper.settle('m1');
    expect(keeper.overlay((await store.getPortal('m1'))!)).to.include({ refreshToken: 'refresh-9' });
    expect(keeper.has('m1')).to.equal(false);
    expect(msgs.at(-1)).to.equal('oauth refresh lost a race: another writer rotated the tokens first');
  });

  it('writes a newer pair that arrived during a write next, expecting the pair just stored', async () => {
    let keeper: GrantKeeper | null = null;
    const store = await storeWith(async (n) => {
      if (n === 1) throw unavailable();
      // While the retry of pair 2 is in flight, pair 2 is refreshed to pair 3.
      if (n === 2) expect(await keeper!.write('m1', pair(3), 'refresh-1')).to.equal('kept');
    });
    keeper = new GrantKeeper({ store, log: createLogger({ silent: true }), backoff: { baseMs: 1, maxMs: 2 } });
    await keeper.write('m1', pair(2), 'refresh-1');
    await keeper.settle('m1');
    expect(await store.getPortal('m1')).to.include({ refreshToken: 'refresh-3' });
    expect(keeper.has('m1')).to.equal(false);
  });

  it('doubles the wait between writes up to maxMs, and close() ends the wait with one last write', async () => {
    const at: number[] = [];
    let down = true;
    const store = await storeWith(async () => {
      at.push(Date.now());
      if (down) throw unavailable();
    });
    const keeper = new GrantKeeper({ store, log: createLogger({ silent: true }), backoff: { baseMs: 20, maxMs: 40, jitter: { min: 1, max: 1 } } });
    await keeper.write('m1', pair(2), 'refresh-1');
    const settled = keeper.settle('m1');
    await keeper.settle('m1'); // a second loop for the same portal returns at once
    for (let i = 0; i < 200 && at.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    const [g1 = 0, g2 = 0, g3 = 0] = at.slice(1).map((t, i) => t - (at[i] ?? t));
    // Lower bounds only: a loaded machine delays timers, never fires them (much) early. The steps and their cap
    // are the shared backoffDelay's (test/rest/retry-decisions.test.ts); the keeper counts its failures into it.
    expect([g1 >= 19, g2 >= 39, g3 >= 39], `gaps ${g1} ${g2} ${g3}`).to.deep.equal([true, true, true]);
    expect(DEFAULT_PERSIST_BACKOFF).to.deep.equal({ baseMs: 250, maxMs: 10_000 });
    down = false;
    keeper.close();
    await settled;
    expect(await store.getPortal('m1')).to.include({ refreshToken: 'refresh-2' });
  });

  it('gives a pending pair up only after close() and a last failed write, and says so', async () => {
    const { log, msgs } = logLines();
    const store = await storeWith(async () => { throw unavailable(); });
    const keeper = new GrantKeeper({ store, log, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await keeper.write('m1', pair(2), 'refresh-1');
    const settled = keeper.settle('m1');
    keeper.close();
    await settled;
    expect(keeper.has('m1')).to.equal(false);
    expect(msgs.at(-1)).to.equal('refreshed oauth tokens were never stored (closed): the portal may need a reinstall');
  });
});

describe('TokenRefresher with a failing store write', () => {
  it('lets callers go once the pair is in memory, holds the refresh lock until it is stored, and sends no refresh meanwhile', async () => {
    const agent = mockAgent();
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(200, { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 60 });
    let down = true;
    const store = await storeWith(async () => { if (down) throw unavailable(); });
    const events: string[] = [];
    const lock: RefreshLock = { run: async (_m, fn) => { events.push('lock'); try { return await fn(); } finally { events.push('unlock'); } } };
    const refresher = new TokenRefresher({
      store, lock, oauth: OAUTH, transport: { dispatcher: agent, headersMs: 5000, bodyMs: 5000 }, log: createLogger({ silent: true }), clock: () => 0, persistBackoff: { baseMs: 5, maxMs: 5 },
    });
    await refresher.refresh('m1', 'access-1');
    events.push('resolved');
    expect(refresher.current((await store.getPortal('m1'))!)).to.include({ accessToken: 'access-2' });
    await refresher.refresh('m1', 'access-1'); // a stale caller: nothing to do, no lock
    await new Promise((r) => setTimeout(r, 30));
    expect(events).to.deep.equal(['lock', 'resolved']);
    down = false;
    for (let i = 0; i < 100 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    expect(events).to.deep.equal(['lock', 'resolved', 'unlock']);
    expect(await store.getPortal('m1')).to.include({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await agent.close();
  });

  it('without a persistBackoff, writes again after the default wait (250 ms)', async () => {
    const agent = mockAgent();
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(200, { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 60 });
    const store = await storeWith(async (n) => { if (n === 1) throw unavailable(); });
    const refresher = new TokenRefresher({ store, oauth: OAUTH, transport: { dispatcher: agent, headersMs: 5000, bodyMs: 5000 }, log: createLogger({ silent: true }), clock: () => 0 });
    await refresher.refresh('m1', 'access-1');
    for (let i = 0; i < 200 && (await store.getPortal('m1'))?.refreshToken !== 'refresh-2'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await store.getPortal('m1')).to.include({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await agent.close();
  });

  it('close() ends the wait between writes: the pending pair gets its last write at once', async () => {
    const agent = mockAgent();
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(200, { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 60 });
    const store = await storeWith(async (n) => { if (n === 1) throw unavailable(); });
    const refresher = new TokenRefresher({
      store, oauth: OAUTH, transport: { dispatcher: agent, headersMs: 5000, bodyMs: 5000 }, log: createLogger({ silent: true }), clock: () => 0, persistBackoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    await refresher.refresh('m1', 'access-1');
    expect(await store.getPortal('m1')).to.include({ refreshToken: 'refresh-1' });
    refresher.close();
    for (let i = 0; i < 100 && (await store.getPortal('m1'))?.refreshToken !== 'refresh-2'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await store.getPortal('m1')).to.include({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await agent.close();
  });
});
