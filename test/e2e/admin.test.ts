import { expect } from 'chai';
import { request } from 'undici';
import { startStack, type Stack } from './harness.js';

const TOKEN = 'admin-password-0123456789';
const auth = { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` };

describe('e2e admin page', function () {
  this.timeout(20_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { ADMIN_TOKEN: TOKEN } });
  });
  after(async () => stack.close());

  it('refuses without the password', async () => {
    const res = await request(`${stack.url}/admin`);
    expect(res.statusCode).to.equal(401);
    expect(res.headers['www-authenticate']).to.contain('Basic');
    expect(await res.body.json()).to.deep.equal({ error: 'ADMIN_AUTH_REQUIRED', message: 'admin password required' });
  });

  it('shows portals, bots and commands, and no secret', async () => {
    const res = await request(`${stack.url}/admin`, { headers: auth });
    expect(res.statusCode).to.equal(200);
    const html = await res.body.text();
    const portal = await stack.kit.store.getPortal(stack.emu.portal.memberId);
    for (const part of [stack.emu.portal.memberId, 'echo', 'helpdesk', '/ticket#']) expect(html).to.contain(part);
    for (const secret of [portal?.accessToken, portal?.refreshToken, portal?.applicationToken]) expect(html).to.not.contain(secret ?? '-');
  });

  it('/healthz without auth shows the status only: no bot codes, queue sizes or outbox counters', async () => {
    const res = await request(`${stack.url}/healthz`);
    expect(res.statusCode).to.equal(200);
    expect(await res.body.json()).to.deep.equal({ status: 'ok' });
  });

  it('/admin/health shows the details behind the admin password', async () => {
    const refused = await request(`${stack.url}/admin/health`);
    expect(refused.statusCode).to.equal(401);
    expect(await refused.body.json()).to.have.property('error', 'ADMIN_AUTH_REQUIRED');
    const res = await request(`${stack.url}/admin/health`, { headers: auth });
    expect(res.statusCode).to.equal(200);
    const body = (await res.body.json()) as Record<string, unknown>;
    expect(body).to.include({ status: 'ok', portals: 1, pending: 0 });
    expect(body['bots']).to.include.members(['echo', 'helpdesk', 'poll']);
    expect(body['outbox']).to.have.keys(['pending', 'delivered', 'dead', 'retries']);
  });

  /** The CSRF token scripts read from the state JSON. */
  const csrfToken = async (): Promise<string> => {
    const state = (await (await request(`${stack.url}/admin/api/state`, { headers: auth })).body.json()) as { csrfToken: string };
    return state.csrfToken;
  };

  it('can be framed by no one: X-Frame-Options DENY and frame-ancestors none on every answer', async () => {
    for (const path of ['/admin', '/admin/api/state', '/admin/health']) {
      const res = await request(`${stack.url}${path}`, { headers: auth });
      await res.body.dump();
      expect([res.statusCode, res.headers['x-frame-options'], res.headers['content-security-policy']], path).to.deep.equal([200, 'DENY', "frame-ancestors 'none'"]);
    }
    const refused = await request(`${stack.url}/admin`);
    await refused.body.dump();
    expect(refused.headers['x-frame-options']).to.equal('DENY');
  });

  it('refuses a cross-site POST with cached Basic credentials (the measured bug: Origin https://evil.example ran a sync); nothing is sent', async () => {
    const memberId = stack.emu.portal.memberId;
    const n = stack.emu.portal.requests().length;
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { referer: 'https://evil.example/x' }]) {
      const res = await request(`${stack.url}/admin/portals/${memberId}/sync`, {
        method: 'POST', headers: { ...auth, ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(await csrfToken())}`,
      });
      expect(res.statusCode, JSON.stringify(headers)).to.equal(403);
      expect(await res.body.json()).to.include({ error: 'CSRF_ORIGIN_REFUSED' });
    }
    expect(stack.emu.portal.requests().length, 'no sync ran').to.equal(n);
  });

  it('refuses an action without a valid CSRF token, and answers 405 to a GET', async () => {
    const memberId = stack.emu.portal.memberId;
    const n = stack.emu.portal.requests().length;
    for (const token of [undefined, '', '9999999999999.forged', '1.abc']) {
      const res = await request(`${stack.url}/admin/portals/${memberId}/sync`, {
        method: 'POST', headers: { ...auth, accept: 'application/json', ...(token === undefined ? {} : { 'x-csrf-token': token }) },
      });
      expect(res.statusCode, String(token)).to.equal(403);
      expect(await res.body.json()).to.include({ error: 'CSRF_TOKEN_INVALID' });
    }
    const get = await request(`${stack.url}/admin/portals/${memberId}/sync`, { headers: auth });
    expect([get.statusCode, get.headers['allow']]).to.deep.equal([405, 'POST']);
    expect(await get.body.json()).to.include({ error: 'METHOD_NOT_ALLOWED' });
    expect(stack.emu.portal.requests().length, 'no sync ran').to.equal(n);
  });

  it('runs a sync from the page form (same origin, the CSRF field of the page) and redirects back', async () => {
    const html = await (await request(`${stack.url}/admin`, { headers: auth })).body.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const before = stack.emu.portal.requests().length;
    const res = await request(`${stack.url}/admin/portals/${stack.emu.portal.memberId}/sync`, {
      method: 'POST', headers: { ...auth, origin: stack.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect([res.statusCode, res.headers['location']]).to.deep.equal([303, '/admin']);
    // The sync ran: it read the app's bots from the portal (a redirect alone would pass without it).
    expect(stack.emu.portal.requests().slice(before).map((r) => r.method), 'the sync read the portal').to.satisfy((m: string[]) => m.some((x) => /bot\.list$/i.test(x)));
  });

  it('retries a dead letter (the emulator gets it) and discards another', async () => {
    const memberId = stack.emu.portal.memberId;
    const fault = stack.emu.faults.add({ method: 'imbot.v2.Chat.Message.send', kind: 'status', status: 403, error: 'ACCESS_DENIED', times: 2 });
    for (const text of ['one', 'two']) {
      await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text });
      await stack.kit.idle();
    }
    fault();
    const dead = await stack.kit.store.outboxDeadList(10, memberId);
    expect(dead).to.have.length(2);
    const [two, one] = dead as [typeof dead[0], typeof dead[0]];
    const html = await (await request(`${stack.url}/admin`, { headers: auth })).body.text();
    expect(html).to.contain(`/admin/dead/${one.id}/retry`).and.contain(`/admin/dead/${two.id}/discard`);
    const post = (path: string) => request(`${stack.url}/admin${path}`, { method: 'POST', headers: { ...auth, accept: 'application/json' } });
    const headers = { ...auth, accept: 'application/json', 'x-csrf-token': await csrfToken() };
    const before = stack.emu.portal.messages({ botCode: 'echo' }).length;
    const retried = await request(`${stack.url}/admin/dead/${one.id}/retry`, { method: 'POST', headers });
    expect(retried.statusCode).to.equal(200);
    expect(await retried.body.json()).to.include({ status: 'queued' });
    await stack.kit.idle();
    expect(stack.emu.portal.messages({ botCode: 'echo' }).slice(before).map((m) => m.text)).to.deep.equal(['You said: one']);
    const discarded = await request(`${stack.url}/admin/dead/${two.id}/discard`, { method: 'POST', headers });
    expect([discarded.statusCode, await discarded.body.json()]).to.deep.equal([200, { discarded: two.id }]);
    expect(await stack.kit.store.outboxDeadList(10)).to.deep.equal([]);
    const again = await request(`${stack.url}/admin/dead/${two.id}/discard`, { method: 'POST', headers });
    expect([again.statusCode, ((await again.body.json()) as { error: string }).error]).to.deep.equal([404, 'APP_NOT_FOUND']);
    expect((await post(`/dead/${one.id}/retry`)).statusCode, 'no token').to.equal(403);
  });

  it('re-syncs a portal: a bot forgotten locally is registered again', async () => {
    const memberId = stack.emu.portal.memberId;
    await stack.kit.store.deleteBot(memberId, 'poll');
    const res = await request(`${stack.url}/admin/portals/${memberId}/sync`, { method: 'POST', headers: { ...auth, accept: 'application/json', 'x-csrf-token': await csrfToken() } });
    expect(res.statusCode).to.equal(200);
    const report = (await res.body.json()) as { bots: Array<{ code: string; botId: number | null }> };
    const poll = report.bots.find((b) => b.code === 'poll');
    expect(poll?.botId).to.equal(stack.emu.portal.bots().find((b) => b.code === 'poll')?.id);
    expect((await stack.kit.store.listCommands(memberId, 'poll')).map((c) => c.command)).to.include('poll');
  });
});

