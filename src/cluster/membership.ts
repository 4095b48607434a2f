import type { RedisLink } from './redis.js';
import { redisScript } from './script.js';

/** Registers this instance until ARGV[2] ms from Redis's now, drops expired ones, answers how many are live. */
const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return redis.call('ZCARD', KEYS[1])
`;

/** The live instances of the cluster as this one last saw them. */
export interface Membership {
  readonly id: string;
  /** Live instances at the last successful heartbeat (at least 1); kept while Redis is unreachable. */
  size(): number;
  /** Sends one heartbeat now (also done on a timer). */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Heartbeats this instance into `<prefix>members` (a sorted set scored by expiry, on Redis's clock)
 * every `intervalMs` (default 2 s; an instance is forgotten 3 intervals after its last beat). The
 * count is what a bucket divides by when Redis goes away: each instance then keeps 1/N.
 *
 * @example
 * const members = startMembership(link, instanceId);
 * createSharedBucket(limit, { link, key, members: () => members.size() });
 */
export function startMembership(link: RedisLink, id: string, intervalMs = 2000): Membership {
  const beatScript = redisScript(link.client, BEAT);
  const key = `${link.prefix}members`;
  let last = 1;
  const beat = async (): Promise<void> => {
    if (!link.up()) return;
    try {
      last = Math.max(1, Number(await beatScript([key], [id, intervalMs * 3])));
    } catch {
      // keep the last known size
    }
  };
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  const onReady = (): void => void beat();
  link.client.on('ready', onReady);
  void beat();
  return {
    id,
    size: () => last,
    beat,
    async stop() {
      clearInterval(timer);
      link.client.off('ready', onReady);
      if (link.up()) await link.client.zrem(key, id).catch(() => undefined);
    },
  };
}
