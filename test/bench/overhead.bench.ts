/**
 * Client overhead: CPU time per call on a warm keep-alive connection, as a ratio to a bare
 * `undici.request` of the same call (JSON body, JSON answer parsed). The portal is a fixed-answer
 * server in another process, so only client-side CPU is counted.
 */
import { Agent, request } from 'undici';
import { createLogger } from '../../src/log.js';
import { PromMetrics } from '../../src/metrics/prometheus.js';
import { parseHostPatterns } from '../../src/http/host-allowlist.js';
import { createRestClient, type RestClient } from '../../src/rest/client.js';
import type { BucketKind } from '../../src/rest/limiter.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { quick, type BenchResult } from './result.js';
import { startEchoServer } from './spawn.js';

const PARAMS = { botId: 5, botToken: 'bench-token', dialogId: '1', fields: { message: 'hello from the overhead bench', templateId: 'x' } };
const METHOD = 'imbot.v2.Chat.Message.send';

interface Measure {
  cpuUs: number;
  wallUs: number;
}

async function measure(n: number, fn: () => Promise<unknown>): Promise<Measure> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / n, wallUs: ((performance.now() - t0) * 1000) / n };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Warms every variant up, then measures them interleaved over several rounds; medians per variant. */
async function compare(variants: Record<string, () => Promise<unknown>>, n: number, rounds: number): Promise<Record<string, Measure>> {
  for (const fn of Object.values(variants)) await measure(300, fn);
  const samples: Record<string, Measure[]> = {};
  const entries = Object.entries(variants);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order every round, so no variant always runs right after another one's garbage.
    for (let i = 0; i < entries.length; i++) {
      const [name, fn] = entries[(i + r) % entries.length] as [string, () => Promise<unknown>];
      (samples[name] ??= []).push(await measure(Math.ceil(n / rounds), fn));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { cpuUs: median(v.map((m) => m.cpuUs)), wallUs: median(v.map((m) => m.wallUs)) }]));
}

async function client(url: string, agent: Agent, batching: boolean, limiter: BucketKind, metered = false): Promise<RestClient> {
  const store = createMemoryStore();
  await store.savePortal({
    memberId: 'bench', domain: '127.0.0.1', clientEndpoint: `${url}/rest/1/code/`, authMode: 'webhook', applicationToken: null,
    accessToken: null, refreshToken: null, expiresAt: null, status: 'active', rateLimit: null, installedAt: 1, updatedAt: 1,
  });
  return createRestClient({
    store, oauth: null, rateLimit: { rate: 1e6, burst: 1e6 }, portalHosts: parseHostPatterns('127.0.0.1:*'),
    log: createLogger({ silent: true }), dispatcher: agent, batching, limiter, ...(metered ? { metrics: new PromMetrics({ processMetrics: false }) } : {}),
  });
}

/** Runs the overhead benchmark. */
export async function run(): Promise<BenchResult[]> {
  const n = quick() ? 1500 : 6000;
  const echo = await startEchoServer();
  const agent = new Agent({ connections: 1 });
  const clients: RestClient[] = [];
  try {
    const url = `${echo.url}/rest/1/code/${METHOD}`;
    const variants: Record<string, () => Promise<unknown>> = {
      'bare undici.request': async () => {
        const res = await request(url, { method: 'POST', dispatcher: agent, body: JSON.stringify(PARAMS), headers: { 'content-type': 'application/json' } });
        return JSON.parse(await res.body.text()) as unknown;
      },
    };
    const kinds = [
      ['ours, batching on', true, 'token', false], ['ours, batching on, metrics on', true, 'token', true],
      ['ours, batching off', false, 'token', false], ['ours, bottleneck bucket', false, 'bottleneck', false],
    ] as const;
    for (const [label, batching, limiter, metered] of kinds) {
      const c = await client(echo.url, agent, batching, limiter, metered);
      clients.push(c);
      variants[label] = () => c.call('bench', METHOD, PARAMS);
    }
    const m = await compare(variants, n, 5);
    const bare = m['bare undici.request'] as Measure;
    const b = 'client overhead (sequential calls, medians)';
    const on = m['ours, batching on'] as Measure;
    const metered = m['ours, batching on, metrics on'] as Measure;
    return [
      ...Object.entries(m).flatMap(([label, v]) => [
        { bench: b, metric: `${label}: CPU per call`, value: v.cpuUs, unit: 'µs' },
        { bench: b, metric: `${label}: wall per call`, value: v.wallUs, unit: 'µs' },
        ...(v === bare ? [] : [{ bench: b, metric: `${label}: CPU ratio to bare`, value: v.cpuUs / bare.cpuUs, unit: '×' }]),
      ]),
      { bench: b, metric: 'metrics on / off (batching on): CPU per call', value: metered.cpuUs / on.cpuUs, unit: '×' },
    ];
  } finally {
    for (const c of clients) await c.close();
    await agent.close();
    echo.stop();
  }
}