describe('e2e bots CLI', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  it('lists, re-syncs and re-points bots after a PUBLIC_URL change, from another process on the same data directory', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const env = { ...process.env, ...Object.fromEntries(Object.entries({
      DATA_DIR: stack.dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_CLIENT_ID: 'local.emulator.app',
      B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: stack.emu.oauthUrl, PUBLIC_URL: stack.url,
    })) };
    const run = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/botkit.ts', ...args, '--json'], { env });
    const list = JSON.parse((await run('list')).stdout) as { portals: Array<{ memberId: string; bots: Array<{ code: string }> }> };
    expect(list.portals[0]?.memberId).to.equal(stack.emu.portal.memberId);
    expect(list.portals[0]?.bots.map((b) => b.code)).to.include.members(['echo', 'helpdesk', 'poll']);
    const before = stack.emu.portal.requests().length;
    const synced = JSON.parse((await run('sync')).stdout) as Array<{ bots: Array<{ code: string; botId: number }> }>;
    expect(synced[0]?.bots.map((b) => b.code)).to.include('echo');
    // A sync reads the portal (Bot.list, Command.list); nothing differs, so it changes nothing.
    const changed = stack.emu.portal.requests().slice(before).filter((r) => !/\.(list|get)$/.test(r.method));
    expect(changed.map((r) => r.method), 'nothing was missing, nothing registered').to.deep.equal([]);
    const moved = { ...env, PUBLIC_URL: 'http://127.0.0.1:9/moved' };
    const runMoved = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/botkit.ts', ...args, '--json'], { env: moved });
    await runMoved('sync');
    expect(stack.emu.portal.bots().map((b) => b.webhookUrl)).to.deep.equal(['http://127.0.0.1:9/moved/events', 'http://127.0.0.1:9/moved/events', 'http://127.0.0.1:9/moved/events']);
    await run('sync');
    expect(stack.emu.portal.bots().every((b) => b.webhookUrl === `${stack.url}/events`)).to.equal(true);
    const err = await run('frobnicate').then(() => null, (e: { stderr: string; code: number }) => e);
    expect(err?.code, 'usage error').to.equal(2);
    expect(err?.stderr).to.contain('usage: b24-botkit');
  });
});
