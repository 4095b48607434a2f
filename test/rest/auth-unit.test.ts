import { expect } from 'chai';
import type { MockAgent } from 'undici';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { TokenRefresher, assertAllowedUrl, assertMethodName, exchangeRefreshToken, targetFor } from '../../src/rest/auth.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { parseHostPatterns } from '../../src/http/host-allowlist.js';
import { rejection, webhookPortalRecord } from '../helpers/common.js';
import { mockAgent, OAUTH, OAUTH_ORIGIN, oauthPortal, ORIGIN, sent } from './helpers.js';

const NOW = 1_700_000_000_000;

describe('rest/auth units (MockAgent)', () => {
  let agent: MockAgent;
  const transport = () => ({ dispatcher: agent, headersMs: 5000, bodyMs: 5000 });
  const answer = (status: number, json: Record<string, unknown>) =>
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(status, json);
  beforeEach(() => {
    agent = mockAgent();
  });
  afterEach(async () => agent.close());

  it('reads a grant: tokens, expiry from `expires` or `expires_in` (default 1 h), member and endpoint when present', async () => {
    answer(200, { access_token: 'a', refresh_token: 'r', expires: 1_800_000_000, expires_in: 10, member_id: 'm9', client_endpoint: 'https://x/rest/' });
    expect(await exchangeRefreshToken(transport(), OAUTH, 'r0', NOW)).to.deep.equal({
      accessToken: 'a', refreshToken: 'r', expiresAt: 1_800_000_000_000, memberId: 'm9', clientEndpoint: 'https://x/rest/',
    });
    answer(200, { access_token: 'a', refresh_token: 'r', expires: 0, expires_in: 10, member_id: '', client_endpoint: 5 });
    expect(await exchangeRefreshToken(transport(), OAUTH, 'r0', NOW)).to.include({ expiresAt: NOW + 10_000, memberId: null, clientEndpoint: null });
    answer(200, { access_token: 'a', refresh_token: 'r', expires: 'soon', expires_in: -5 });
    expect((await exchangeRefreshToken(transport(), OAUTH, 'r0', NOW)).expiresAt).to.equal(NOW + 3_600_000);
    answer(200, { access_token: 'a', refresh_token: 'r', expires_in: 0 });
    expect((await exchangeRefreshToken(transport(), OAUTH, 'r0', NOW)).expiresAt).to.equal(NOW + 3_600_000);
    const body = new URLSearchParams(sent(agent)[0]?.body ?? '');
    expect(Object.fromEntries(body)).to.deep.equal({ grant_type: 'refresh_token', client_id: 'app.1', client_secret: 'very-secret', refresh_token: 'r0' });
  });

  it('refuses an answer with an error or without both tokens, with the OAuth error as apiCode', async () => {
    const cases: Array<[number, Record<string, unknown>, string, string]> = [
      [400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }, 'invalid_grant', 'Invalid refresh token'],
      [200, { error: 'weird', access_token: 'a', refresh_token: 'r' }, 'weird', 'no tokens in the answer'],
      [200, { access_token: 'a' }, 'BAD_OAUTH_ANSWER', 'no tokens in the answer'],
      [200, { refresh_token: 'r', error_description: 7 }, 'BAD_OAUTH_ANSWER', 'no tokens in the answer'],
    ];
    for (const [status, json, apiCode, description] of cases) {
      answer(status, json);
      const err = await rejection(exchangeRefreshToken(transport(), OAUTH, 'r0', NOW));
      expect(err).to.include({ code: 'B24_AUTH_FAILED', apiCode, description, method: 'oauth.token', status });
    }
  });

  it('refuses a refresh without an OAuth app, a refresh token or an OAuth portal, with expired_token', async () => {
    const log = createLogger({ silent: true });
    for (const [portal, oauth] of [[oauthPortal(), null], [oauthPortal({ refreshToken: null }), OAUTH], [webhookPortalRecord({ memberId: 'm1', accessToken: 'access-1', refreshToken: 'r' }), OAUTH]] as const) {
      const store = createMemoryStore();
      await store.savePortal(portal);
      const err = await rejection(new TokenRefresher({ store, oauth, transport: transport(), log, clock: () => NOW }).refresh('m1', 'access-1'));
      expect(err).to.include({ code: 'B24_AUTH_FAILED', apiCode: 'expired_token', status: 401 });
    }
    expect(sent(agent)).to.have.length(0);
  });

  it('logs a stored refresh and a lost race, and leaves a portal rotated meanwhile alone on invalid_grant', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ level: 'debug', stream: new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c)) as Record<string, unknown>); cb(); } }) });
    const store = createMemoryStore();
    await store.savePortal(oauthPortal());
    const refresher = new TokenRefresher({ store, oauth: OAUTH, transport: transport(), log, clock: () => NOW });
    answer(200, { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 3600 });
    await refresher.refresh('m1', 'access-1');
    expect((await store.getPortal('m1'))?.refreshToken).to.equal('refresh-2');
    // Another writer rotates the pair while our grant is in flight: our pair is not stored.
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(() => {
      void store.updateTokens('m1', { accessToken: 'access-x', refreshToken: 'refresh-x', expiresAt: 1 }, 'refresh-2');
      return { statusCode: 200, data: { access_token: 'access-3', refresh_token: 'refresh-3', expires_in: 3600 } };
    });
    await refresher.refresh('m1', 'access-2');
    expect((await store.getPortal('m1'))?.refreshToken).to.equal('refresh-x');
    // invalid_grant for a token that another writer has replaced meanwhile: nothing is marked.
    agent.get(OAUTH_ORIGIN).intercept({ path: '/oauth/token/', method: 'POST' }).reply(() => {
      void store.updateTokens('m1', { accessToken: 'access-y', refreshToken: 'refresh-y', expiresAt: 1 }, 'refresh-x');
      return { statusCode: 400, data: { error: 'invalid_grant' } };
    });
    await refresher.refresh('m1', 'access-x');
    expect((await store.getPortal('m1'))?.status).to.equal('active');
    expect(lines.map((l) => [l['msg'], l['memberId']])).to.deep.equal([
      ['oauth tokens refreshed', 'm1'], ['oauth refresh lost a race: another writer rotated the tokens first', 'm1'],
    ]);
    answer(400, { error: 'invalid_grant' });
    expect((await rejection(refresher.refresh('m1', 'access-y'))).code).to.equal('B24_REINSTALL_REQUIRED');
    expect(lines.at(-1)).to.include({ msg: 'refresh token refused (invalid_grant): portal marked reinstall_required', memberId: 'm1' });
  });

  it('reports each refresh to the metrics hook: ok, refused, and none when the token was already rotated', async () => {
    const seen: boolean[] = [];
    const store = createMemoryStore();
    await store.savePortal(oauthPortal());
    const refresher = new TokenRefresher({
      store, oauth: OAUTH, transport: transport(), log: createLogger({ silent: true }), clock: () => NOW, metrics: { tokenRefresh: (ok) => void seen.push(ok) },
    });
    answer(200, { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 3600 });
    await refresher.refresh('m1', 'access-1');
    await refresher.refresh('m1', 'access-1'); // stale: another refresh already replaced access-1
    answer(500, { error: 'INTERNAL' });
    await rejection(refresher.refresh('m1', 'access-2'));
    expect(seen).to.deep.equal([true, false]);
  });

  it('marks reinstall_required only for invalid_grant: another refusal or a broken answer leaves the portal active', async () => {
    for (const [status, json] of [[200, { access_token: 'only-access' }], [401, { error: 'invalid_client' }], [500, { error: 'INTERNAL' }]] as const) {
      const store = createMemoryStore();
      await store.savePortal(oauthPortal());
      answer(status, json);
      const err = await rejection(new TokenRefresher({ store, oauth: OAUTH, transport: transport(), log: createLogger({ silent: true }), clock: () => NOW }).refresh('m1', 'access-1'));
      expect(err.code).to.not.equal('B24_REINSTALL_REQUIRED');
      expect((await store.getPortal('m1'))?.status).to.equal('active');
    }
  });

  it('does not refresh again for a caller whose token is already replaced', async () => {
    const store = createMemoryStore();
    await store.savePortal(oauthPortal({ accessToken: 'newer' }));
    await new TokenRefresher({ store, oauth: OAUTH, transport: transport(), log: createLogger({ silent: true }), clock: () => NOW }).refresh('m1', 'access-1');
    const none = createMemoryStore();
    await none.savePortal(oauthPortal({ accessToken: null }));
    answer(200, { access_token: 'a', refresh_token: 'r' });
    await new TokenRefresher({ store: none, oauth: OAUTH, transport: transport(), log: createLogger({ silent: true }), clock: () => NOW }).refresh('m1', '');
    expect(sent(agent)).to.have.length(1);
  });

  it('builds targets: one slash before the method, auth in the body (OAuth) or the webhook URL alone', () => {
    expect(targetFor(oauthPortal({ clientEndpoint: `${ORIGIN}/rest` }), 'app.info', { a: 1 })).to.deep.equal({ url: `${ORIGIN}/rest/app.info`, body: { a: 1, auth: 'access-1' }, token: 'access-1' });
    expect(targetFor(oauthPortal({ accessToken: null }), 'app.info', {})).to.deep.equal({ url: `${ORIGIN}/rest/app.info`, body: { auth: '' }, token: '' });
    expect(targetFor(webhookPortalRecord({ clientEndpoint: `${ORIGIN}/rest/1/x/` }), 'app.info', { a: 1 })).to.deep.equal({ url: `${ORIGIN}/rest/1/x/app.info`, body: { a: 1 }, token: null });
  });

  it('refuses bad method names and hosts with coded errors that name them', () => {
    let err: unknown = null;
    try { assertMethodName(`../${'x'.repeat(100)}`); } catch (e) { err = e; }
    expect(err).to.have.property('code', 'B24_METHOD_INVALID');
    expect((err as Error).message).to.equal(`not a REST method name: ${JSON.stringify(`../${'x'.repeat(77)}`)}`);
    for (const bad of ['app.info/../profile', 'app.info?x=1', '.info', 'app..info']) expect(() => assertMethodName(bad), bad).to.throw().with.property('code', 'B24_METHOD_INVALID');
    expect(() => assertMethodName('imbot.v2.Chat.Message.send')).to.not.throw();
    const hosts = parseHostPatterns('acme.bitrix24.com');
    expect(() => assertAllowedUrl('https://evil.example.com/rest/', hosts)).to.throw().with.property('message').that.contains('evil.example.com');
    expect(() => assertAllowedUrl('not a url', hosts)).to.throw().with.property('code', 'B24_HOST_REFUSED');
  });
});
