/**
 * Issue 3 memory goal: 10,000 portals each send one reply, then stay idle. Heap, RSS and live
 * timers at the peak and after the idle time, for the default token bucket and for bottleneck.
 * Each variant runs in its own process (clean heap), against a fixed-answer server process.
 */
import { quick, type BenchResult } from './result.js';
import { allOutput, spawnTs, startEchoServer } from './spawn.js';

interface Snapshot {
  lanes: number;
  timers: number;
  undiciTimers: number;
  heapMb: number;
  rssMb: number;
}
interface Report {
  before: Snapshot;
  peak: Snapshot;
  idle: Snapshot;
  sendSeconds: number;
  idleCpuPct: number;
}

/** Runs the memory benchmark. */
export async function run(): Promise<BenchResult[]> {
  const portals = 10_000;
  const idleS = quick() ? 30 : 60;
  const echo = await startEchoServer();
  try {
    const kinds = ['token', 'bottleneck'] as const;
    const reports = await Promise.all(kinds.map(async (kind) => {
      const child = spawnTs('./memory-child.ts', [echo.url, String(portals), String(idleS), kind], { NODE_FLAGS: '--expose-gc' });
      return JSON.parse(await allOutput(child)) as Report;
    }));
    return kinds.flatMap((kind, i) => {
      const r = reports[i] as Report;
      const b = `${portals} portals, 1 reply each, idle ${idleS} s (${kind} bucket)`;
      return [
        { bench: b, metric: 'send time', value: r.sendSeconds, unit: 's' },
        { bench: b, metric: 'peak: limiters / other timers', value: r.peak.lanes, unit: `/ ${r.peak.timers} timers` },
        { bench: b, metric: 'peak: heap / RSS', value: r.peak.heapMb, unit: `MB / ${r.peak.rssMb} MB` },
        { bench: b, metric: 'idle: limiters left', value: r.idle.lanes, unit: '', target: '0', ok: r.idle.lanes === 0 },
        { bench: b, metric: 'idle: live timers (incl. unref\'d)', value: r.idle.timers, unit: `(+ ${r.idle.undiciTimers} undici connection timers)`, target: `≤ ${r.before.timers + 1}`, ok: r.idle.timers <= r.before.timers + 1 },
        { bench: b, metric: 'idle: heap growth over start', value: r.idle.heapMb - r.before.heapMb, unit: 'MB' },
        { bench: b, metric: 'idle: heap / RSS', value: r.idle.heapMb, unit: `MB / ${r.idle.rssMb} MB` },
        { bench: b, metric: 'idle: CPU while idle', value: r.idleCpuPct, unit: '% of a core' },
      ];
    });
  } finally {
    echo.stop();
  }
}
