import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { spawnTs, waitForOutput } from '../helpers/child.js';
import { benchBody } from './intake-body.js';
import { quick as isQuick, round as r2, type BenchResult } from './result.js';

interface Server {
  proc: ChildProcess;
  url: string;
}

async function startServer(kind: 'bare' | 'botkit'): Promise<Server> {
  const proc = spawnTs('test/bench/intake-server.ts', [kind]);
  const [, url = ''] = await waitForOutput(proc, /READY (\S+)/);
  return { proc, url };
}

let counter = 0;

async function load(url: string, opts: { seconds: number; connections: number; rate?: number }): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/events`,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requests: [{ setupRequest: (req) => ({ ...req, body: benchBody(counter++) }) }],
  });
}

interface Round {
  rps: number;
  p99: number;
  bad: number;
}

async function round(url: string, seconds: number): Promise<Round> {
  const max = await load(url, { seconds, connections: 50 });
  const paced = await load(url, { seconds, connections: 20, rate: 1000 });
  return { rps: max.requests.average, p99: paced.latency.p99, bad: max.non2xx + paced.non2xx + max.errors + paced.errors };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Intake throughput and ack latency of ONIMBOTV2MESSAGEADD bodies (~2 KB, unique message ids) against a
 * bare express 5 route that only parses the same body, measured in the same run.
 */
export async function run(): Promise<BenchResult[]> {
  const quick = isQuick();
  const seconds = quick ? 2 : 5;
  const servers = { bare: await startServer('bare'), botkit: await startServer('botkit') };
  const rounds: Record<'bare' | 'botkit', Round[]> = { bare: [], botkit: [] };
  try {
    for (const s of Object.values(servers)) await load(s.url, { seconds: 1, connections: 20 });
    // Interleaved rounds, medians: this machine is noisy, and both sides must see the same noise.
    for (let i = 0; i < (quick ? 2 : 3); i++) {
      for (const kind of ['bare', 'botkit'] as const) rounds[kind].push(await round(servers[kind].url, seconds));
    }
  } finally {
    for (const s of Object.values(servers)) s.proc.kill('SIGKILL');
  }
  const summary = (rs: Round[]) => ({ rps: median(rs.map((r) => r.rps)), p99: median(rs.map((r) => r.p99)), non2xx: rs.reduce((a, r) => a + r.bad, 0) });
  const bare = summary(rounds.bare);
  const ours = summary(rounds.botkit);
  const throughput = ours.rps / bare.rps;
  const latency = ours.p99 / Math.max(1, bare.p99);
  const bench = 'intake';
  return [
    { bench, metric: 'bare express route (parse + 200), median req/s', value: Math.round(bare.rps), unit: 'req/s' },
    { bench, metric: 'botkit /events (parse, verify, persist, 200), median req/s', value: Math.round(ours.rps), unit: 'req/s' },
    { bench, metric: 'throughput ratio botkit / bare', value: r2(throughput), unit: 'x', target: '≥ 0.6', ok: throughput >= 0.6 },
    { bench, metric: 'ack p99 at 1,000 ev/s, bare', value: bare.p99, unit: 'ms' },
    { bench, metric: 'ack p99 at 1,000 ev/s, botkit', value: ours.p99, unit: 'ms' },
    { bench, metric: 'p99 ratio botkit / bare', value: r2(latency), unit: 'x', target: '≤ 2', ok: latency <= 2 },
    { bench, metric: 'non-2xx answers and errors (both runs)', value: ours.non2xx, unit: 'count', target: '0', ok: ours.non2xx === 0 },
  ];
}
