/**
 * Child of dispatch.bench.ts: accepts N events (SQLite inbox, as the intake does) while every handler is
 * held, then releases them and drains. Prints RSS and heap growth over the baseline (after a warm-up of
 * 5,000 events handled the same way), as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher } from '../../src/intake/dispatcher.js';
import { LocalDispatchQueue } from '../../src/intake/local-queue.js';
import { createLogger } from '../../src/log.js';
import { dialogueKey } from '../../src/protocol/events.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { messageEvent } from '../helpers/events.js';

const count = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const dir = mkdtempSync(join(tmpdir(), 'botkit-backlog-'));
const store = openSqliteStore({ file: join(dir, 'botkit.sqlite') });
const log = createLogger({ silent: true });
let release: () => void = () => undefined;
let gate: Promise<void> | null = null;
let handled = 0;
const queue = new LocalDispatchQueue({ store, log, perPortal: 4 });
const d = new Dispatcher({ queue, concurrency: 16, log, handle: async () => { if (gate) await gate; handled++; } });
await queue.start();
// A realistic payload: ~1.5 KB of message text per event.
const text = 'x'.repeat(1500);
const accept = async (from: number, to: number): Promise<void> => {
  for (let i = from; i < to; i += 500) {
    const batch: Array<Promise<boolean>> = [];
    for (let j = i; j < Math.min(to, i + 500); j++) {
      // 100 dialogues of one portal: deep per-dialogue queues, the case that used to hold everything.
      const e = messageEvent(`${j} ${text}`, { chat: { id: j % 100, dialogId: String(j % 100), kind: 'private', title: '' } });
      batch.push(queue.add({ key: `k${j}`, memberId: e.memberId, dialogueKey: dialogueKey(e), payload: JSON.stringify(e), receivedAt: j }, e));
    }
    await Promise.all(batch);
    if (i % 10_000 === 0) onProgress(i);
  }
};
let onProgress = (_i: number): void => undefined;
// Warm up as a running server is: the same path with handlers free, so the baseline has its caches and heap.
const WARM = 5000;
await accept(-WARM, 0);
await d.idle();
handled = 0;
gate = new Promise<void>((r) => (release = r));
gc();
const base = process.memoryUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;
const sample = (): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
onProgress = (i) => {
  // Retained memory, not garbage the collector has not come for yet.
  gc();
  sample();
  if (process.env['TRACE']) process.stderr.write(`${i} rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)}\n`);
};
const t0 = performance.now();
await accept(0, count);
const acceptS = (performance.now() - t0) / 1000;
gc();
sample();
const t1 = performance.now();
release();
await d.idle();
const drainS = (performance.now() - t1) / 1000;
await store.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({
  rssGrowthMb: (peakRss - base.rss) / 2 ** 20, heapGrowthMb: (peakHeap - base.heapUsed) / 2 ** 20, handled, acceptS, drainS,
})}\n`);
