import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { exited, spawnTs, waitForOutput } from '../helpers/child.js';

const ADMIN_TOKEN = 'crash-test-admin-0123456789';

interface Child {
  proc: ChildProcess;
  url: string;
}

async function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawnTs('test/e2e/fixtures/server-child.ts', [], env);
  const [, url = ''] = await waitForOutput(proc, /READY (\S+)/);
  return { proc, url };
}

describe('e2e intake: crash after ack, before handling', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let dataDir: string;
  const children: ChildProcess[] = [];

  before(async () => {
    emu = await startEmulator({ rateLimit: null });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-crash-'));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('handles the acknowledged event exactly once after SIGKILL and restart; SIGTERM exits 0', async () => {
    const base = {
      HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', LOG_LEVEL: 'error',
      B24_CLIENT_ID: 'local.emulator.app', B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: emu.oauthUrl,
    };
    const first = await startChild({ ...base, PORT: '0', HANG: '1' });
    children.push(first.proc);
    expect((await emu.portal.install(`${first.url}/install`)).status).to.equal(200);
    const sent = await emu.portal.sendMessage({ from: 1, to: 'slow', text: 'survive me' });
    expect(sent.deliveries.map((d) => d.status)).to.deep.equal([200]);
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    expect(emu.portal.messages({ botCode: 'slow' })).to.have.length(0);

    // The restart gets a fresh port: the killed process's port is never reused (another process may hold
    // it by now); the acknowledged event is resumed from the inbox, whatever the URL.
    const second = await startChild({ ...base, PORT: '0', ADMIN_TOKEN });
    children.push(second.proc);
    expect(second.url).to.not.equal(first.url);
    const [reply] = await emu.portal.waitForMessages(1, { botCode: 'slow' }, 15_000);
    expect(reply?.text).to.equal('handled: survive me');

    const health = await request(`${second.url}/admin/health`, { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } });
    expect(((await health.body.json()) as { pending: number }).pending).to.equal(0);
    second.proc.kill('SIGTERM');
    expect(await exited(second.proc)).to.equal(0);
    expect(emu.portal.messages({ botCode: 'slow' })).to.have.length(1);
  });

  it('a handler re-run after a crash does not post its reply twice (stable templateId)', async () => {
    const dataDir2 = await mkdtemp(path.join(os.tmpdir(), 'botkit-crash-'));
    const base = {
      HOST: '127.0.0.1', DATA_DIR: dataDir2, B24_PORTAL_HOSTS: '127.0.0.1:*', LOG_LEVEL: 'error',
      B24_CLIENT_ID: 'local.emulator.app', B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: emu.oauthUrl,
    };
    try {
      const first = await startChild({ ...base, PORT: '0' });
      children.push(first.proc);
      expect((await emu.portal.install(`${first.url}/install`)).status).to.equal(200);
      // The send runs on the portal, then its answer never comes (after: true): the restarted process re-sends it.
      const removeFault = emu.faults.add({ method: 'imbot.v2.Chat.Message.send', kind: 'timeout', after: true });
      const sendSeen = new Promise<void>((resolve) => {
        const off = emu.portal.onRequest((r) => {
          if (r.method === 'imbot.v2.Chat.Message.send' || r.batchSize !== undefined) {
            off();
            resolve();
          }
        });
      });
      const user = emu.portal.users.add({ name: 'Once' });
      await emu.portal.sendMessage({ from: user, to: 'slow', text: 'once only' });
      await sendSeen;
      first.proc.kill('SIGKILL');
      await exited(first.proc);
      removeFault();

      const resent = new Promise<void>((resolve) => {
        const off = emu.portal.onRequest((r) => {
          if ((r.method === 'imbot.v2.Chat.Message.send' || r.batchSize !== undefined) && r.status === 200) {
            off();
            resolve();
          }
        });
      });
      const second = await startChild({ ...base, PORT: '0' });
      children.push(second.proc);
      await resent;
      second.proc.kill('SIGTERM');
      expect(await exited(second.proc)).to.equal(0);
      expect(emu.portal.messages({ botCode: 'slow', dialogId: String(user) }).map((m) => m.text)).to.deep.equal(['handled: once only']);
    } finally {
      await rm(dataDir2, { recursive: true, force: true });
    }
  });
});
