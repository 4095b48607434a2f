import { expect } from 'chai';
import type { MockAgent } from 'undici';
import { BotkitError } from '../../src/errors.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { Store, TokenUpdate } from '../../src/store/types.js';
import { overriding } from '../helpers/override.js';
import { createLogger } from '../../src/log.js';
import { createRestClient, type RestClient } from '../../src/rest/client.js';
import { HOSTS, mockAgent, OAUTH, OAUTH_ORIGIN, ok, oauthPortal, ORIGIN, rejection, sent } from './helpers.js';

// Source: docs settings/oauth/auto-renewal.md (store the new refresh_token, never use the old one; immediate revocation is
// UNCONFIRMED, so assumed) and b24jssdk issue #182
// (concurrent refreshes trip refresh-token rotation), as b24-api-facts.md §1.4 reads them; the emulator's
// TokenStore refuses a used refresh token with invalid_grant.
// Refresh tokens are single-use: once the OAuth server answered a refresh with a new pair, the old refresh token is
// refused (invalid_grant). A store write that fails after the exchange must not lose the new pair.
const expired = { error: 'expired_token', error_description: 'The access token provided has expired.' };
const unavailable = (): BotkitError => new BotkitError('STORE_UNAVAILABLE', 'The database cannot be reached');

/** A memory store whose `updateTokens` throws STORE_UNAVAILABLE while `down()` says so (and counts every try). */
function flakyStore(down: (attempt: number) => boolean): { store: Store; writes: TokenUpdate[]; marks: string[] } {
  const writes: TokenUpdate[] = [];
  const marks: string[] = [];
  const base = overriding(createMemoryStore(), 'setPortalStatus', (set) => async (m, status) => {
    marks.push(status);
    return set(m, status);
  });
  const store = overriding(base, 'updateTokens', (update) => async (m, tokens, expected) => {
    writes.push(tokens);
    if (down(writes.length)) throw unavailable();
    return update(m, tokens, expected);
  });
  return { store, writes, marks };
}

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('rest client OAuth refresh while the store fails (MockAgent)', () => {
  let agent: MockAgent;
  let client: RestClient | null = null;
  beforeEach(() => {
    agent = mockAgent();
  });
  afterEach(async () => {
    await client?.close();
    client = null;
    await agent.close();
  });

  /** The portal accepts only `valid()`; the OAuth server rotates refresh-N → access/refresh-(N+1) once each and refuses reuse. */
  function platform(valid: () => string): Set<string> {
    agent.get(ORIGIN).intercept({ path: '/rest/profile', method: 'POST' }).reply(({ body }) => {
      const auth = (JSON.parse(String(body)) as { auth?: string }).auth;
      return auth === valid() ? { statusCode: 200, data: ok({ ID: 1 }) } : { statusCode: 401, data: expired };
    }).persist();
    const used = new Set<string>();
    const revoked = new Set<string>();
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply<Record<string, unknown>>(({ body }) => {
      const token = new URLSearchParams(String(body)).get('refresh_token') ?? '';
      if (used.has(token) || revoked.has(token)) return { statusCode: 400, data: { error: 'invalid_grant', error_description: 'already used' } };
      used.add(token);
      const n = Number(token.split('-')[1]) + 1;
      return { statusCode: 200, data: { access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 3600 } };
    }).persist();
    return revoked;
  }
  const refreshes = (): string[] => sent(agent).filter((r) => r.path === '/oauth/token/').map((r) => new URLSearchParams(r.body).get('refresh_token') ?? '');
  const auths = (): unknown[] => sent(agent).filter((r) => r.path === '/rest/profile').map((r) => r.json?.['auth']);

  async function start(down: (attempt: number) => boolean): Promise<ReturnType<typeof flakyStore>> {
    const flaky = flakyStore(down);
    await flaky.store.savePortal(oauthPortal());
    client = createRestClient({
      store: flaky.store, oauth: OAUTH, rateLimit: { rate: 1000, burst: 100 }, portalHosts: HOSTS, log: createLogger({ silent: true }),
      dispatcher: agent, retry: { baseDelayMs: 1, maxDelayMs: 5 }, portalCacheMs: 0, tokenWriteBackoff: { baseMs: 5, maxMs: 20 },
    });
    return flaky;
  }

  it('keeps a rotated pair the store refused 3 times, uses it, stores it, and never refreshes again or marks the portal', async () => {
    platform(() => 'access-2');
    const { store, writes, marks } = await start((n) => n <= 3);
    expect(await client!.call('m1', 'profile')).to.deep.equal({ ID: 1 });
    expect(await client!.call('m1', 'profile')).to.deep.equal({ ID: 1 });
    await until(async () => (await store.getPortal('m1'))?.refreshToken === 'refresh-2');
    expect(await store.getPortal('m1')).to.include({ accessToken: 'access-2', refreshToken: 'refresh-2', status: 'active' });
    expect(writes.map((w) => w.refreshToken)).to.deep.equal(['refresh-2', 'refresh-2', 'refresh-2', 'refresh-2']);
    expect(await client!.call('m1', 'profile')).to.deep.equal({ ID: 1 });
    expect(refreshes()).to.deep.equal(['refresh-1']);
    expect(auths()).to.deep.equal(['access-1', 'access-2', 'access-2', 'access-2']);
    expect(marks).to.deep.equal([]);
  });

  it('refreshes a pending pair with its own refresh token and stores the newest pair once the store is back', async () => {
    let valid = 'access-2';
    let storeDown = true;
    platform(() => valid);
    const { store, marks } = await start(() => storeDown);
    await client!.call('m1', 'profile');
    valid = 'access-3'; // the pending access token expires before the store is back
    expect(await client!.call('m1', 'profile')).to.deep.equal({ ID: 1 });
    expect(refreshes()).to.deep.equal(['refresh-1', 'refresh-2']);
    expect(await store.getPortal('m1')).to.include({ refreshToken: 'refresh-1' });
    storeDown = false;
    await until(async () => (await store.getPortal('m1'))?.refreshToken === 'refresh-3');
    expect(await store.getPortal('m1')).to.include({ accessToken: 'access-3', status: 'active' });
    expect(auths().at(-1)).to.equal('access-3');
    expect(marks).to.deep.equal([]);
  });

  it('does not mark the portal reinstall_required on invalid_grant while a refreshed pair waits to be stored', async () => {
    let valid = 'access-2';
    const revoked = platform(() => valid);
    const { store, marks } = await start(() => true);
    await client!.call('m1', 'profile');
    // The pending refresh token is refused too (revoked meanwhile): an auth failure, the portal stays active.
    revoked.add('refresh-2');
    valid = 'nothing';
    const err = await rejection(client!.call('m1', 'profile'));
    expect(err).to.include({ code: 'B24_AUTH_FAILED', apiCode: 'invalid_grant' });
    expect(marks).to.deep.equal([]);
    expect((await store.getPortal('m1'))?.status).to.equal('active');
  });
});
