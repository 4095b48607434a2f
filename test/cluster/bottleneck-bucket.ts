import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { RateLimit } from '../../src/config.js';
import { clientBurst, type Bucket } from '../../src/rest/limiter.js';
import type { RedisLink } from '../../src/cluster/redis.js';

const connections = new WeakMap<RedisLink, Bottleneck.IORedisConnection>();

function connectionOf(link: RedisLink): Bottleneck.IORedisConnection {
  let c = connections.get(link);
  if (!c) {
    // bottleneck subscribes with client.duplicate(); ioredis is handed over so it does not require() its own.
    c = new Bottleneck.IORedisConnection({ client: link.client, Redis } as unknown as Bottleneck.IORedisConnectionOptions);
    c.on('error', () => undefined);
    connections.set(link, c);
  }
  return c;
}

/**
 * The alternative shared bucket: bottleneck's own Redis clustering (`datastore: 'ioredis'`), one
 * limiter id per portal, its reservoir refilled in Redis by the limiters' heartbeats. Kept for the
 * benchmark that compares it with {@link createSharedBucket} (the faster one is the default; see the
 * README "Scaling out"). No fallback: while Redis is unreachable bottleneck's jobs fail and the
 * caller's retry loop waits.
 */
export function createBottleneckSharedBucket(limit: RateLimit, link: RedisLink, key: string): Bucket {
  const capacity = clientBurst(limit);
  const amount = Math.max(1, Math.ceil(limit.rate / 20));
  const limiter = new Bottleneck({
    id: `${link.prefix}bn:${key}`, datastore: 'ioredis', clearDatastore: false, connection: connectionOf(link),
    reservoir: capacity, reservoirIncreaseAmount: amount, reservoirIncreaseInterval: Math.round((1000 * amount) / limit.rate),
    reservoirIncreaseMaximum: capacity, heartbeatInterval: Math.round((1000 * amount) / limit.rate), maxConcurrent: null,
    timeout: 60_000,
  });
  limiter.on('error', () => undefined);
  let waiting = 0;
  return {
    async acquire(signal) {
      signal?.throwIfAborted();
      waiting++;
      try {
        await limiter.schedule(() => Promise.resolve());
      } finally {
        waiting--;
      }
      signal?.throwIfAborted();
    },
    penalize() {
      void limiter.currentReservoir().then((r) => limiter.incrementReservoir(-(r ?? 0))).catch(() => undefined);
    },
    isIdle: () => waiting === 0,
    close() {
      void Promise.resolve(limiter.disconnect(false)).catch(() => undefined);
    },
  };
}
