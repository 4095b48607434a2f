/**
 * Issue 8, installs under a forged-install flood: 16 forged senders for 10 s (each sends its next forged
 * ONAPPINSTALL as soon as the last is answered) while 28 genuine installs from 28 emulated portals arrive
 * at an even pace. The forgeries name allowlisted hosts (B24_PORTAL_HOSTS=127.0.0.1:*): 6 a host that
 * accepts connections and never answers, 5 the genuine portals' own host, 5 another portal host, all with
 * made-up tokens. Genuine install success rate must be 100 %; install time under the flood is compared
 * with the same installs without it, in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { loadConfig } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/log.js';
import { encodePhpForm } from '../../src/protocol/php-form.js';
import { createBotkit, type Botkit } from '../../src/server.js';
import { quick as isQuick, round, type BenchResult } from './result.js';

const GENUINE = 28;
const SENDERS = { hanging: 6, sameHost: 5, otherHost: 5 };

interface Rig {
  emu: Emulator;
  other: Emulator;
  kit: Botkit;
  url: string;
  dataDir: string;
}

async function startRig(): Promise<Rig> {
  const log = createLogger({ silent: true });
  const emu = await startEmulator({ rateLimit: null, log });
  const other = await startEmulator({ rateLimit: null, log });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-install-bench-'));
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', LOG_LEVEL: 'error',
    B24_CLIENT_ID: 'local.emulator.app', B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: emu.oauthUrl,
  });
  const kit = await createBotkit({ config, log });
  return { emu, other, kit, url: await kit.start(), dataDir };
}

async function hangingHost(): Promise<{ host: string; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => void sockets.add(s.on('error', () => undefined)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

let forgedN = 0;
function forgedBody(host: string, endpoint: string): string {
  const n = ++forgedN;
  return encodePhpForm({
    event: 'ONAPPINSTALL', data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' }, ts: String(Math.floor(Date.now() / 1000)),
    auth: {
      access_token: `forged-${n}`, refresh_token: `forged-${n}`, expires_in: '3600', scope: 'imbot', domain: host,
      client_endpoint: endpoint, server_endpoint: endpoint, member_id: `forged-${n}`, application_token: `forged-${n}`, status: 'L', user_id: '1',
    },
  });
}

/** One forged sender: posts forged installs back to back until `until`; returns the statuses it got. */
async function sender(url: string, host: string, endpoint: string, until: number): Promise<number[]> {
  const statuses: number[] = [];
  while (Date.now() < until) {
    try {
      const res = await request(`${url}/install`, {
        method: 'POST', body: forgedBody(host, endpoint), headers: { 'content-type': 'application/x-www-form-urlencoded' },
        headersTimeout: 60_000, bodyTimeout: 60_000,
      });
      await res.body.dump();
      statuses.push(res.statusCode);
    } catch {
      statuses.push(0);
    }
  }
  return statuses;
}

/** `count` genuine installs, one every `gapMs`, each from a new portal; resolves with [ok, ms] per install. */
async function genuineInstalls(rig: Rig, count: number, gapMs: number): Promise<Array<[boolean, number]>> {
  const runs: Array<Promise<[boolean, number]>> = [];
  for (let i = 0; i < count; i++) {
    const portal = rig.emu.createPortal();
    const t0 = performance.now();
    runs.push(portal.install(`${rig.url}/install`).then(
      async (a) => [a.status === 200 && (await rig.kit.store.getPortal(portal.memberId))?.status === 'active', performance.now() - t0] as [boolean, number],
      () => [false, performance.now() - t0] as [boolean, number],
    ));
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return Promise.all(runs);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs the forged-install flood benchmark. */
export async function run(): Promise<BenchResult[]> {
  const seconds = isQuick() ? 5 : 10;
  const rig = await startRig();
  const hang = await hangingHost();
  try {
    const baseline = await genuineInstalls(rig, 8, 50);
    const until = Date.now() + seconds * 1000;
    const emuHost = new URL(rig.emu.url).host;
    const otherHost = new URL(rig.other.url).host;
    const floods = [
      ...Array.from({ length: SENDERS.hanging }, () => sender(rig.url, hang.host, `http://${hang.host}/rest/`, until)),
      ...Array.from({ length: SENDERS.sameHost }, () => sender(rig.url, emuHost, rig.emu.portal.clientEndpoint, until)),
      ...Array.from({ length: SENDERS.otherHost }, () => sender(rig.url, otherHost, rig.other.portal.clientEndpoint, until)),
    ];
    const genuine = await genuineInstalls(rig, GENUINE, (seconds * 1000) / GENUINE);
    hang.close(); // the hanging host's waiting verifications fail now instead of after their timeout
    const forged = (await Promise.all(floods)).flat();
    const ok = genuine.filter(([good]) => good).length;
    const rate = ok / GENUINE;
    const refusedForLoad = forged.filter((s) => s === 503).length;
    const b = `${GENUINE} genuine installs during ${seconds} s of 16 forged senders`;
    const [under, idle] = [median(genuine.map(([, ms]) => ms)), median(baseline.map(([, ms]) => ms))];
    return [
      { bench: b, metric: 'forged installs answered (4xx) / refused for load (503) / no answer', value: forged.filter((s) => s >= 400 && s < 500).length, unit: `/ ${refusedForLoad} / ${forged.filter((s) => s === 0).length}` },
      { bench: b, metric: 'genuine installs succeeded', value: ok, unit: `of ${GENUINE}` },
      { bench: b, metric: 'genuine install success rate', value: round(rate, 3), unit: 'ratio', target: '= 1 (100 %)', ok: rate === 1 },
      { bench: b, metric: 'genuine install time, median under the flood', value: Math.round(under), unit: 'ms' },
      { bench: b, metric: 'genuine install time under the flood / without it (same run)', value: round(under / Math.max(1, idle)), unit: 'x' },
      { bench: b, metric: 'genuine install time, slowest under the flood', value: Math.round(Math.max(...genuine.map(([, ms]) => ms))), unit: 'ms' },
    ];
  } finally {
    hang.close();
    await rig.kit.stop(2000);
    await rig.emu.close();
    await rig.other.close();
    await rm(rig.dataDir, { recursive: true, force: true });
  }
}
