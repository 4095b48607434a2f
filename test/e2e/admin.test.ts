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

  it('re-syncs a portal: a bot forgotten locally is registered again', async () => {
    const memberId = stack.emu.portal.memberId;
    await stack.kit.store.deleteBot(memberId, 'poll');
    const res = await request(`${stack.url}/admin/portals/${memberId}/sync`, { method: 'POST', headers: { ...auth, accept: 'application/json' } });
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
