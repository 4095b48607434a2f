/**
 * What counting costs on the hot path: the hooks one accepted and handled event calls (accepted with its
 * delivery lag, handler start and end) and the hooks one REST call calls (limiter wait, request, call
 * outcome), on the Prometheus implementation vs the no-op default, in the same process. The end-to-end
 * ratios are in the `intake` and `overhead` modules (metrics on in the server; `metrics on / off` in the
 * client), where this cost disappears in the noise of a shared machine.
 */
import { NO_METRICS, type Metrics } from '../../src/metrics/metrics.js';
import { PromMetrics } from '../../src/metrics/prometheus.js';
import { quick, type BenchResult } from './result.js';

function perEvent(m: Metrics): void {
  m.eventAccepted('push', 'message', 800);
  m.handlerStarted('message', 2);
  m.handlerFinished('message', true, 4);
}

function perCall(m: Metrics): void {
  m.limiterWait(1);
  m.restRequest(1);
  m.restCall('imbot.v2.Chat.Message.send', null);
}

function nsPer(n: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Runs the metrics benchmark. */
export async function run(): Promise<BenchResult[]> {
  const n = quick() ? 200_000 : 1_000_000;
  const prom = new PromMetrics({ processMetrics: false });
  const cases = {
    'per event, prometheus': () => perEvent(prom), 'per event, no-op': () => perEvent(NO_METRICS),
    'per REST call, prometheus': () => perCall(prom), 'per REST call, no-op': () => perCall(NO_METRICS),
  };
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < 5; round++) {
    for (const [name, fn] of Object.entries(cases)) (samples[name] ??= []).push(nsPer(n, fn));
  }
  const bench = 'metrics hooks (medians of 5 rounds)';
  return Object.entries(samples).map(([name, xs]) => ({ bench, metric: `${name}: time of its hooks`, value: median(xs), unit: 'ns' }));
}
