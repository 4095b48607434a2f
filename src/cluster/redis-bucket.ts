import type { RateLimit } from '../config.js';
import { clientBurst, createTokenBucket, type Bucket } from '../rest/limiter.js';
import type { RedisLink } from './redis.js';
import { redisScript, type RedisScript } from './script.js';

/**
 * GCRA (the "virtual scheduling" form of a token bucket) with reservations, on Redis's clock. The key
 * holds the theoretical arrival time (TAT, microseconds). Every call reserves the next slot and
 * answers how long to wait for it: `burst` slots are free at once, then one per `T`. A penalty
 * (the portal answered 503) pushes the TAT so that nothing is granted for `hold` and the burst is empty.
 * ARGV: T (µs per request), tau ((burst - 1) × T), hold (µs; 0 = reserve one slot).
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local T = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local hold = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = 0
if hold > 0 then
  local blocked = now + hold + tau + T
  if blocked > tat then tat = blocked end
else
  local admit = tat - tau
  if admit > now then wait = admit - now end
  tat = tat + T
end
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
return math.floor(wait)
`;

/** What a shared bucket needs besides the limit. */
export interface SharedBucketDeps {
  link: RedisLink;
  /** One key per portal (or host): every instance's bucket of that key is the same bucket. */
  key: string;
  /** How many instances share the bucket: when Redis is unreachable each keeps 1/N of it. */
  members: () => number;
  /** Called when this bucket had to fall back to its local share (the caller logs and reports it). */
  onFallback?: (err: unknown) => void;
}

const scripts = new WeakMap<RedisLink, RedisScript>();

function gcraOf(link: RedisLink): RedisScript {
  let s = scripts.get(link);
  if (!s) {
    s = redisScript(link.client, GCRA);
    scripts.set(link, s);
  }
  return s;
}

/** The share of the portal's drain rate the instances use together. */
export const SHARED_RATE_FACTOR = 0.97;

/**
 * How much of its 1/n a process takes alone while Redis is unreachable. The n local buckets cannot see each
 * other's timing, and their requests bunch on arrival under load (GC, a busy CPU): at exactly 1/n of the
 * shared margins a faults test measured up to 4 × 503 in 120 sends; 15 % less leaves ~0.8 s of slack.
 */
export const FALLBACK_SHARE_FACTOR = 0.85;

/**
 * The share of a bucket one of `n` instances may use on its own while Redis is unreachable: a little under
 * 1/n of what the instances take together through Redis (rate × {@link SHARED_RATE_FACTOR}, {@link sharedBurst},
 * both × {@link FALLBACK_SHARE_FACTOR}); the burst is at least 1.
 */
export function shareOf(limit: RateLimit, n: number): RateLimit {
  const k = Math.max(1, Math.floor(n));
  return {
    rate: (limit.rate * SHARED_RATE_FACTOR * FALLBACK_SHARE_FACTOR) / k,
    burst: Math.max(1, Math.floor((sharedBurst(limit) * FALLBACK_SHARE_FACTOR) / k)),
  };
}

/**
 * The burst instances take together: the client burst minus another ~250 ms of the rate, because the
 * requests of several processes reach the portal with more spread (GC pauses, scheduling) than one's
 * (the load test saw up to 4 × 503 in 600 with 100 ms on a 2-core machine at load average 20).
 */
export function sharedBurst(limit: RateLimit): number {
  return Math.max(1, clientBurst(limit) - Math.ceil(limit.rate * 0.25));
}

function sleep(ms: number, signal: AbortSignal | undefined, timers: Set<() => void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancel = (reason: unknown): void => {
      clearTimeout(timer);
      timers.delete(stop);
      signal?.removeEventListener('abort', onAbort);
      reject(reason);
    };
    const stop = (): void => cancel(new DOMException('The REST client was closed', 'AbortError'));
    const onAbort = (): void => cancel(signal?.reason);
    const timer = setTimeout(() => {
      timers.delete(stop);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timers.add(stop);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One portal's bucket shared by every instance through Redis (atomic Lua, one round trip per granted
 * request, no polling: a caller is told when its slot comes and sleeps until then). The burst is the
 * client burst less ~250 ms of the rate ({@link sharedBurst}). When Redis cannot be reached the bucket falls back to a
 * local token bucket holding 1/N of the limit (N = instances last seen), and returns to the shared
 * one as soon as Redis answers again.
 *
 * @example
 * const bucket = createSharedBucket({ rate: 2, burst: 50 }, { link, key: memberId, members: () => 3 });
 * await bucket.acquire();
 */
export function createSharedBucket(limit: RateLimit, deps: SharedBucketDeps): Bucket {
  const gcra = gcraOf(deps.link);
  const key = `${deps.link.prefix}bucket:${deps.key}`;
  // 3 % under the portal's drain rate: arrivals from several processes jitter, and the margin lets the
  // portal's bucket recover the headroom a late batch of requests used.
  const T = Math.round(1_000_000 / (limit.rate * SHARED_RATE_FACTOR));
  const tau = (sharedBurst(limit) - 1) * T;
  const timers = new Set<() => void>();
  let local: { bucket: Bucket; n: number } | null = null;
  let waiting = 0;

  const fallback = (): Bucket => {
    const n = deps.members();
    if (!local || local.n !== n) {
      local?.bucket.close();
      local = { bucket: createTokenBucket(shareOf(limit, n)), n };
    }
    return local.bucket;
  };

  return {
    async acquire(signal) {
      signal?.throwIfAborted();
      waiting++;
      try {
        let waitUs: number;
        try {
          if (!deps.link.up()) throw new Error('redis is not connected');
          waitUs = Number(await gcra([key], [T, tau, 0]));
        } catch (e) {
          deps.onFallback?.(e);
          return await fallback().acquire(signal);
        }
        const ms = Math.ceil(waitUs / 1000);
        if (ms > 0) await sleep(ms, signal, timers);
      } finally {
        waiting--;
      }
    },
    penalize(ms) {
      local?.bucket.penalize(ms);
      if (deps.link.up()) void gcra([key], [T, tau, Math.max(1, Math.round(ms * 1000))]).catch(() => undefined);
    },
    isIdle() {
      return waiting === 0 && (local === null || local.bucket.isIdle());
    },
    close() {
      for (const stop of [...timers]) stop();
      local?.bucket.close();
    },
  };
}
