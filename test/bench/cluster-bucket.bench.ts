/**
 * Issue 9: the two shared per-portal buckets (our GCRA Lua script vs bottleneck's own Redis clustering)
 * against the same workload: N replies from three client instances (each its own Redis connection) to
 * one portal at 20/s burst 50, batching off, judged by the emulator's leaky bucket; then the cost of one
 * grant on a bucket that is no constraint (grants per second from one instance).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createBottleneckSharedBucket } from '../cluster/bottleneck-bucket.js';
import { openRedis, type RedisLink } from '../../src/cluster/redis.js';
import { createSharedBucket } from '../../src/cluster/redis-bucket.js';
import { startEmulator, type Emulator } from '@b24-botkit/emulator';
import { createLogger } from '../../src/log.js';
import { createRestClient } from '../../src/rest/client.js';
import type { Bucket, BucketFactory } from '../../src/rest/limiter.js';
import type { RateLimit } from '../../src/config.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { LOOPBACK, webhookRecord } from '../rest/emu-rig.js';
import { quick, type BenchResult } from './result.js';

const BUCKET: RateLimit = { rate: 20, burst: 50 };
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const log = createLogger({ silent: true });
type Variant = 'gcra' | 'bottleneck';

function bucketOf(variant: Variant, link: RedisLink, key: string, limit: RateLimit): Bucket {
  return variant === 'gcra' ? createSharedBucket(limit, { link, key, members: () => 3 }) : createBottleneckSharedBucket(limit, link, key);
}

async function saturated(emu: Emulator, variant: Variant, n: number, links: RedisLink[]): Promise<{ seconds: number; limited: number; delivered: number }> {
  const portal = emu.createPortal({ rateLimit: BUCKET });
  const record = webhookRecord(portal, `wh-${variant}`, { rateLimit: `${BUCKET.rate}/${BUCKET.burst}` });
  const clients = await Promise.all(links.map(async (link) => {
    const store = createMemoryStore();
    await store.savePortal(record);
    const factory: BucketFactory = (key, limit) => bucketOf(variant, link, `${variant}:${key}`, limit);
    return createRestClient({ store, oauth: null, rateLimit: BUCKET, portalHosts: LOOPBACK, log, batching: false, limiter: factory });
  }));
  const reg = await clients[0]!.call<{ bot: { id: number } }>(record.memberId, 'imbot.v2.Bot.register', { fields: { code: variant, botToken: 't', properties: { name: 'B' } } });
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => clients[i % clients.length]!.call(record.memberId, 'imbot.v2.Chat.Message.send',
    { botId: reg.bot.id, botToken: 't', dialogId: '1', fields: { message: `r${i}` } })));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  return { seconds, limited: portal.counters().queryLimitExceeded, delivered: portal.messages().length };
}

async function grantsPerSecond(variant: Variant, link: RedisLink, n: number): Promise<number> {
  const bucket = bucketOf(variant, link, `free-${variant}`, { rate: 1_000_000, burst: 1_000_000 });
  const started = performance.now();
  for (let done = 0; done < n; done += 50) await Promise.all(Array.from({ length: 50 }, () => bucket.acquire()));
  const s = (performance.now() - started) / 1000;
  bucket.close();
  return n / s;
}

/** Runs the shared-bucket comparison. */
export async function run(): Promise<BenchResult[]> {
  const n = quick() ? 150 : 600;
  const prefix = `botkit-bench:${randomUUID().slice(0, 8)}:`;
  const links = [0, 1, 2].map(() => openRedis({ url: REDIS_URL, prefix, log }));
  await Promise.all(links.map((l) => l.ready()));
  const emu = await startEmulator({ log, rateLimit: null });
  const minimum = Math.max(0, n - BUCKET.burst) / BUCKET.rate;
  const out: BenchResult[] = [];
  try {
    for (const variant of ['gcra', 'bottleneck'] as const) {
      const r = await saturated(emu, variant, n, links);
      const grants = await grantsPerSecond(variant, links[0]!, quick() ? 2000 : 10_000);
      const b = `shared bucket: ${variant}`;
      out.push(
        { bench: b, metric: `${n} replies, 3 instances @20/s: wall / bucket minimum`, value: r.seconds / minimum, unit: '×', target: '≤ 1.15', ok: r.seconds / minimum <= 1.15 },
        { bench: b, metric: '503s', value: r.limited, unit: '', target: '0', ok: r.limited === 0 },
        { bench: b, metric: 'delivered', value: r.delivered, unit: '', target: String(n), ok: r.delivered === n },
        { bench: b, metric: 'grants/s, bucket no constraint', value: Math.round(grants), unit: '/s' },
      );
    }
  } finally {
    await emu.close();
    await Promise.all(links.map((l) => l.close()));
    const r = new Redis(REDIS_URL);
    const keys = [...await r.keys(`${prefix}*`), ...await r.keys(`b_${prefix}*`)];
    if (keys.length > 0) await r.del(...keys);
    r.disconnect();
  }
  return out;
}
