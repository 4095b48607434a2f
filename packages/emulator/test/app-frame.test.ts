import { expect } from 'chai';
import { request } from 'undici';
import type { Emulator } from '../src/index.js';
import { call, emulator, receiver, result, type Receiver } from './helpers.js';

type Json = Record<string, unknown>;

async function getPage(url: string): Promise<{ status: number; html: string; csp: string }> {
  const res = await request(url);
  return { status: res.statusCode, html: await res.body.text(), csp: String(res.headers['content-security-policy'] ?? '') };
}

/** The hidden launch form of a frame page: its action and fields. */
function launchForm(html: string): { action: URL; fields: Record<string, string>; frameName: string } {
  const form = /<form id="launch" method="post" action="([^"]+)" target="([^"]+)">(.*?)<\/form>/s.exec(html);
  if (!form) throw new Error(`no launch form in ${html.slice(0, 300)}`);
  const unescape = (s: string): string => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
  const fields: Record<string, string> = {};
  for (const m of (form[3] ?? '').matchAll(/name="([^"]+)" value="([^"]*)"/g)) fields[unescape(m[1] ?? '')] = unescape(m[2] ?? '');
  const frameName = unescape(/<iframe id="app-frame" name="([^"]+)"/.exec(html)?.[1] ?? '');
  return { action: new URL(unescape(form[1] ?? '')), fields, frameName };
}

function frameData(html: string): { appSid: string; appOrigin: string; init: Json } {
  const m = /<script type="application\/json" id="frame-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m?.[1] ?? '{}') as { appSid: string; appOrigin: string; init: Json };
}

