import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions, type RestRequestLog } from '@b24-botkit/emulator';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, REDIS_URL, requireServices, testPrefix, type TestDatabase, type TestPrefix } from './services.js';

/** One server process of the cluster. */
export interface Instance {
  readonly index: number;
  /** Its own address (the proxy's upstream). */
  url: string;
  child: ChildProcess;
  /** Every JSON log line it printed. */
  logs: Array<Record<string, unknown>>;
  alive: boolean;
  /** Resolves with the first log line matching `pred` (past or future). */
  waitLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** A round-robin HTTP proxy in front of the instances (the cluster's one public address). */
export interface Proxy {
  url: string;
  /** Requests forwarded per instance index. */
  counts: number[];
  close(): Promise<void>;
}

/** N real server processes behind one proxy, the emulator, a fresh database and a fresh Redis prefix. */
export interface Cluster {
  emu: Emulator;
  proxy: Proxy;
  instances: Instance[];
  db: TestDatabase;
  redis: TestPrefix;
  env: Record<string, string>;
  /** Starts instance `i` again (after a kill), same port and data directory. */
  restart(i: number, extraEnv?: Record<string, string>): Promise<Instance>;
  /** SIGKILLs instance `i`. */
  kill(i: number): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  n?: number;
  env?: Record<string, string>;
  emulator?: EmulatorOptions;
  /** Extra environment for some instances (by index). */
  envFor?: (i: number) => Record<string, string>;
  /** Point every instance at an incoming webhook of the emulator's portal (B24_WEBHOOK_URL). */
  webhook?: boolean;
  /** Overrides of DATABASE_URL / REDIS_URL (a gate in front of the real service). */
  databaseUrl?: (url: string) => string;
  redisUrl?: string;
}

const quiet = createLogger({ silent: true });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function forward(target: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.url ?? '/', target);
    const out = httpRequest(u, { method: req.method, headers: { ...req.headers, host: u.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') }, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

/** Starts the round-robin proxy: each request goes to the next live instance (a refused connection tries the next). */
export async function startProxy(upstreams: () => Instance[]): Promise<Proxy> {
  let next = 0;
  const counts: number[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const all = upstreams();
      for (let tried = 0; tried < all.length; tried++) {
        const inst = all[next++ % all.length]!;
        if (!inst.alive || !inst.url) continue;
        try {
          const answer = await forward(inst.url, req, body);
          counts[inst.index] = (counts[inst.index] ?? 0) + 1;
          res.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        } catch {
          // the instance died under us: try the next one
        }
      }
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"NO_UPSTREAM"}');
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function spawnInstance(index: number, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const inst: Instance = {
    index, url: '', child, logs: [], alive: true,
    waitLog(pred, timeoutMs = 30_000) {
      const found = inst.logs.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`instance ${index}: no matching log line within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      });
    },
  };
  const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let buf = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      inst.logs.push(line);
      for (const w of waiters.filter((x) => x.pred(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.once('exit', (code, signal) => {
    inst.alive = false;
    if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && code !== 0) {
      process.stderr.write(`instance ${index} died (${code ?? signal}):\n${stderr.slice(-2000)}\n${JSON.stringify(inst.logs.slice(-5))}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`instance ${index} exited (${code}) before listening: ${stderr.slice(-2000)}`)));
    void inst.waitLog((l) => l['msg'] === 'server listening', 60_000).then((l) => {
      inst.url = String(l['url']);
      resolve(inst);
    }, reject);
  });
}

/**
 * Starts a cluster: a fresh database and Redis prefix, the emulator, a round-robin proxy (the `PUBLIC_URL`
 * of every instance) and `n` real server processes (`src/main.ts`), each with its own PORT and DATA_DIR.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  await requireServices();
  const n = opts.n ?? 3;
  const db = await createTestDatabase();
  const redis = testPrefix();
  const emu = await startEmulator({ log: quiet, rateLimit: null, ...opts.emulator });
  const instances: Instance[] = [];
  const proxy = await startProxy(() => instances);
  const dirs = Array.from({ length: n }, () => mkdtempSync(join(tmpdir(), 'botkit-cluster-')));
  const env: Record<string, string> = {
    HOST: '127.0.0.1', PUBLIC_URL: proxy.url, DATABASE_URL: opts.databaseUrl?.(db.url) ?? db.url, REDIS_URL: opts.redisUrl ?? REDIS_URL,
    REDIS_PREFIX: redis.prefix, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_CLIENT_ID: emu.clientId, B24_CLIENT_SECRET: emu.clientSecret,
    B24_OAUTH_URL: emu.oauthUrl, B24_POLL_INTERVAL_MS: '100', LOG_LEVEL: 'info',
    ...(opts.webhook ? { B24_WEBHOOK_URL: emu.portal.createWebhook({ userId: 1 }) } : {}), ...opts.env,
  };
  const envOf = (i: number, port: string): Record<string, string> => ({ ...env, PORT: port, DATA_DIR: dirs[i]!, ...opts.envFor?.(i) });
  try {
    instances.push(...await Promise.all(dirs.map((_, i) => spawnInstance(i, envOf(i, '0')))));
  } catch (e) {
    await proxy.close();
    await emu.close();
    await db.drop();
    throw e;
  }
  const cluster: Cluster = {
    emu, proxy, instances, db, redis, env,
    async restart(i, extra = {}) {
      const port = new URL(instances[i]!.url).port;
      instances[i] = await spawnInstance(i, { ...envOf(i, port), ...extra });
      return instances[i];
    },
    async kill(i) {
      const inst = instances[i]!;
      inst.alive = false;
      if (inst.child.exitCode === null && inst.child.signalCode === null) {
        inst.child.kill('SIGKILL');
        await once(inst.child, 'exit');
      }
    },
    async close() {
      await Promise.all(instances.map(async (inst) => {
        if (inst.child.exitCode !== null || inst.child.signalCode !== null) return;
        inst.child.kill('SIGTERM');
        const exited = once(inst.child, 'exit');
        const timer = setTimeout(() => inst.child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }));
      await proxy.close();
      await emu.close();
      await db.drop();
      await redis.cleanup();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  return cluster;
}

/**
 * How much of a portal's bucket the sends after `from` (unix ms) used: sends / what the bucket allowed in
 * that window, i.e. `rate × window + (burst - level at the window's start)` (the emulator logs its bucket
 * level with every request).
 */
export function bucketUtilisation(log: RestRequestLog[], method: string, from: number, bucket: { rate: number; burst: number }): { value: number; sends: number; windowS: number } {
  const before = log.filter((r) => r.at <= from).at(-1);
  const sent = log.filter((r) => r.at > from && r.method === method && r.status === 200);
  const last = sent.at(-1)?.at ?? from;
  const windowS = (last - from) / 1000;
  const startLevel = Math.max(0, (before?.bucketLevel ?? 0) - (bucket.rate * (from - (before?.at ?? from))) / 1000);
  return { value: sent.length / (bucket.rate * windowS + bucket.burst - startLevel), sends: sent.length, windowS };
}
