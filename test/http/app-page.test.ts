import { expect } from 'chai';
import { request } from 'undici';
import type { Logger, LogMeta } from '../../src/log.js';
import { PageTokens } from '../../src/http/app-page-session.js';
import { startStack, type Stack } from '../e2e/harness.js';
import { act, launch, sessionOf, textOf, type PageSession } from './app-page-client.js';

const SECRET = 'app-session-secret-for-tests-0123456789abcdef';
const SEND = 'imbot.v2.Chat.Message.send';

interface Line { level: string; message: string; meta: LogMeta }

function recorder(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (message: string, meta: LogMeta = {}): void => void lines.push({ level, message, meta });
  return { log: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, lines };
}

// The app page as the portal opens it (DOC settings/oauth/simple-way.md: a POST into the iframe with
// AUTH_ID, member_id, APPLICATION_TOKEN; DOMAIN in the query), against the real server and emulator.
describe('app page /app', function () {
  this.timeout(30_000);
  let stack: Stack;
  let rec: ReturnType<typeof recorder>;
  let portalOrigin: string;

  before(async () => {
    rec = recorder();
    stack = await startStack({ env: { APP_SESSION_SECRET: SECRET }, log: rec.log });
    portalOrigin = new URL(stack.emu.portal.clientEndpoint).origin;
  });
  after(async () => stack?.close());
  beforeEach(() => void rec.lines.splice(0));

  // Every refusal is one warn line, and no other warn or error line is written for it.
  const refusals = (): Line[] => {
    const lines = rec.lines.filter((l) => l.level === 'warn' || l.level === 'error');
    expect(lines.every((l) => l.message.startsWith('request refused')), JSON.stringify(lines.map((l) => l.message))).to.equal(true);
    return lines;
  };
  const calls = (): string[] => stack.emu.portal.requests().map((r) => r.method);
  const snapshot = async (): Promise<unknown> => {
    const m = stack.emu.portal.memberId;
    return { portal: await stack.kit.store.getPortal(m), bots: await stack.kit.store.listBots(m), commands: await stack.kit.store.listCommands(m), emu: stack.emu.portal.bots() };
  };
  const open = async (): Promise<PageSession> => {
    const res = await launch(stack);
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    return sessionOf(res.text);
  };

  it('an administrator sees every bot with id, type, API, event mode, handler URL and command titles; verified with profile and user.admin', async () => {
    const before = calls().length;
    const res = await launch(stack);
    expect(res.status).to.equal(200);
    // The posted token is checked with the portal; the install state is asked with the stored token (app.info).
    expect(calls().slice(before).filter((m) => m !== 'app.info'), 'the token is checked with the portal, nothing else').to.deep.equal(['profile', 'user.admin']);
    const text = textOf(res.text);
    expect(text).to.contain('Install installed the portal says the installation is finished (app.info)');
    for (const bot of stack.emu.portal.bots()) {
      expect(res.text).to.contain(`data-bot="${bot.code}"`);
      expect(text).to.contain(`registered #${bot.id}`);
    }
    expect(text).to.contain(`${stack.url}/events current`);
    expect(text).to.contain('/echo');
    expect(text).to.contain('en Echo the text back');
    expect(text).to.match(/v2.*webhook/);
    expect(text).to.contain('administrator #1');
    const portal = await stack.kit.store.getPortal(stack.emu.portal.memberId);
    for (const secret of [portal?.accessToken, portal?.refreshToken, portal?.applicationToken]) expect(res.text).to.not.contain(secret ?? '-');
    expect(rec.lines.filter((l) => l.message === 'app page opened')).to.have.length(1);
  });

  it('names the portal in Content-Security-Policy frame-ancestors and needs no inline script or style', async () => {
    const res = await launch(stack);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).to.contain(`frame-ancestors ${portalOrigin}`);
    expect(csp).to.contain("default-src 'none'").and.contain("style-src 'self'").and.contain("form-action 'self'");
    expect(res.text).to.not.match(/<script|\sstyle="|<style/);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers['x-frame-options']).to.equal(undefined);
    const css = await request(`${stack.url}/app/style.css`);
    expect(css.statusCode).to.equal(200);
    expect(css.headers['content-type']).to.match(/^text\/css/);
    expect(await css.body.text()).to.contain('.bot{');
  });

  it('refuses a user who is not an administrator: 403 page, JSON for JSON clients, one log line, nothing changed', async () => {
    const userId = stack.emu.portal.users.add({ name: 'Jane Roe' });
    const before = await snapshot();
    const page = await launch(stack, { userId });
    expect(page.status).to.equal(403);
    expect(textOf(page.text)).to.contain('APP_NOT_ADMIN').and.contain(`user ${userId} is not an administrator`);
    expect(String(page.headers['content-security-policy'])).to.contain(`frame-ancestors ${portalOrigin}`);
    expect(page.text).to.not.contain('name="s"');
    const json = await launch(stack, { userId, accept: 'application/json' });
    expect(json.status).to.equal(403);
    expect(JSON.parse(json.text)).to.deep.equal({ error: 'APP_NOT_ADMIN', message: `user ${userId} is not an administrator of this portal; only administrators may manage the bots` });
    expect(refusals().map((l) => l.meta['code'])).to.deep.equal(['APP_NOT_ADMIN', 'APP_NOT_ADMIN']);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('refuses a forged AUTH_ID with 401 APP_AUTH_FAILED after the portal refused it; nothing changed', async () => {
    const before = await snapshot();
    const n = stack.emu.portal.requests().length;
    const res = await launch(stack, { authId: 'forged0123456789forged0123456789', accept: 'application/json' });
    expect(res.status).to.equal(401);
    expect(JSON.parse(res.text)).to.include({ error: 'APP_AUTH_FAILED' });
    expect(stack.emu.portal.requests().slice(n).map((r) => [r.method, r.status])).to.deep.equal([['profile', 401]]);
    expect(refusals()).to.have.length(1);
    expect(await snapshot()).to.deep.equal(before);
    // Nothing is cached: the same forged token is asked about again, and refused again.
    expect((await launch(stack, { authId: 'forged0123456789forged0123456789' })).status).to.equal(401);
    expect(stack.emu.portal.requests().length).to.equal(n + 2);
  });

  it('refuses before asking the portal: unknown member_id, another DOMAIN, a wrong APPLICATION_TOKEN, no AUTH_ID', async () => {
    const n = stack.emu.portal.requests().length;
    const cases: Array<[Parameters<typeof launch>[1], number, string]> = [
      [{ memberId: 'not-installed-portal' }, 401, 'APP_PORTAL_UNKNOWN'],
      [{ domain: 'evil.example' }, 401, 'APP_PORTAL_UNKNOWN'],
      [{ applicationToken: 'not-the-stored-application-token' }, 401, 'APP_AUTH_FAILED'],
      [{ applicationToken: null }, 401, 'APP_AUTH_FAILED'],
      [{ authId: '' }, 401, 'APP_AUTH_REQUIRED'],
    ];
    for (const [o, status, code] of cases) {
      const res = await launch(stack, { ...o, accept: 'application/json' });
      expect([res.status, JSON.parse(res.text).error], JSON.stringify(o)).to.deep.equal([status, code]);
    }
    expect(stack.emu.portal.requests().length, 'no request left').to.equal(n);
    expect(refusals()).to.have.length(cases.length);
    const get = await request(`${stack.url}/app?DOMAIN=x`);
    expect(get.statusCode).to.equal(401);
    expect(textOf(await get.body.text())).to.contain('APP_AUTH_REQUIRED');
    expect(String(get.headers['content-security-policy'])).to.contain("frame-ancestors 'none'");
  });

  it('answers 502 APP_VERIFY_UNAVAILABLE when the portal cannot be asked (reset, rate limit), and changes nothing', async () => {
    const before = await snapshot();
    for (const fault of [{ kind: 'reset' as const }, { kind: 'status' as const, status: 503, error: 'QUERY_LIMIT_EXCEEDED' }]) {
      const remove = stack.emu.faults.add({ method: 'profile', times: 1, ...fault });
      const res = await launch(stack, { accept: 'application/json' });
      remove();
      expect([res.status, JSON.parse(res.text).error], fault.kind).to.deep.equal([502, 'APP_VERIFY_UNAVAILABLE']);
    }
    expect(refusals().map((l) => l.meta['code'])).to.deep.equal(['APP_VERIFY_UNAVAILABLE', 'APP_VERIFY_UNAVAILABLE']);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('refuses a cross-site POST to an action even with a valid session and CSRF token; the sync does not run', async () => {
    const session = await open();
    const n = stack.emu.portal.requests().length;
    const none = undefined;
    const variants: Array<Record<string, string | undefined>> = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': none },
      { origin: 'null', 'sec-fetch-site': none },
      { origin: none, 'sec-fetch-site': 'same-site' },
      { origin: none, 'sec-fetch-site': none, referer: 'https://evil.example/page' },
    ];
    for (const headers of variants) {
      const res = await act(stack, '/sync', { ...session }, headers);
      expect(res.status, JSON.stringify(headers)).to.equal(403);
      expect(textOf(res.text)).to.contain('CSRF_ORIGIN_REFUSED');
    }
    expect(stack.emu.portal.requests().length, 'nothing was sent to the portal').to.equal(n);
  });

  it('refuses a missing or foreign CSRF token (403) and a forged, expired or absent session (401)', async () => {
    const a = await open();
    const b = await open();
    const n = stack.emu.portal.requests().length;
    const expect403 = async (fields: Record<string, string>): Promise<void> => {
      const res = await act(stack, '/sync', fields, { accept: 'application/json' });
      expect([res.status, JSON.parse(res.text).error]).to.deep.equal([403, 'CSRF_TOKEN_INVALID']);
    };
    await expect403({ s: a.s });
    await expect403({ s: a.s, csrf: b.csrf });
    await expect403({ s: a.s, csrf: '' });
    const [payload, mac] = a.s.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { m: string; u: number; e: number };
    const forged = `${Buffer.from(JSON.stringify({ ...claims, u: 99 })).toString('base64url')}.${mac}`;
    const foreign = new PageTokens({ secret: 'another-secret-another-secret-another-secret' }).issue(claims.m, 1).token;
    const expired = new PageTokens({ secret: SECRET, clock: () => Date.now() - 16 * 60_000 }).issue(claims.m, 1).token;
    const sessions: Array<[string, string]> = [[forged, 'forged'], [foreign, 'other secret'], [expired, 'expired'], ['', 'absent'], ['x.y.z', 'malformed']];
    for (const [s, what] of sessions) {
      const res = await act(stack, '/sync', { s, csrf: new PageTokens({ secret: SECRET }).csrf(s) }, { accept: 'application/json' });
      expect([res.status, JSON.parse(res.text).error], what).to.deep.equal([401, 'APP_SESSION_INVALID']);
    }
    // The same secret and a live expiry: accepted (the refusals above are about the session, not the test's signing).
    const live = new PageTokens({ secret: SECRET }).issue(claims.m, 1).token;
    expect((await act(stack, '/view', { s: live, csrf: new PageTokens({ secret: SECRET }).csrf(live) })).status).to.equal(200);
    expect(stack.emu.portal.requests().length, 'no sync ran').to.equal(n);
  });

  it('answers 405 to anything but POST on an action', async () => {
    for (const path of ['/sync', '/sync/plan', '/view', '/dead/1/retry', '/bots/echo/unregister']) {
      const res = await request(`${stack.url}/app${path}`, { headers: { accept: 'application/json' } });
      expect([res.statusCode, res.headers['allow']], path).to.deep.equal([405, 'POST']);
      expect(await res.body.json()).to.include({ error: 'METHOD_NOT_ALLOWED' });
    }
  });

  it('unregisters a bot after a confirmation, shows the plan that would bring it back, and runs that sync', async () => {
    const session = await open();
    const poll = stack.emu.portal.bots().find((b) => b.code === 'poll');
    const confirm = await act(stack, '/bots/poll/unregister', session);
    expect(confirm.status).to.equal(200);
    expect(textOf(confirm.text)).to.contain(`Unregister bot poll?`);
    expect(stack.emu.portal.bots().map((b) => b.code), 'nothing yet').to.include('poll');
    const done = await act(stack, '/bots/poll/unregister', { ...sessionOf(confirm.text), confirm: 'yes' });
    expect(done.status).to.equal(200);
    expect(textOf(done.text)).to.contain(`Bot poll (#${poll?.id}) was unregistered.`);
    expect(stack.emu.portal.bots().map((b) => b.code)).to.not.include('poll');
    const plan = await act(stack, '/sync/plan', sessionOf(done.text));
    expect(plan.status).to.equal(200);
    const planText = textOf(plan.text);
    expect(planText).to.contain('register bot poll').and.contain('Run sync');
    expect(stack.emu.portal.bots().map((b) => b.code), 'the plan changes nothing').to.not.include('poll');
    const result = await act(stack, '/sync', sessionOf(plan.text));
    expect(result.status).to.equal(200);
    expect(textOf(result.text)).to.contain('Sync finished').and.contain('done register bot poll');
    expect(stack.emu.portal.bots().map((b) => b.code)).to.include('poll');
    const again = await act(stack, '/sync/plan', sessionOf(result.text));
    expect(textOf(again.text)).to.contain('a sync would change nothing');
    expect((await act(stack, '/bots/nosuchbot/unregister', { ...session, confirm: 'yes' }, { accept: 'application/json' })).status).to.equal(404);
  });

  it('retries a dead letter (delivered through the emulator) and discards another after a confirmation', async () => {
    const fault = stack.emu.faults.add({ method: SEND, kind: 'status', status: 403, error: 'ACCESS_DENIED', errorDescription: 'not allowed', times: 2 });
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'first' });
    await stack.kit.idle();
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'second' });
    await stack.kit.idle();
    fault();
    const dead = await stack.kit.store.outboxDeadList(10, stack.emu.portal.memberId);
    expect(dead).to.have.length(2);
    const [newer, older] = dead as [typeof dead[0], typeof dead[0]];
    const page = await launch(stack);
    const text = textOf(page.text);
    expect(page.text).to.contain(`data-dead="${older.id}"`).and.contain(`data-dead="${newer.id}"`);
    expect(text).to.contain('ACCESS_DENIED').and.contain('outbox: reply dead-lettered');
    const before = stack.emu.portal.messages({ botCode: 'echo' }).length;
    const retried = await act(stack, `/dead/${older.id}/retry`, sessionOf(page.text));
    expect(retried.status).to.equal(200);
    expect(textOf(retried.text)).to.match(new RegExp(`Dead letter ${older.id} was queued again as reply \\d+`));
    const [delivered] = (await stack.emu.portal.waitForMessages(before + 1, { botCode: 'echo' })).slice(before);
    expect(delivered?.text).to.contain('first');
    const confirm = await act(stack, `/dead/${newer.id}/discard`, sessionOf(retried.text));
    expect(textOf(confirm.text)).to.contain(`Discard dead letter ${newer.id}?`);
    const discarded = await act(stack, `/dead/${newer.id}/discard`, { ...sessionOf(confirm.text), confirm: 'yes' });
    expect(textOf(discarded.text)).to.contain(`Dead letter ${newer.id} was discarded.`);
    expect(discarded.text).to.not.contain(`data-dead="${newer.id}"`);
    expect(await stack.kit.store.outboxDeadList(10, stack.emu.portal.memberId)).to.deep.equal([]);
    await stack.kit.idle();
    expect(stack.emu.portal.messages({ botCode: 'echo' }).map((m) => m.text).filter((t) => t.includes('second')), 'a discarded reply is never sent').to.deep.equal([]);
    const gone = await act(stack, `/dead/${newer.id}/retry`, sessionOf(discarded.text), { accept: 'application/json' });
    expect([gone.status, JSON.parse(gone.text).error]).to.deep.equal([404, 'APP_NOT_FOUND']);
  });
});

// DOC settings/app-installation/installation-finish.md: a UI app is "not installed" (no events) until its
// install page calls BX24.installFinish(); app.info says INSTALLED false meanwhile.
describe('app page /app: a half-finished install', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ log: recorder().log });
  });
  after(async () => stack?.close());

  it('shows that the install is not finished and why the bots get no events, then finished once it is', async () => {
    stack.emu.portal.beginUiInstall();
    const res = await launch(stack);
    expect(res.status).to.equal(200);
    const text = textOf(res.text);
    expect(text).to.contain('install not finished').and.contain('did not call BX24.installFinish()');
    expect((await stack.kit.store.getPortal(stack.emu.portal.memberId))?.status).to.equal('install_unfinished');
    const launchInstall = stack.emu.portal.openApp({ url: `${stack.url}/app`, install: `${stack.url}/install` });
    expect(launchInstall?.install).to.equal(true);
    expect(stack.emu.portal.finishInstall(launchInstall?.appSid ?? '')).to.equal(true);
    // A check that found the install unfinished is repeated at most every 15 s (install-state.ts): a new stack reads it afresh.
    await stack.restart();
    const after = textOf((await launch(stack)).text);
    expect(after).to.contain('Install installed').and.not.contain('install not finished');
  });
});
