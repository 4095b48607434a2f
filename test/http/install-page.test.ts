import type { AppLaunch } from '@b24-botkit/emulator';
import { expect } from 'chai';
import { request } from 'undici';
import { encodePhpForm } from '../../src/protocol/php-form.js';
import { installRig, postLaunch, type InstallRig } from './install-rig.js';

// The install page of a UI app (DOC settings/app-installation/installation-finish.md): the portal opens it
// in its frame with a POST (DOC settings/oauth/simple-way.md: AUTH_ID, REFRESH_ID, member_id,
// APPLICATION_TOKEN, ... in the body; DOMAIN, PROTOCOL, LANG, APP_SID in the query). Real server, real
// emulator; what crossed the wire is read from the emulator's request log.
describe('install page (/install opened by the portal)', function () {
  this.timeout(20_000);
  let rig: InstallRig;
  beforeEach(async () => {
    rig = await installRig();
    rig.emu.portal.beginUiInstall();
  });
  afterEach(async () => rig.close());

  const adminLaunch = (): AppLaunch => {
    const launch = rig.emu.portal.openApp({ url: `${rig.url}/app`, install: `${rig.url}/install` });
    if (!launch) throw new Error('the admin got no install page');
    return launch;
  };
  const methods = (): string[] => rig.emu.portal.requests().map((r) => r.method);
  const refusals = (): Array<Record<string, unknown>> => rig.lines.filter((l) => l['level'] === 40);

  it('verifies the admin\'s tokens, stores the portal with its APPLICATION_TOKEN, registers the bots and calls BX24.installFinish()', async () => {
    const launch = adminLaunch();
    expect(launch.install).to.equal(true);
    const page = await postLaunch(launch);
    expect(page.status, page.text).to.equal(200);
    expect(page.type).to.match(/^text\/html/);
    expect(page.text).to.contain(`<script src="${rig.emu.url}/api/v1/"`).and.to.contain('BX24.installFinish()');
    expect(page.csp).to.contain(`frame-ancestors ${rig.emu.url}`).and.to.contain(`script-src 'nonce-`);
    // Verified as an ONAPPINSTALL is, plus user.admin: with the posted token, then the OAuth server's check.
    expect(methods().slice(0, 3)).to.deep.equal(['app.info', 'user.admin', 'oauth.token']);
    const portal = await rig.kit.store.getPortal(rig.emu.portal.memberId);
    expect(portal).to.include({
      authMode: 'oauth', applicationToken: rig.emu.portal.applicationToken, clientEndpoint: rig.emu.portal.clientEndpoint,
      domain: rig.emu.portal.domain, status: 'install_unfinished',
    });
    expect(portal?.refreshToken, 'the rotated pair is stored, not the posted one').to.not.equal(launch.form['REFRESH_ID']);
    const registered = rig.emu.portal.bots();
    expect(registered.map((b) => b.code).sort()).to.deep.equal([...rig.kit.bots.keys()].sort());
    for (const bot of registered) expect(page.text).to.contain(`<b>${bot.code}</b></td><td class="num">${bot.id}</td>`);
    expect(page.text).to.contain(`${registered.length} of ${registered.length} bots registered`);
    expect(refusals()).to.deep.equal([]);
    // The browser has not run the page: the portal still says the install is not finished.
    expect(rig.emu.portal.installFinished).to.equal(false);
  });

  it('answers JSON to a client that asks for it, and a second opening by the admin reinstalls', async () => {
    const first = JSON.parse((await postLaunch(adminLaunch(), { json: true })).text) as Record<string, unknown>;
    expect(first).to.include({ ok: true, memberId: rig.emu.portal.memberId, domain: rig.emu.portal.domain, reinstall: false });
    const bots = first['bots'] as Array<{ code: string; botId: number | null; commands: string[] }>;
    expect(bots.map((b) => b.code).sort()).to.deep.equal([...rig.kit.bots.keys()].sort());
    expect(bots.every((b) => typeof b.botId === 'number' && b.botId > 0)).to.equal(true);
    const second = JSON.parse((await postLaunch(adminLaunch(), { json: true })).text) as Record<string, unknown>;
    expect(second).to.include({ ok: true, reinstall: true });
    // A GET with every parameter in the query is served too (the portal itself POSTs the tokens).
    const launch = adminLaunch();
    const get = await request(`${launch.url}&${new URLSearchParams(launch.form).toString()}`, { headers: { accept: 'text/html' } });
    expect(get.statusCode).to.equal(200);
    expect(get.headers['referrer-policy'], 'a URL with tokens is never sent on').to.equal('no-referrer');
    expect(await get.body.text()).to.contain('BX24.installFinish()');
    expect(rig.emu.portal.bots()).to.have.length(bots.length);
  });

  it('a forged AUTH_ID gets 401 INSTALL_VERIFY_FAILED: an error page, one log line, nothing stored or registered', async () => {
    const launch = adminLaunch();
    const page = await postLaunch(launch, { form: { AUTH_ID: 'forged-access-token' } });
    expect(page.status).to.equal(401);
    expect(page.type).to.match(/^text\/html/);
    expect(page.text).to.contain('INSTALL_VERIFY_FAILED').and.to.contain('The portal did not accept the access token. Nothing was installed.');
    expect(page.text).to.not.contain('installFinish');
    const json = await postLaunch(adminLaunch(), { form: { AUTH_ID: 'forged-<script>' }, json: true });
    expect([json.status, JSON.parse(json.text)]).to.deep.equal([401, { error: 'INSTALL_VERIFY_FAILED', message: 'the portal did not accept the access token' }]);
    expect(await rig.kit.store.getPortal(rig.emu.portal.memberId)).to.equal(null);
    expect(rig.emu.portal.bots()).to.deep.equal([]);
    expect(methods(), 'no refresh exchange, no registration').to.deep.equal(['app.info', 'app.info']);
    expect(refusals().map((l) => [l['msg'], l['code']])).to.deep.equal([
      ['install refused: the portal did not accept the access token', 'INSTALL_VERIFY_FAILED'],
      ['install refused: the portal did not accept the access token', 'INSTALL_VERIFY_FAILED'],
    ]);
  });

  it('a non-administrator\'s tokens get 403 INSTALL_NOT_ADMIN, before the refresh token is used; nothing stored', async () => {
    const anna = rig.emu.portal.users.add({ name: 'Anna Lee' });
    expect(rig.emu.portal.openApp({ url: `${rig.url}/app`, userId: anna }), 'not fully installed: no frame for her').to.equal(null);
    rig.emu.portal.finishInstall(adminLaunch().appSid);
    // An installed app: anyone who opens it holds a token pair (and could post it to /install).
    const launch = rig.emu.portal.openApp({ url: `${rig.url}/app`, userId: anna });
    expect(launch?.init['IS_ADMIN']).to.equal(false);
    const page = await postLaunch(launch as AppLaunch, { url: `${rig.url}/install${new URL((launch as AppLaunch).url).search}` });
    expect(page.status).to.equal(403);
    expect(page.text).to.contain('Only an administrator can install this app').and.to.contain('INSTALL_NOT_ADMIN');
    expect(methods()).to.deep.equal(['app.info', 'user.admin']);
    expect(await rig.kit.store.getPortal(rig.emu.portal.memberId)).to.equal(null);
    expect(refusals().map((l) => l['code'])).to.deep.equal(['INSTALL_NOT_ADMIN']);
  });

  it('refuses a request that is not the portal\'s: 400 INSTALL_PAGE_INVALID, 403 INSTALL_HOST_REFUSED; no request leaves', async () => {
    const bare = await request(`${rig.url}/install`);
    expect(bare.statusCode).to.equal(400);
    expect(await bare.body.text()).to.contain('Open this page from Bitrix24');
    const missing = await postLaunch(adminLaunch(), { form: { APPLICATION_TOKEN: '' }, json: true });
    expect([missing.status, JSON.parse(missing.text)]).to.deep.equal([400, { error: 'INSTALL_PAGE_INVALID', message: 'the install page request lacks APPLICATION_TOKEN' }]);
    const launch = adminLaunch();
    const elsewhere = new URL(launch.url);
    elsewhere.searchParams.set('DOMAIN', 'evil.example');
    const host = await postLaunch(launch, { url: elsewhere.toString(), json: true });
    expect([host.status, JSON.parse(host.text)['error']]).to.deep.equal([403, 'INSTALL_HOST_REFUSED']);
    const escaped = await postLaunch(launch, { url: `${rig.url}/install?DOMAIN=%3Cb%3E&PROTOCOL=1` });
    expect(escaped.status).to.equal(400);
    expect(escaped.text).to.contain('DOMAIN is not a host name');
    expect(escaped.text).to.not.contain('<b>');
    expect(methods()).to.deep.equal([]);
    expect(refusals().map((l) => l['code'])).to.deep.equal(['INSTALL_PAGE_INVALID', 'INSTALL_PAGE_INVALID', 'INSTALL_HOST_REFUSED', 'INSTALL_PAGE_INVALID']);
    expect(await rig.kit.store.listPortals()).to.deep.equal([]);
  });

  it('detects a half-finished install (app.info INSTALLED false): warns, marks install_unfinished, and asks the portal at most every 15 s', async () => {
    expect((await postLaunch(adminLaunch())).status).to.equal(200);
    const memberId = rig.emu.portal.memberId;
    const check = await rig.kit.checkInstallFinished(memberId);
    expect(check).to.include({ memberId, installed: false, status: 'install_unfinished' });
    expect((await rig.kit.store.getPortal(memberId))?.status).to.equal('install_unfinished');
    expect(refusals().map((l) => l['msg'])).to.deep.equal([
      'app installation not finished: the install page did not call BX24.installFinish(), so the portal sends no events to the app; '
        + 'an administrator must open the application in Bitrix24 to finish the installation',
    ]);
    const appInfos = (): number => rig.emu.portal.requests().filter((r) => r.method === 'app.info').length;
    const asked = appInfos();
    expect(await rig.kit.checkInstallFinished(memberId)).to.include({ installed: false });
    expect(appInfos(), 'the second check within 15 s is answered from memory').to.equal(asked);
    // The administrator opens the app again and the page finishes the installation.
    const reopened = adminLaunch();
    expect(rig.emu.portal.finishInstall(reopened.appSid)).to.equal(true);
    rig.clock.now += 15_001;
    expect(await rig.kit.checkInstallFinished(memberId)).to.include({ installed: true, status: 'active' });
    expect((await rig.kit.store.getPortal(memberId))?.status).to.equal('active');
    expect(appInfos()).to.equal(asked + 1);
    rig.clock.now += 3_600_000;
    await rig.kit.checkInstallFinished(memberId);
    expect(appInfos(), 'a finished install is not asked again').to.equal(asked + 1);
  });

  it('an install page finished while the server was down is confirmed at the next start (only unfinished installs are asked)', async () => {
    expect((await postLaunch(adminLaunch())).status).to.equal(200);
    const memberId = rig.emu.portal.memberId;
    expect((await rig.kit.store.getPortal(memberId))?.status, 'not finished until the page ran').to.equal('install_unfinished');
    expect(rig.emu.portal.finishInstall(adminLaunch().appSid)).to.equal(true);
    await rig.restart();
    for (let i = 0; i < 100 && (await rig.kit.store.getPortal(memberId))?.status !== 'active'; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await rig.kit.store.getPortal(memberId))?.status).to.equal('active');
    const from = rig.emu.portal.requests().length;
    await rig.restart();
    await new Promise((r) => setTimeout(r, 200));
    // (The restart's new port re-points the bots: sync's Bot.update calls are expected here; app.info is not.)
    expect(rig.emu.portal.requests().slice(from).map((r) => r.method), 'a finished install is not asked at start').to.not.include('app.info');
  });

  it('a refused ONAPPINSTALL event (forged access token) is logged once: the installer\'s line, with its context, and no second one', async () => {
    const e = rig.emu.portal;
    const body = encodePhpForm({
      event: 'ONAPPINSTALL', data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' }, ts: String(Math.floor(Date.now() / 1000)),
      auth: {
        access_token: 'forged', refresh_token: 'forged', expires_in: '3600', scope: 'imbot', domain: e.domain, client_endpoint: e.clientEndpoint,
        server_endpoint: e.clientEndpoint, member_id: e.memberId, application_token: 'forged-app', status: 'L', user_id: '1',
      },
    });
    const res = await fetch(`${rig.url}/install`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect([res.status, ((await res.json()) as { error: string }).error]).to.deep.equal([401, 'INSTALL_VERIFY_FAILED']);
    expect(refusals().map((l) => [l['msg'], l['code'], l['memberId']])).to.deep.equal([
      ['install refused: the portal did not accept the access token', 'INSTALL_VERIFY_FAILED', e.memberId],
    ]);
    expect(await rig.kit.store.getPortal(e.memberId)).to.equal(null);
  });
});
