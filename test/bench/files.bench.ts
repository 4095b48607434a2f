/**
 * Issue 12: a 200 MB file (generated on the fly by the emulator) downloads through `ctx.download` as a
 * stream with flat memory: peak RSS growth under 50 MB. The same download buffered whole is the
 * baseline that shows what the measurement would catch. Each variant runs in its own process.
 */
import { quick, type BenchResult } from './result.js';
import { allOutput, spawnTs } from './spawn.js';

interface Report {
  bytes: number;
  seconds: number;
  beforeMb: number;
  peakMb: number;
  growthMb: number;
}

async function variant(mb: number, mode: 'stream' | 'buffer'): Promise<Report> {
  return JSON.parse(await allOutput(spawnTs('./files-child.ts', [String(mb), mode], { NODE_FLAGS: '--expose-gc' }))) as Report;
}

/** Runs the files benchmark. */
export async function run(): Promise<BenchResult[]> {
  const mb = quick() ? 100 : 200;
  const stream = await variant(mb, 'stream');
  const buffer = await variant(mb, 'buffer');
  const b = `${mb} MB download through ctx.download (emulator, loopback)`;
  return [
    { bench: b, metric: 'bytes read (stream)', value: stream.bytes, unit: 'bytes', target: `= ${mb * 1024 * 1024}`, ok: stream.bytes === mb * 1024 * 1024 },
    { bench: b, metric: 'time (stream)', value: stream.seconds, unit: `s (${Math.round(mb / stream.seconds)} MB/s)` },
    { bench: b, metric: 'peak RSS growth, streamed', value: stream.growthMb, unit: `MB (RSS ${stream.beforeMb} → ${stream.peakMb} MB)`, target: '< 50 MB', ok: stream.growthMb < 50 },
    { bench: b, metric: 'peak RSS growth, buffered whole (baseline)', value: buffer.growthMb, unit: `MB (RSS ${buffer.beforeMb} → ${buffer.peakMb} MB)` },
  ];
}
