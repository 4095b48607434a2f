import { expect } from 'chai';
import type { MockAgent } from 'undici';
import { mockAgent, OAUTH_ORIGIN, ok, oauthPortal, ORIGIN, rejection, rig, sent } from './helpers.js';

const expired = { error: 'expired_token', error_description: 'The access token provided has expired.' };
const tokenAnswer = { access_token: 'access-2', refresh_token: 'refresh-2', expires: 2_000_000_000, expires_in: 3600, member_id: 'm1' };

/** A portal that answers 401 to `access-1` and 200 to `access-2`. */
function portalChecksToken(agent: MockAgent, method: string): void {
  agent.get(ORIGIN).intercept({ path: `/rest/${method}`, method: 'POST' }).reply(({ body }) => {
    const json = JSON.parse(String(body)) as { auth?: string; cmd?: Record<string, string> };
    if (json.auth !== 'access-2') return { statusCode: 401, data: expired };
    const result = json.cmd
      ? { result: Object.fromEntries(Object.keys(json.cmd).map((k) => [k, { ID: 1 }])), result_error: [] }
      : { ID: 1 };
    return { statusCode: 200, data: ok(result) };
  }).persist();
}

describe('rest client OAuth refresh (MockAgent)', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = mockAgent();
  });
  afterEach(async () => {
    await agent.close();
  });

  for (const batching of [true, false]) {
    it(`refreshes once for 50 concurrent calls on an expired token (batching ${batching ? 'on' : 'off'})`, async () => {
      portalChecksToken(agent, 'app.info');
      portalChecksToken(agent, 'batch');
      agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(200, tokenAnswer).persist();
      const { client, store } = await rig(agent, [oauthPortal()], { batching, rateLimit: { rate: 1000, burst: 1000 } });
      const results = await Promise.all(Array.from({ length: 50 }, () => client.call('m1', 'app.info')));
      expect(results).to.deep.equal(Array.from({ length: 50 }, () => ({ ID: 1 })));
      const paths = sent(agent).map((r) => r.path);
      expect(paths.filter((p) => p === '/rest/batch')).to.have.length(batching ? 2 : 0);
      const refreshes = sent(agent).filter((r) => r.path === '/oauth/token/');
      expect(refreshes).to.have.length(1);
      const stored = await store.getPortal('m1');
      expect(stored).to.include({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: 2_000_000_000_000 });
      await client.close();
    });
  }

  it('sends client_secret only to the OAuth URL, in a form body, and the old refresh token only once', async () => {
    portalChecksToken(agent, 'app.info');
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(200, tokenAnswer).persist();
    const { client } = await rig(agent, [oauthPortal()]);
    await client.call('m1', 'app.info');
    const calls = agent.getCallHistory()?.calls() ?? [];
    const refresh = calls.filter((c) => c.path === '/oauth/token/');
    expect(refresh).to.have.length(1);
    expect(refresh[0]?.fullUrl).to.equal(`${OAUTH_ORIGIN}/oauth/token/`);
    expect(Object.fromEntries(new URLSearchParams(String(refresh[0]?.body)))).to.deep.equal({
      grant_type: 'refresh_token', client_id: 'app.1', client_secret: 'very-secret', refresh_token: 'refresh-1',
    });
    for (const c of calls.filter((x) => x.path !== '/oauth/token/')) {
      expect(`${c.fullUrl} ${String(c.body)}`).not.to.include('very-secret');
    }
    await client.close();
  });

  it('marks the portal reinstall_required on invalid_grant and then fails fast without requests', async () => {
    portalChecksToken(agent, 'app.info');
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' })
      .reply(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }).persist();
    const { client, store } = await rig(agent, [oauthPortal()]);
    const first = await rejection(client.call('m1', 'app.info'));
    expect(first.code).to.equal('B24_REINSTALL_REQUIRED');
    expect((await store.getPortal('m1'))?.status).to.equal('reinstall_required');
    const before = sent(agent).length;
    const again = await Promise.all([1, 2, 3].map(() => rejection(client.call('m1', 'app.info'))));
    expect(again.map((e) => e.code)).to.deep.equal(['B24_REINSTALL_REQUIRED', 'B24_REINSTALL_REQUIRED', 'B24_REINSTALL_REQUIRED']);
    expect(sent(agent).length).to.equal(before);
    expect(sent(agent).filter((r) => r.path === '/oauth/token/')).to.have.length(1);
    await client.close();
  });

  it('does not refresh when another writer already rotated the tokens; it retries with the stored ones', async () => {
    portalChecksToken(agent, 'app.info');
    const { client, store } = await rig(agent, [oauthPortal()]);
    // The request goes out with access-1; meanwhile "another process" stores access-2.
    agent.get(ORIGIN).intercept({ path: '/rest/profile', method: 'POST' }).reply(() => {
      void store.updateTokens('m1', { accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: 1 }, 'refresh-1');
      return { statusCode: 401, data: expired };
    });
    agent.get(ORIGIN).intercept({ path: '/rest/profile', method: 'POST' }).reply(200, ok({ ID: 1 }));
    expect(await client.call('m1', 'profile')).to.deep.equal({ ID: 1 });
    expect(sent(agent).filter((r) => r.path === '/oauth/token/')).to.have.length(0);
    expect(sent(agent).at(-1)?.json?.['auth']).to.equal('access-2');
    await client.close();
  });

  it('gives up with B24_AUTH_FAILED when the portal still refuses the refreshed token (no loop)', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/app.info', method: 'POST' }).reply(401, expired).persist();
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(200, tokenAnswer).persist();
    const { client } = await rig(agent, [oauthPortal()]);
    expect((await rejection(client.call('m1', 'app.info'))).code).to.equal('B24_AUTH_FAILED');
    expect(sent(agent).map((r) => r.path)).to.deep.equal(['/rest/app.info', '/oauth/token/', '/rest/app.info']);
    await client.close();
  });

  it('fails a webhook portal on 401 NO_AUTH_FOUND without trying to refresh', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/1/hookcode/app.info', method: 'POST' }).reply(401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    const { client } = await rig(agent, [oauthPortal({ memberId: 'w', authMode: 'webhook', clientEndpoint: `${ORIGIN}/rest/1/hookcode/` })]);
    expect((await rejection(client.call('w', 'app.info'))).code).to.equal('B24_AUTH_FAILED');
    expect(sent(agent)).to.have.length(1);
    await client.close();
  });
});

