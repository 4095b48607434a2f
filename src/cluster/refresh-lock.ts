import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { RefreshLock } from '../rest/auth.js';
import type { RedisLink } from './redis.js';
import { redisScript } from './script.js';

/** Deletes the lock only if this holder still owns it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Extends the lock only if this holder still owns it. */
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** Options of {@link createRedisRefreshLock}. */
export interface RedisRefreshLockOptions {
  link: RedisLink;
  log: Logger;
  /** Lock expiry; the holder extends it every third of it while it works (default 15 s). */
  ttlMs?: number;
  /** How often a waiter looks whether the lock is free (default 25 ms). */
  pollMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The cross-instance refresh lock: `SET <prefix>refresh:<memberId> <token> NX PX ttl`. The holder
 * extends it while its refresh runs and deletes it (only if still its own) when done; a holder that
 * died frees it after `ttlMs`. The refresher re-reads the stored pair after getting the lock, so every
 * instance that waited finds the rotated pair and sends nothing. When Redis is unreachable the refresh
 * runs without the lock (single-flight per process, the store's compare-and-swap still keeps one pair)
 * and says so in the log.
 *
 * @example
 * const client = createRestClient({ ...opts, refreshLock: createRedisRefreshLock({ link, log }) });
 */
export function createRedisRefreshLock(opts: RedisRefreshLockOptions): RefreshLock {
  const { link, log } = opts;
  const ttl = opts.ttlMs ?? 15_000;
  const release = redisScript(link.client, RELEASE);
  const extend = redisScript(link.client, EXTEND);

  async function acquire(key: string, token: string): Promise<boolean> {
    // Still connecting (a fresh start) or reconnecting: worth a short wait rather than a refresh without the lock.
    if (!link.up()) await link.ready(2000).catch(() => undefined);
    for (;;) {
      if (!link.up()) return false;
      try {
        if ((await link.client.set(key, token, 'PX', ttl, 'NX')) === 'OK') return true;
      } catch {
        return false;
      }
      await sleep(opts.pollMs ?? 25);
    }
  }

  return {
    async run(memberId, fn) {
      const key = `${link.prefix}refresh:${memberId}`;
      const token = randomUUID();
      if (!(await acquire(key, token))) {
        log.warn('redis unreachable: token refresh runs without the cluster lock', { memberId });
        return fn();
      }
      const keepAlive = setInterval(() => void extend([key], [token, ttl]).catch(() => undefined), Math.floor(ttl / 3));
      try {
        return await fn();
      } finally {
        clearInterval(keepAlive);
        await release([key], [token]).catch(() => undefined);
      }
    },
  };
}