async function finish(emu: Emulator, appSid: string): Promise<{ status: number; body: Json }> {
  const res = await request(`${emu.url}/app-frame/api/finish`, { method: 'POST', body: JSON.stringify({ appSid }), headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, body: await res.body.json() as Json };
}

// DOC settings/oauth/simple-way.md (what the app is posted), settings/app-installation/installation-finish.md
// (not installed until installFinish: app.info INSTALLED false, no events, non-admins see a notice).
describe('emulator app frame: the portal opens the app in an iframe', () => {
  let emu: Emulator;
  let rec: Receiver;
  const app = 'http://127.0.0.1:1/app?x=1';
  const install = 'http://127.0.0.1:2/install';

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    rec = await receiver();
  });
  afterEach(async () => {
    await emu.close();
    await rec.close();
  });

  const appInfo = async (token: string): Promise<Json> => result(await call(emu.portal.clientEndpoint, 'app.info', { auth: token }));

  it('app.info says INSTALLED true for an API-only app, false from beginUiInstall until installFinish', async () => {
    const { accessToken } = emu.portal.issueTokens(1);
    expect((await appInfo(accessToken))['INSTALLED']).to.equal(true);
    emu.portal.beginUiInstall();
    expect(emu.portal.installFinished).to.equal(false);
    expect((await appInfo(accessToken))['INSTALLED']).to.equal(false);
  });

  it('posts the install page with the admin\'s real tokens, the docs\' fields and query, and names the iframe DOMAIN|PROTOCOL|APP_SID', async () => {
    emu.portal.beginUiInstall();
    const page = await getPage(emu.portal.appFrameUrl({ url: app, install, lang: 'de' }));
    expect(page.status).to.equal(200);
    const { action, fields, frameName } = launchForm(page.html);
    expect(`${action.origin}${action.pathname}`).to.equal(install);
    const appSid = action.searchParams.get('APP_SID') ?? '';
    expect(appSid).to.match(/^[0-9a-f]{32}$/);
    expect(Object.fromEntries(action.searchParams)).to.deep.equal({ DOMAIN: emu.portal.domain, PROTOCOL: '0', LANG: 'de', APP_SID: appSid });
    expect(frameName).to.equal(`${emu.portal.domain}|0|${appSid}`);
    expect(Object.keys(fields).sort()).to.deep.equal(['APPLICATION_SCOPE', 'APPLICATION_TOKEN', 'AUTH_EXPIRES', 'AUTH_ID', 'PLACEMENT',
      'REFRESH_ID', 'SERVER_ENDPOINT', 'member_id', 'status']);
    expect(fields).to.include({ APPLICATION_TOKEN: emu.portal.applicationToken, member_id: emu.portal.memberId, PLACEMENT: 'DEFAULT', AUTH_EXPIRES: '3600', status: 'L' });
    expect(fields['SERVER_ENDPOINT']).to.equal(`${emu.url}/rest/`);
    // The tokens are the admin's: the portal accepts them and user.admin is true.
    expect(result(await call(emu.portal.clientEndpoint, 'user.admin', { auth: fields['AUTH_ID'] }))).to.equal(true);
    const data = frameData(page.html);
    expect(data.appOrigin).to.equal('http://127.0.0.1:2');
    expect(data.init).to.include({ INSTALL: true, IS_ADMIN: true, APP_SID: appSid, PATH: '/rest', PROTOCOL: 0, MEMBER_ID: emu.portal.memberId, AUTH_ID: fields['AUTH_ID'] });
    expect(page.csp).to.contain("script-src 'self';").and.to.contain("frame-ancestors 'none'");
  });

  it('a non-administrator gets "not fully installed" before installFinish, the app page afterwards', async () => {
    const anna = emu.portal.users.add({ name: 'Anna Lee' });
    emu.portal.beginUiInstall();
    const before = await getPage(emu.portal.appFrameUrl({ url: app, install, userId: anna }));
    expect(before.status).to.equal(200);
    expect(before.html).to.contain('The application is not fully installed yet').and.not.to.contain('<form');
    const admin = frameData((await getPage(emu.portal.appFrameUrl({ url: app, install }))).html);
    expect(await finish(emu, admin.appSid)).to.deep.equal({ status: 200, body: { result: true } });
    const after = await getPage(emu.portal.appFrameUrl({ url: app, install, userId: anna }));
    const { action, fields } = launchForm(after.html);
    expect(`${action.origin}${action.pathname}${action.search.split('&DOMAIN')[0]}`).to.equal(app);
    expect(frameData(after.html).init).to.include({ INSTALL: false, IS_ADMIN: false });
    expect(result(await call(emu.portal.clientEndpoint, 'user.admin', { auth: fields['AUTH_ID'] }))).to.equal(false);
  });

  it('finish counts only for a known APP_SID of an install page; then app.info says INSTALLED true', async () => {
    emu.portal.beginUiInstall();
    expect((await finish(emu, 'f'.repeat(32))).status).to.equal(404);
    expect(emu.portal.installFinished).to.equal(false);
    const data = frameData((await getPage(emu.portal.appFrameUrl({ url: app, install }))).html);
    expect((await finish(emu, data.appSid)).body).to.deep.equal({ result: true });
    expect(emu.portal.installFinished).to.equal(true);
    expect((await appInfo(emu.portal.issueTokens(1).accessToken))['INSTALLED']).to.equal(true);
    // An app page (not the installer): installFinish has no effect.
    const appPage = frameData((await getPage(emu.portal.appFrameUrl({ url: app }))).html);
    expect((await finish(emu, appPage.appSid)).body).to.deep.equal({ result: false });
  });

  it('does not send the app bots\' events while the installation is not finished (installation-finish.md: "События не отправятся на обработчик"); later events are sent', async () => {
    const { accessToken } = emu.portal.issueTokens(1);
    await call(emu.portal.clientEndpoint, 'imbot.v2.Bot.register', {
      auth: accessToken, fields: { code: 'echo', eventMode: 'webhook', webhookUrl: `${rec.url}/events`, properties: { name: 'Echo' } },
    });
    emu.portal.beginUiInstall();
    const held = await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'early' });
    expect(held.deliveries).to.have.length(1);
    expect(held.deliveries[0]).to.include({ event: 'ONIMBOTV2MESSAGEADD', status: null });
    expect(held.deliveries[0]?.error).to.match(/installation is not finished/);
    expect(rec.received).to.have.length(0);
    await finish(emu, frameData((await getPage(emu.portal.appFrameUrl({ url: app }))).html).appSid);
    const sent = await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'late' });
    expect(sent.deliveries[0]).to.include({ status: 200 });
    expect(rec.received).to.have.length(1);
    expect(rec.received[0]?.body, 'the event from before installFinish is dropped, not replayed').to.include('late').and.not.to.include('early');
  });

  it('openApp and finishInstall script the frame without a browser; refreshAuth gives the frame\'s user a new pair', async () => {
    emu.portal.beginUiInstall();
    const anna = emu.portal.users.add({ name: 'Anna Lee' });
    expect(emu.portal.openApp({ url: app, install, userId: anna })).to.equal(null);
    const launch = emu.portal.openApp({ url: app, install });
    expect(launch?.install).to.equal(true);
    expect(launch?.url.startsWith(`${install}?DOMAIN=`)).to.equal(true);
    const res = await request(`${emu.url}/app-frame/api/refresh`, {
      method: 'POST', body: JSON.stringify({ appSid: launch?.appSid }), headers: { 'content-type': 'application/json' },
    });
    const auth = (await res.body.json() as { result: { AUTH_ID: string; REFRESH_ID: string; AUTH_EXPIRES: number } }).result;
    expect(auth.AUTH_ID).to.not.equal(launch?.form['AUTH_ID']);
    expect(auth.AUTH_EXPIRES).to.equal(3600);
    expect(result(await call(emu.portal.clientEndpoint, 'user.admin', { auth: auth.AUTH_ID }))).to.equal(true);
    expect(emu.portal.finishInstall('nope')).to.equal(false);
    expect(emu.portal.finishInstall(launch?.appSid ?? '')).to.equal(true);
    expect(emu.portal.finishInstall(launch?.appSid ?? ''), 'once').to.equal(false);
    expect(emu.portal.openApp({ url: app, userId: anna })?.install).to.equal(false);
    expect(() => emu.portal.openApp({ url: 'ftp://x/' })).to.throw(/url must be an http\(s\) URL/).with.property('code', 'EMULATOR_USAGE');
  });

  // The frame message format of src/frame/assets/parent.js and bx24.js ("command:params:callback:APP_SID" up, the SDK
  // dropping empty params; "callback:JSON" down; the object form for commands with a colon) follows the official SDK,
  // @bitrix24/b24jssdk dist/esm/frame/message/controller.mjs (MessageManager.send / the message listener). Not
  // exercised here (it needs a browser); test/conformance runs the SDK's REST side only.
  it('serves the frame library at /api/v1/ and refuses bad frame requests', async () => {
    const lib = await request(`${emu.url}/api/v1/`);
    expect(lib.statusCode).to.equal(200);
    expect(lib.headers['content-type']).to.match(/^text\/javascript/);
    expect(await lib.body.text()).to.contain('setInstallFinish');
    expect((await getPage(`${emu.url}/app-frame?user=1&url=javascript:alert(1)`)).status).to.equal(400);
    expect((await getPage(`${emu.url}/app-frame?user=99&url=${encodeURIComponent(app)}`)).status).to.equal(400);
    const other = emu.createPortal();
    expect(() => other.appFrameUrl({ url: app })).to.throw(/default portal only/);
    expect((await getPage(`${emu.url}/p/1/app-frame?user=1&url=${encodeURIComponent(app)}`)).status).to.equal(404);
  });
});
