import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { BotkitError } from '../../src/errors.js';
import { startEmulator } from '../../src/emulator/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createBotkit } from '../../src/server.js';
import { encodePhpForm } from '../../src/protocol/php-form.js';
import { startStack, type Stack } from './harness.js';

/** Sends raw bytes over TCP and resolves with everything the server wrote before closing. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let out = '';
    socket.on('data', (c: Buffer) => (out += String(c)));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

function jsonOf(response: string): Record<string, unknown> {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

/** Occupies a loopback port (like another process would) and returns it. */
async function takePort(): Promise<{ port: number; blocker: Server }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return { port: (blocker.address() as AddressInfo).port, blocker };
}

/** Runs an entry point through tsx; resolves with its exit code and all it printed. */
function run(file: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += String(c)));
  child.stderr.on('data', (c: Buffer) => (out += String(c)));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

describe('e2e: wire-level refusals and a taken port', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  it('answers a gzip-encoded event 415 BODY_ENCODED (the platform sends plain bodies), touching nothing', async () => {
    const body = gzipSync(encodePhpForm({ event: 'ONIMBOTV2MESSAGEADD', auth: { member_id: stack.emu.portal.memberId } }));
    const res = await request(`${stack.url}/events`, {
      method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).to.equal(415);
    expect(await res.body.json()).to.have.property('error', 'BODY_ENCODED');
    expect(await stack.kit.store.inboxPending(10)).to.have.length(0);
  });

  it('still accepts an explicit identity encoding', async () => {
    const res = await request(`${stack.url}/events`, {
      method: 'POST', body: 'event=X', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'identity' },
    });
    expect(res.statusCode).to.equal(400);
    expect(await res.body.json()).to.have.property('error', 'EVENT_INVALID');
  });

  it('answers oversized headers 431 with a JSON error body, then closes', async () => {
    const out = await rawExchange(stack.url, `POST /events HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(out).to.match(/^HTTP\/1\.1 431 /);
    expect(out).to.match(/content-type: application\/json/i);
    expect(jsonOf(out)).to.deep.include({ error: 'REQUEST_HEADERS_TOO_LARGE' });
  });

  it('answers a request that is not HTTP 400 with a JSON error body, then closes', async () => {
    const out = await rawExchange(stack.url, 'HELLO THERE\r\n\r\n');
    expect(out).to.match(/^HTTP\/1\.1 400 /);
    expect(jsonOf(out)).to.deep.include({ error: 'REQUEST_BAD' });
  });

  it('start() on a taken port rejects LISTEN_FAILED naming the port (not a TypeError)', async () => {
    const { port, blocker } = await takePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-port-'));
    const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_WEBHOOK_URL: stack.emu.portal.createWebhook({ userId: 1 }) });
    const kit = await createBotkit({ config, log: createLogger({ silent: true }) });
    try {
      const err = await kit.start().then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(BotkitError).and.to.have.property('code', 'LISTEN_FAILED');
      expect((err as Error).message).to.contain(`127.0.0.1:${port}`).and.to.contain('EADDRINUSE');
    } finally {
      await kit.stop(1000).catch(() => undefined);
      blocker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('the emulator on a taken port rejects LISTEN_FAILED', async () => {
    const { port, blocker } = await takePort();
    try {
      const err = await startEmulator({ port }).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(BotkitError).and.to.have.property('code', 'LISTEN_FAILED');
      expect((err as Error).message).to.contain(String(port));
    } finally {
      blocker.close();
    }
  });

  it('npm start, npm run emulator and npm run chat on a taken port exit 1 with one log line', async () => {
    const { port, blocker } = await takePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-port-'));
    try {
      const [server, emulator, chat] = await Promise.all([
        run('src/main.ts', { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_WEBHOOK_URL: stack.emu.portal.createWebhook({ userId: 1 }), LOG_LEVEL: 'info' }),
        run('src/cli/emulator.ts', { EMULATOR_PORT: String(port) }),
        run('src/cli/chat.ts', { CI: '1' }, ['--port', String(port), '--no-open', '--json']),
      ]);
      for (const { code, out } of [server, emulator, chat]) {
        expect(code, out).to.equal(1);
        const lines = out.trim().split('\n').filter((l) => /LISTEN_FAILED|EADDRINUSE/.test(l));
        expect(lines, out).to.have.length(1);
        expect(lines[0]).to.contain(String(port)).and.to.contain('LISTEN_FAILED');
        expect(out).to.not.contain('TypeError').and.to.not.contain('    at ');
      }
    } finally {
      blocker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
