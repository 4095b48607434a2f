import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { installRig, type InstallRig } from '../http/install-rig.js';
import { startFrameApp, type FrameApp } from './frame-app.js';

// UI install as an administrator does it (DOC settings/app-installation/installation-finish.md): the
// emulator's portal page opens our /install in its iframe with a POST (DOC settings/oauth/simple-way.md),
// the page calls BX24.installFinish() through the frame library, and the portal then counts the app as
// installed and opens its main page. Debian's chromium driven by playwright-core, like test/browser/chat.test.ts.
// Screenshots go to $SCREENSHOT_DIR (default: a temporary directory); UPDATE_SCREENSHOTS=1 also refreshes
// docs/screenshots/install-page.png, the one shown in the README.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

describe('UI install in the emulator\'s portal frame (chromium)', function () {
  this.timeout(90_000);
  let rig: InstallRig;
  let app: FrameApp;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const shots = process.env['SCREENSHOT_DIR'] ?? mkdtempSync(path.join(tmpdir(), 'b24-install-shots-'));

  /** The app's iframe, whatever document it shows (re-resolved across navigations and the portal's reload). */
  const inFrame = (): FrameLocator => page.frameLocator('#app-frame');
  const frameLog = (status: string): Promise<string[]> => page.locator(`#frame-log li[data-status="${status}"]`).allTextContents();

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (bash .ci/run does) or set CHROMIUM_PATH`);
    rig = await installRig();
    app = await startFrameApp(`${rig.emu.url}/api/v1/`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 800, height: 560 } });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await rig?.close();
  });
  afterEach(() => {
    expect(problems, 'page errors and console errors').to.deep.equal([]);
  });

  it('an administrator opens the app: our /install page registers the bots and calls installFinish, then the portal opens the app page', async () => {
    rig.emu.portal.beginUiInstall();
    const frameUrl = rig.emu.portal.appFrameUrl({ url: `${app.url}/main`, install: `${rig.url}/install` });
    // Hold the portal's call that records installFinish until the finished install page is photographed.
    let finishing!: () => void;
    const finishCalled = new Promise<void>((resolve) => { finishing = resolve; });
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    await page.route((u) => u.pathname === '/app-frame/api/finish', async (route) => {
      finishing();
      await released;
      await route.continue();
    });
    await page.goto(frameUrl);
    const installPage = inFrame();
    await installPage.locator('#status.ok').waitFor({ timeout: 15_000 });
    expect(await installPage.locator('#status').textContent()).to.equal('Installation finished. Bitrix24 now opens the application.');
    await finishCalled;
    expect(rig.emu.portal.installFinished, 'not before the portal got installFinish').to.equal(false);
    expect(await installPage.locator('tbody tr').count()).to.equal(rig.kit.bots.size);
    expect(await frameLog('ok')).to.include.members(['getInitData', 'resizeWindow']);
    expect(await frameLog('rejected')).to.deep.equal([]);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'install-page.png'), fullPage: true });
    if (process.env['UPDATE_SCREENSHOTS'] === '1') {
      mkdirSync(path.join('docs', 'screenshots'), { recursive: true });
      await page.screenshot({ path: path.join('docs', 'screenshots', 'install-page.png'), fullPage: true });
    }
    release();
    const main = inFrame().locator('#s', { hasText: 'app page ready' });
    await main.waitFor();
    expect(await main.textContent()).to.equal(`app page ready: admin=true auth=${rig.emu.portal.memberId}`);
    await page.unrouteAll();
    // The portal has marked the app installed and reloaded: the app page opened.
    expect(rig.emu.portal.installFinished).to.equal(true);
    // What the portal posted to the app page: the docs' query and body, the tokens of user 1.
    const hit = app.hits.find((h) => h.path === '/main');
    expect(Object.keys(hit?.query ?? {}).sort()).to.deep.equal(['APP_SID', 'DOMAIN', 'LANG', 'PROTOCOL']);
    expect(hit?.form).to.include({ member_id: rig.emu.portal.memberId, APPLICATION_TOKEN: rig.emu.portal.applicationToken, PLACEMENT: 'DEFAULT' });
    expect(await page.locator('#frame-mode').textContent()).to.equal('app page');
    // The server sees the install finished; the bots are registered.
    expect(await rig.kit.checkInstallFinished(rig.emu.portal.memberId)).to.include({ installed: true, status: 'active' });
    expect(rig.emu.portal.bots().map((b) => b.code).sort()).to.deep.equal([...rig.kit.bots.keys()].sort());
  });

  it('the portal refuses frame messages from another window, another origin or with another APP_SID', async () => {
    rig.emu.portal.beginUiInstall();
    await page.goto(rig.emu.portal.appFrameUrl({ url: `${app.url}/main`, install: `${app.url}/manual` }));
    await inFrame().locator('#s', { hasText: 'manual install page ready' }).waitFor();
    const manual = await (await page.waitForSelector('#app-frame')).contentFrame();
    if (!manual) throw new Error('no app frame');
    const appSid = (JSON.parse(await page.locator('#frame-data').textContent() ?? '{}') as { appSid: string }).appSid;
    // (The browser-side snippets are strings: the test's TypeScript has no DOM types.)
    // From the portal page itself (not the app frame), then from the app frame naming another APP_SID.
    await page.evaluate(`window.postMessage('setInstallFinish:{}::${appSid}', '*')`);
    await manual.evaluate(`window.parent.postMessage('setInstallFinish:{}::0123456789abcdef0123456789abcdef', '*')`);
    await page.locator('#frame-log li[data-status="rejected"]').nth(1).waitFor({ state: 'attached' });
    // The app frame navigates to another origin, which still knows the APP_SID (window.name) and posts it.
    await page.evaluate(`(() => { const f = document.getElementById('launch'); f.action = f.action.replace('/manual', '/redirect'); f.submit(); })()`);
    await inFrame().locator('#s', { hasText: 'sent from another origin' }).waitFor();
    await page.locator('#frame-log li[data-status="rejected"]').nth(2).waitFor({ state: 'attached' });
    const rejected = await frameLog('rejected');
    expect(rejected[0]).to.match(/^refused: a message from outside the app frame/);
    expect(rejected[1]).to.equal(`refused: setInstallFinish for APP_SID 0123456789abcdef0123456789abcdef, this frame is ${appSid}`);
    expect(rejected[2]).to.match(/^refused: origin http:\/\/127\.0\.0\.1:\d+ is not the app's http:\/\/127\.0\.0\.1:\d+$/);
    expect(rejected).to.have.length(3);
    expect(rig.emu.portal.installFinished).to.equal(false);
  });

  it('the official @bitrix24/b24jssdk in the frame: initializeB24Frame in install mode, installFinish answered, app installed', async () => {
    rig.emu.portal.beginUiInstall();
    await page.goto(rig.emu.portal.appFrameUrl({ url: `${app.url}/main`, install: `${app.url}/sdk-install` }));
    await inFrame().locator('#s', { hasText: 'app page ready' }).waitFor();
    expect(rig.emu.portal.installFinished).to.equal(true);
    expect(app.hits.filter((h) => h.path === '/sdk-install')).to.have.length(1);
  });
});
