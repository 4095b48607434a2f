import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startEmulator, type AppLaunch, type Emulator } from '@b24-botkit/emulator';
import { request } from 'undici';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createBotkit, type Botkit } from '../../src/server.js';

/** The real server and the real emulator on loopback, the server's log lines captured. */
export interface InstallRig {
  emu: Emulator;
  kit: Botkit;
  url: string;
  /** Every log line of the server (info and up), parsed. */
  lines: Array<Record<string, unknown>>;
  /** The server's clock: tests move it forward. */
  clock: { now: number };
  /** Stops the server and starts a new one on the same data directory (`kit` and `url` change). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the emulator, then the server as an OAuth app of it (not installed), loading the frame library
 * from the emulator (`BX24_SCRIPT_URL=<emulator>/api/v1/`) and the example bots.
 */
export async function installRig(): Promise<InstallRig> {
  const emu = await startEmulator({ rateLimit: null, log: createLogger({ silent: true }) });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-install-'));
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', stream: new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c)) as Record<string, unknown>); cb(); } }) });
  const clock = { now: Date.now() };
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_CLIENT_ID: emu.clientId,
    B24_CLIENT_SECRET: emu.clientSecret, B24_OAUTH_URL: emu.oauthUrl, BX24_SCRIPT_URL: `${emu.url}/api/v1/`,
  });
  const kit = await createBotkit({ config, log, clock: () => clock.now });
  const rig: InstallRig = {
    emu, kit, url: await kit.start(), lines, clock,
    async restart() {
      await rig.kit.stop(2000);
      rig.kit = await createBotkit({ config, log, clock: () => clock.now });
      rig.url = await rig.kit.start();
    },
    async close() {
      await rig.kit.stop(2000);
      await emu.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** A server answer: status, headers and the body as text. */
export interface PageAnswer {
  status: number;
  type: string;
  csp: string;
  text: string;
}

/** POSTs what the portal's frame posts (the launch form, form-encoded) to `url` (default: the launch's own URL). */
export async function postLaunch(launch: AppLaunch, opts: { url?: string; form?: Record<string, string>; json?: boolean } = {}): Promise<PageAnswer> {
  const res = await request(opts.url ?? launch.url, {
    method: 'POST', body: new URLSearchParams({ ...launch.form, ...opts.form }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: opts.json ? 'application/json' : 'text/html,*/*;q=0.8' },
  });
  return {
    status: res.statusCode, type: String(res.headers['content-type'] ?? ''), csp: String(res.headers['content-security-policy'] ?? ''),
    text: await res.body.text(),
  };
}
