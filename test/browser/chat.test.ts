import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startChatStack, type ChatStack } from '../../src/cli/chat-stack.js';
import { createLogger } from '../../src/log.js';

// The chat page in a real browser: Debian's chromium (installed by .ci/run when missing), driven by
// playwright-core, against the stack of `npm run chat` (emulator + server + the bots in bots/).
// Screenshots go to $SCREENSHOT_DIR (default: a temporary directory); UPDATE_SCREENSHOTS=1 also
// refreshes docs/screenshots/chat.png, the one shown in the README.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

describe('chat page in chromium', function () {
  this.timeout(90_000);
  let stack: ChatStack;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const shots = process.env['SCREENSHOT_DIR'] ?? mkdtempSync(path.join(tmpdir(), 'b24-chat-shots-'));
  const problems: string[] = [];

  const shot = async (name: string): Promise<void> => {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, `${name}.png`) });
  };
  /** Waits for a bot message in the open chat whose text contains `text`. */
  const botSays = (text: string | RegExp): Promise<unknown> =>
    page.locator('#messages .msg.from-bot', { hasText: text }).last().waitFor({ timeout: 15_000 });
  const write = async (text: string): Promise<void> => {
    await page.fill('#input', text);
    await page.press('#input', 'Enter');
  };

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (bash .ci/run does) or set CHROMIUM_PATH`);
    dataDir = mkdtempSync(path.join(tmpdir(), 'b24-chat-browser-'));
    stack = await startChatStack({ dataDir, log: createLogger({ silent: true }), emulatorPort: 0, serverPort: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(stack.page);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('chats with echo: the welcome, BB-code rendered in the message, shown as typed in the escaped echo', async () => {
    await page.locator('.dialog.active[data-key="bot:echo"]').waitFor();
    await botSays('I am Echo');
    await write('hello [b]world[/b]');
    // Echo escapes user text (bb.escape: a zero-width space after "["), so the platform shows it as typed.
    await botSays(/You said: hello \[\u200Bb\]world\[\u200B\/b\]/);
    expect(await page.locator('#messages .msg.own b', { hasText: 'world' }).count()).to.equal(1);
    expect(await page.locator('#messages .msg.from-bot b').count()).to.equal(0);
    await shot('1-echo');
  });

  it('shows line breaks of the last message as spaces in the chat list preview', async () => {
    await page.fill('#input', 'first line\nsecond line');
    await page.press('#input', 'Enter');
    await botSays('second line');
    const preview = page.locator('.dialog[data-key="bot:echo"] .last');
    expect(await preview.textContent()).to.match(/first line second line$/);
  });

  it('picks a slash command from the autocomplete, with its title', async () => {
    await page.fill('#input', '');
    await page.type('#input', '/ec');
    const option = page.locator('#suggest .sg', { hasText: '/echo' });
    await option.waitFor();
    expect(await option.textContent()).to.include('Echo the text back');
    await page.press('#input', 'Enter');
    expect(await page.inputValue('#input')).to.equal('/echo ');
    await page.type('#input', 'ping from the picker');
    await page.press('#input', 'Enter');
    await botSays('ping from the picker');
  });

  it('runs the helpdesk dialogue with its buttons and sees the summary attachment', async () => {
    await page.click('.dialog[data-key="bot:helpdesk"]');
    // "/ticket" is a complete command, so Enter sends it (not only completes it, though "/ticket_btn" also matches).
    await write('/ticket');
    await botSays('What is the subject?');
    await write('Printer on floor 3 is jammed');
    await botSays('Describe the problem');
    await write('It eats every sheet and blinks red.');
    await botSays('How urgent is it?');
    await page.locator('#messages .msg.from-bot').last().locator('.kb-btn', { hasText: 'High' }).click();
    await botSays('Submit this ticket?');
    await page.locator('#messages .msg.from-bot').last().locator('.kb-btn', { hasText: 'Submit' }).click();
    await botSays('submitted');
    const attach = page.locator('#messages .msg.from-bot').last().locator('.attach');
    await attach.waitFor();
    expect(await attach.locator('b').first().textContent()).to.match(/^HD-1-1: Printer on floor 3 is jammed$/);
    expect(await attach.locator('.at-grid-name').allTextContents()).to.deep.equal(['Priority', 'Author']);
    expect(await attach.locator('.at-grid-value').first().textContent()).to.equal('High');
    expect(await attach.locator('.at-delimiter').count()).to.equal(1);
    expect(await attach.locator('.at-message').last().textContent()).to.equal('It eats every sheet and blinks red.');
    await page.locator('#tab-calls .row-item', { hasText: 'imbot.v2.Chat.Message.send' }).first().click();
    await page.locator('#tab-calls .row-item.open pre').first().waitFor();
    await page.focus('#input');
    await page.mouse.move(700, 840);
    await shot('2-helpdesk');
    if (process.env['UPDATE_SCREENSHOTS'] === '1') {
      mkdirSync(path.join('docs', 'screenshots'), { recursive: true });
      await page.screenshot({ path: path.join('docs', 'screenshots', 'chat.png') });
    }
  });

  it('writes in a group chat with an @-mention picked from the members', async () => {
    await page.click('.dialog[data-key^="chat:"]');
    await page.locator('#chat-title', { hasText: 'Team' }).waitFor();
    await page.fill('#input', '');
    await page.type('#input', '@Ech');
    await page.locator('#suggest .sg', { hasText: 'Echo' }).waitFor();
    await page.press('#input', 'Enter');
    expect(await page.inputValue('#input')).to.match(/^\[USER=\d+\]Echo\[\/USER\] $/);
    await page.type('#input', 'are you here?');
    await page.press('#input', 'Enter');
    await page.locator('#messages .msg.own .bb-mention', { hasText: 'Echo' }).waitFor();
    await botSays('You said: are you here?');
    await shot('3-group');
  });

  it('the inspector lists the bot\'s REST calls and the events delivered', async () => {
    const calls = page.locator('#tab-calls .row-item');
    await calls.first().waitFor();
    expect(await calls.count()).to.be.greaterThan(5);
    expect(await page.locator('#tab-calls').textContent()).to.include('imbot.v2.Chat.Message.send').and.include('imbot.v2.Bot.register');
    const open = page.locator('#tab-calls .row-item.open', { hasText: 'imbot.v2.Chat.Message.send' });
    expect(await open.count(), 'the row opened before stays open while new calls arrive').to.equal(1);
    expect(await open.locator('pre').first().textContent()).to.include('"dialogId"').and.match(/"auth": "\*\*\*"/);
    await page.click('.tabs button[data-tab="events"]');
    await page.locator('#tab-events .row-item', { hasText: 'ONIMBOTV2MESSAGEADD' }).first().waitFor();
    await shot('4-events');
  });

  it('logged no console error and no page error', () => {
    expect(problems).to.deep.equal([]);
  });
});