// The guards that keep a rotated refresh token from being lost when two writers race (another process, or
// a refresh that took long). Each test fails if its guard is removed.
describe('rest client OAuth refresh races (MockAgent)', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = mockAgent();
  });
  afterEach(async () => {
    await agent.close();
  });

  /** A portal that accepts only `token` and answers 401 expired_token to anything else. */
  function portalAccepts(token: string): void {
    agent.get(ORIGIN).intercept({ path: '/rest/profile', method: 'POST' }).reply(({ body }) => {
      const auth = (JSON.parse(String(body)) as { auth?: string }).auth;
      return auth === token ? { statusCode: 200, data: ok({ ID: 1 }) } : { statusCode: 401, data: expired };
    }).persist();
  }

  it('keeps the pair another writer stored during our exchange (compare-and-swap), and uses it', async () => {
    portalAccepts('access-x');
    const { client, store } = await rig(agent, [oauthPortal()]);
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(() => {
      void store.updateTokens('m1', { accessToken: 'access-x', refreshToken: 'refresh-x', expiresAt: 1 }, 'refresh-1');
      return { statusCode: 200, data: tokenAnswer };
    });
    expect(await client.call('m1', 'profile')).to.deep.equal({ ID: 1 });
    expect(await store.getPortal('m1')).to.include({ accessToken: 'access-x', refreshToken: 'refresh-x' });
    expect(sent(agent).at(-1)?.json?.['auth']).to.equal('access-x');
    await client.close();
  });

  it('does not mark the portal reinstall_required when its refresh token was rotated by another writer meanwhile', async () => {
    portalAccepts('access-x');
    const { client, store } = await rig(agent, [oauthPortal()]);
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(() => {
      void store.updateTokens('m1', { accessToken: 'access-x', refreshToken: 'refresh-x', expiresAt: 1 }, 'refresh-1');
      return { statusCode: 400, data: { error: 'invalid_grant', error_description: 'already used' } };
    });
    expect(await client.call('m1', 'profile')).to.deep.equal({ ID: 1 });
    expect((await store.getPortal('m1'))?.status).to.equal('active');
    await client.close();
  });
});
