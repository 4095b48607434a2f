import { expect } from 'chai';
import { request } from 'undici';
import type { Emulator } from '../src/index.js';
import { call, emulator, leaves, manualClock, receiver, result, type Receiver } from './helpers.js';

async function refresh(emu: Emulator, refreshToken: string, opts: { secret?: string; get?: boolean } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const query = new URLSearchParams({
    grant_type: 'refresh_token', client_id: emu.clientId, client_secret: opts.secret ?? emu.clientSecret, refresh_token: refreshToken,
  }).toString();
  const res = opts.get
    ? await request(`${emu.oauthUrl}?${query}`)
    : await request(emu.oauthUrl, { method: 'POST', body: query, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('emulator OAuth', () => {
  let emu: Emulator;
  let rec: Receiver;
  const clock = manualClock();

  beforeEach(async () => {
    emu = await emulator({ clock: clock.now, rateLimit: null });
    rec = await receiver();
  });
  afterEach(async () => {
    await emu.close();
    await rec.close();
  });

  it('sends ONAPPINSTALL form-encoded with a working token pair and the portal endpoints', async () => {
    const answer = await emu.portal.install(`${rec.url}/install`);
    expect(answer).to.deep.equal({ status: 200, body: { status: 'ok' } });
    const [got] = rec.received;
    expect(got?.headers['content-type']).to.equal('application/x-www-form-urlencoded');
    expect(got?.body).to.match(/^event=ONAPPINSTALL&data%5BVERSION%5D=/);
    const form = got?.form as Record<string, Record<string, string>>;
    expect(leaves(form).every((v) => typeof v === 'string')).to.equal(true);
    expect(form['auth']).to.include({
      client_endpoint: emu.portal.clientEndpoint, domain: emu.portal.domain, member_id: emu.portal.memberId,
      server_endpoint: `${emu.url}/rest/`, application_token: emu.portal.applicationToken, user_id: '1', expires_in: '3600',
    });
    const info = await call(emu.portal.clientEndpoint, 'app.info', { auth: form['auth']?.['access_token'] });
    expect(info.status).to.equal(200);
    expect(result(info)).to.include({ CODE: 'local.emulator.app', INSTALLED: true });
  });

  it('lets a test forge install fields', async () => {
    await emu.portal.install(rec.url, { clientEndpoint: 'https://evil.example/rest/', applicationToken: 'forged' });
    const auth = rec.received[0]?.form['auth'] as Record<string, string>;
    expect(auth['client_endpoint']).to.equal('https://evil.example/rest/');
    expect(auth['application_token']).to.equal('forged');
  });

  it('rotates refresh tokens: the new pair works, the old refresh token answers invalid_grant', async () => {
    const first = emu.portal.issueTokens();
    const ok = await refresh(emu, first.refreshToken);
    expect(ok.status).to.equal(200);
    expect(ok.body).to.include({ client_endpoint: emu.portal.clientEndpoint, member_id: emu.portal.memberId, user_id: 1, status: 'L', expires_in: 3600 });
    expect(ok.body['expires']).to.equal(Math.floor(clock.now() / 1000) + 3600);
    expect(ok.body['refresh_token']).to.be.a('string').and.not.equal(first.refreshToken);
    const again = await refresh(emu, first.refreshToken);
    expect(again.status).to.equal(400);
    expect(again.body['error']).to.equal('invalid_grant');
    const next = await refresh(emu, String(ok.body['refresh_token']), { get: true });
    expect(next.status).to.equal(200);
    const profile = await call(emu.portal.clientEndpoint, 'profile', { auth: next.body['access_token'] });
    // DOC api-reference/common/users/profile.md: ID is a string; PERSONAL_PHOTO only when a photo was uploaded.
    expect(result(profile)).to.include({ ID: '1', ADMIN: true, NAME: 'John', TIME_ZONE: '' }).and.not.to.have.property('PERSONAL_PHOTO');
    const c = emu.portal.counters();
    expect(c.oauthRefreshes).to.equal(2);
    expect(c.oauthErrors).to.equal(1);
    expect(emu.portal.requests().filter((r) => r.method === 'oauth.token').map((r) => r.status)).to.deep.equal([200, 400, 200]);
  });

  it('refuses wrong client credentials with invalid_client', async () => {
    const pair = emu.portal.issueTokens();
    const bad = await refresh(emu, pair.refreshToken, { secret: 'wrong' });
    expect(bad.status).to.equal(401);
    expect(bad.body['error']).to.equal('invalid_client');
    expect((await refresh(emu, pair.refreshToken)).status).to.equal(200);
  });

  it('answers 401 expired_token after the TTL and after expireAccessTokens(), and refresh recovers', async () => {
    const pair = emu.portal.issueTokens();
    expect((await call(emu.portal.clientEndpoint, 'profile', { auth: pair.accessToken })).status).to.equal(200);
    clock.advance(3600_000);
    const expired = await call(emu.portal.clientEndpoint, 'profile', { auth: pair.accessToken });
    expect(expired).to.deep.include({ status: 401 });
    expect(expired.body['error']).to.equal('expired_token');
    const fresh = await refresh(emu, pair.refreshToken);
    expect((await call(emu.portal.clientEndpoint, 'profile', { auth: fresh.body['access_token'] })).status).to.equal(200);
    emu.portal.expireAccessTokens();
    const forced = await call(emu.portal.clientEndpoint, 'profile', { auth: fresh.body['access_token'] });
    expect(forced.body['error']).to.equal('expired_token');
  });

  it('revokeRefreshTokens() makes every refresh answer invalid_grant; unknown tokens answer NO_AUTH_FOUND', async () => {
    const pair = emu.portal.issueTokens();
    emu.portal.revokeRefreshTokens();
    expect((await refresh(emu, pair.refreshToken)).body['error']).to.equal('invalid_grant');
    const unknown = await call(emu.portal.clientEndpoint, 'profile', { auth: 'nope' });
    expect(unknown.status).to.equal(401);
    expect(unknown.body['error']).to.equal('NO_AUTH_FOUND');
  });

  it('does not accept a token of one portal on another', async () => {
    const other = emu.createPortal();
    expect(other.clientEndpoint).to.equal(`${emu.url}/p/1/rest/`);
    const pair = other.issueTokens();
    expect((await call(other.clientEndpoint, 'profile', { auth: pair.accessToken })).status).to.equal(200);
    expect((await call(emu.portal.clientEndpoint, 'profile', { auth: pair.accessToken })).body['error']).to.equal('NO_AUTH_FOUND');
    const rotated = await refresh(emu, pair.refreshToken);
    expect(rotated.body['client_endpoint']).to.equal(other.clientEndpoint);
    expect(other.counters().oauthRefreshes).to.equal(1);
  });

  it('uninstall sends ONAPPUNINSTALL without tokens and revokes the app; a forged one changes nothing', async () => {
    const pair = emu.portal.issueTokens();
    await emu.portal.uninstall(rec.url, { applicationToken: 'forged' });
    expect((await call(emu.portal.clientEndpoint, 'profile', { auth: pair.accessToken })).status).to.equal(200);
    await emu.portal.uninstall(rec.url);
    const form = rec.received[1]?.form as Record<string, Record<string, string>>;
    expect(form['auth']).to.deep.equal({
      domain: emu.portal.domain, server_endpoint: `${emu.url}/rest/`, client_endpoint: emu.portal.clientEndpoint,
      member_id: emu.portal.memberId, application_token: emu.portal.applicationToken,
    });
    expect((await call(emu.portal.clientEndpoint, 'profile', { auth: pair.accessToken })).body['error']).to.equal('NO_AUTH_FOUND');
    expect((await refresh(emu, pair.refreshToken)).body['error']).to.equal('invalid_grant');
  });
});
