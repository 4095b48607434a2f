import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { createLogger } from '../../src/log.js';
import { startStack, type Stack } from '../e2e/harness.js';

// The app page in a real browser, opened as the portal opens it (DOC settings/oauth/simple-way.md): the
// portal's page (the emulator's app frame, at the portal's origin) POSTs AUTH_ID, member_id, APPLICATION_TOKEN... into an
// iframe, DOMAIN/PROTOCOL/LANG/APP_SID in the query string. The page must render inside that frame under
// its CSP (frame-ancestors = the portal), with no page error or console error (a CSP violation is one).
// UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/app-page.png, the one shown in the README.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];
const WIDTH = 800;

describe('app page in chromium, inside the portal frame', function () {
  this.timeout(90_000);
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const shots = process.env['SCREENSHOT_DIR'] ?? mkdtempSync(path.join(tmpdir(), 'b24-app-shots-'));

  /**
   * Opens the emulator's portal page for the app (`appFrameUrl`: it posts the launch into its iframe, as the
   * portal does) as `userId`, and waits for the app's answer in the frame.
   */
  async function openAs(userId: number): Promise<Frame> {
    const launched = page.waitForResponse((r) => r.url().startsWith(`${stack.url}/app?`));
    await page.goto(stack.emu.portal.appFrameUrl({ url: `${stack.url}/app`, userId }));
    await launched;
    const frame = await (await page.locator('#app-frame').elementHandle())?.contentFrame();
    if (!frame) throw new Error('no app frame');
    await frame.waitForLoadState();
    await frame.locator('body').waitFor();
    return frame;
  }

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (bash .ci/run does) or set CHROMIUM_PATH`);
    stack = await startStack({ log: createLogger({ silent: true }) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    // The portal page's iframe spans its main column: 32 px of padding, 2 px of border around 800 px.
    page = await browser.newPage({ viewport: { width: WIDTH + 34, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  afterEach(function () {
    if (this.currentTest?.title.includes('403')) return;
    expect(problems, 'page errors').to.deep.equal([]);
  });

  it('an administrator sees the bots with their commands, styled by the stylesheet the CSP allows', async () => {
    // A dead letter and its warning, so the page shows every section filled.
    const stop = stack.emu.faults.add({ method: 'imbot.v2.Chat.Message.send', kind: 'status', status: 403, error: 'ACCESS_DENIED', errorDescription: 'The bot cannot write to this chat', times: 1 });
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'hello' });
    await stack.kit.idle();
    stop();
    const app = await openAs(1);
    for (const bot of stack.emu.portal.bots()) {
      const card = app.locator(`section.bot[data-bot="${bot.code}"]`);
      expect(await card.locator('.badge.ok').first().textContent()).to.equal(`registered #${bot.id}`);
    }
    expect(await app.locator('section.bot[data-bot="echo"] td.mono').first().textContent()).to.equal('/echo');
    expect(await app.locator('#dead tr[data-dead]').count()).to.equal(1);
    expect(await app.locator('#errors').textContent()).to.contain('outbox: reply dead-lettered');
    // The stylesheet applied: the header is the portal blue, the cards sit side by side at 800 px.
    const background = await app.locator('header.top')
      .evaluate((e) => (globalThis as unknown as { getComputedStyle(el: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
    expect(background).to.equal('rgb(47, 198, 246)');
    const widths = await app.locator('.cards .card').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().width)));
    expect(widths).to.have.length(3);
    expect(Math.max(...widths) - Math.min(...widths)).to.be.lessThan(3);
    const overflow = await app.locator('body').evaluate((b) => b.scrollWidth - b.clientWidth);
    expect(overflow, 'nothing wider than the frame').to.equal(0);
    // The frame as tall as its content, for the screenshot.
    const height = await app.locator('html').evaluate((e) => Math.ceil(e.getBoundingClientRect().height));
    await page.locator('#app-frame').evaluate((e, h) => void ((e as unknown as { style: { height: string } }).style.height = `${h}px`), height);
    mkdirSync(shots, { recursive: true });
    await page.locator('#app-frame').screenshot({ path: path.join(shots, 'app-page.png') });
    if (process.env['UPDATE_SCREENSHOTS'] === '1') {
      mkdirSync(path.join('docs', 'screenshots'), { recursive: true });
      await page.locator('#app-frame').screenshot({ path: path.join('docs', 'screenshots', 'app-page.png') });
    }
  });

  it('views the sync plan, then runs the sync, and sees each change done', async () => {
    const app = await openAs(1);
    // Something for the sync to do: the poll bot is removed on the portal behind the app's back.
    await stack.kit.unregisterBot(stack.emu.portal.memberId, 'poll');
    await app.locator('#sync button', { hasText: 'Refresh' }).click();
    await app.locator('section.bot[data-bot="poll"] .bot-head .badge.warn', { hasText: 'not registered' }).waitFor();
    await app.locator('#sync button', { hasText: 'Preview sync' }).click();
    await app.locator('#plan').waitFor();
    expect(await app.locator('#plan li').allTextContents()).to.deep.equal([
      'register-bot register bot poll', 'register-command register command /poll of poll', 'register-command register command /vote of poll',
    ]);
    expect(stack.emu.portal.bots().map((b) => b.code), 'the plan changed nothing').to.not.include('poll');
    await app.locator('button', { hasText: 'Run sync: 3 changes' }).click();
    await app.locator('#result').waitFor();
    expect(await app.locator('#result li').allTextContents()).to.deep.equal([
      'done register bot poll', 'done register command /poll of poll', 'done register command /vote of poll',
    ]);
    expect(await app.locator('.notice').textContent()).to.contain('Sync finished: 3 changes applied.');
    expect(stack.emu.portal.bots().map((b) => b.code)).to.include('poll');
    await app.locator('button', { hasText: 'Back to the bots' }).click();
    await app.locator('section.bot[data-bot="poll"] .bot-head .badge.ok').waitFor();
  });

  it('a user who is not an administrator gets the 403 page in the frame', async () => {
    const userId = stack.emu.portal.users.add({ name: 'Jane Roe' });
    const app = await openAs(userId);
    expect(await app.locator('h1').textContent()).to.equal('Not allowed');
    expect(await app.locator('body').textContent()).to.contain('APP_NOT_ADMIN');
    expect(await app.locator('form').count()).to.equal(0);
    // The 403 answer itself is the only console error a browser reports here.
    expect(problems.filter((p) => !p.includes('403'))).to.deep.equal([]);
    problems.splice(0);
  });
});
