/**
 * Issue 8, JSON amplification: while a flood of 256 KB JSON bodies of hostile shapes (deeply nested
 * arrays, tens of thousands of small arrays) hits `/events`, how much slower does `/healthz` answer?
 * p99 of `/healthz` under the flood against its idle p99, and against a flood of form bodies of the
 * same size and rate (what the issue calls "no more than a form body"), all measured in the same run,
 * in interleaved rounds (medians), against the real server in its own process.
 */
import type { ChildProcess } from 'node:child_process';
import { Pool } from 'undici';
import { spawnTs, waitForOutput } from '../helpers/child.js';
import { quick as isQuick, round, type BenchResult } from './result.js';

const RATE = Number(process.env["JSON_FLOOD_RATE"] ?? 13); // bodies per second (the issue saw /healthz go from 5 to 600 ms at 13/s)

async function probe(url: string, seconds: number): Promise<number> {
  const pool = new Pool(url, { connections: 1 });
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  try {
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await pool.request({ path: '/healthz', method: 'GET' });
      await res.body.dump();
      samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await pool.close();
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length * 0.99)] ?? 0;
}

async function under(url: string, seconds: number, load: 'idle' | 'json' | 'form'): Promise<{ p99: number; sent: number }> {
  if (load === 'idle') return { p99: await probe(url, seconds), sent: 0 };
  const sender = spawnTs('test/bench/flood-child.ts', [url, String(seconds + 0.5), String(RATE), load]);
  const done = waitForOutput(sender, /DONE (\d+)/);
  await new Promise((r) => setTimeout(r, 250));
  const p99 = await probe(url, seconds);
  const [, sent = '0'] = await done;
  return { p99, sent: Number(sent) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs the JSON flood benchmark. */
export async function run(): Promise<BenchResult[]> {
  const quick = isQuick();
  const seconds = quick ? 3 : 5;
  const proc: ChildProcess = spawnTs('test/bench/intake-server.ts', ['botkit']);
  const [, url = ''] = await waitForOutput(proc, /READY (\S+)/);
  const p99: Record<'idle' | 'json' | 'form', number[]> = { idle: [], json: [], form: [] };
  let sent = 0;
  try {
    await probe(url, 1);
    for (let i = 0; i < (quick ? 2 : 3); i++) {
      for (const load of ['idle', 'json', 'form'] as const) {
        const r = await under(url, seconds, load);
        p99[load].push(r.p99);
        if (load === 'json') sent += r.sent;
      }
    }
  } finally {
    proc.kill('SIGKILL');
  }
  const [idle, json, form] = [median(p99.idle), median(p99.json), median(p99.form)];
  const bench = `/healthz under ${RATE}/s 256 KB hostile JSON bodies`;
  return [
    { bench, metric: 'hostile JSON bodies sent', value: sent, unit: 'requests' },
    { bench, metric: '/healthz p99 idle (median of rounds)', value: round(idle), unit: 'ms' },
    { bench, metric: '/healthz p99 under the JSON flood', value: round(json), unit: 'ms' },
    { bench, metric: '/healthz p99 under a form flood of the same size and rate', value: round(form), unit: 'ms' },
    { bench, metric: 'p99 ratio JSON flood / idle', value: round(json / idle), unit: 'x', target: '≤ 2', ok: json / idle <= 2 },
    { bench, metric: 'p99 ratio JSON flood / form flood', value: round(json / form), unit: 'x' },
  ];
}
