import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import type { RefreshLock } from '../rest/auth.js';
import type { BucketFactory } from '../rest/limiter.js';
import { startMembership, type Membership } from './membership.js';
import { openRedis, type RedisLink } from './redis.js';
import { createSharedBucket } from './redis-bucket.js';
import { createRedisRefreshLock } from './refresh-lock.js';

/** What `/healthz` says about Redis. */
export interface RedisHealth {
  /** `up`, or `down` (each instance then limits itself to 1/N of every bucket). */
  status: 'up' | 'down';
  /** Live instances at the last heartbeat (N of the 1/N fallback). */
  instances: number;
  /** True while buckets run on their local 1/N share. */
  degraded: boolean;
}

/** Cluster coordination through Redis: the pieces the REST client and the health route plug in. */
export interface Coordination {
  readonly instanceId: string;
  readonly link: RedisLink;
  readonly membership: Membership;
  /** One bucket per portal across every instance. */
  readonly bucketFactory: BucketFactory;
  /** One token refresh per portal across every instance. */
  readonly refreshLock: RefreshLock;
  health(): RedisHealth;
  close(): Promise<void>;
}

/** Options of {@link openCoordination}. */
export interface CoordinationOptions {
  url: string;
  prefix: string;
  log: Logger;
  /** Default: `<hostname>-<pid>-<random>`. */
  instanceId?: string;
}

/**
 * Connects this instance to the cluster's Redis (`REDIS_URL`): shared per-portal buckets (GCRA in
 * Lua), the cross-instance refresh lock and the membership heartbeat. Starting does not wait for
 * Redis: while it is unreachable every bucket serves 1/N of the portal's limit locally, which is
 * logged once ("limiter falls back") and shown in `/healthz`, and everything returns to the shared
 * state by itself when Redis answers again.
 *
 * @example
 * const coord = openCoordination({ url: config.redisUrl, prefix: config.redisPrefix, log });
 * createRestClient({ ...opts, limiter: coord.bucketFactory, refreshLock: coord.refreshLock });
 */
export function openCoordination(opts: CoordinationOptions): Coordination {
  const { log } = opts;
  const instanceId = opts.instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  const link = openRedis({ url: opts.url, prefix: opts.prefix, log });
  const membership = startMembership(link, instanceId);
  let degradedSince: number | null = null;
  const onFallback = (err: unknown): void => {
    if (degradedSince !== null) return;
    degradedSince = Date.now();
    log.warn('redis unreachable: limiter falls back to 1/N of each portal bucket', { instances: membership.size(), err });
  };
  link.client.on('ready', () => {
    if (degradedSince === null) return;
    log.info('redis is back: shared portal buckets again', { degradedMs: Date.now() - degradedSince });
    degradedSince = null;
  });
  return {
    instanceId, link, membership,
    bucketFactory: (key, limit) => createSharedBucket(limit, { link, key, members: () => membership.size(), onFallback }),
    refreshLock: createRedisRefreshLock({ link, log }),
    health: () => {
      const up = link.up();
      return { status: up ? 'up' : 'down', instances: membership.size(), degraded: !up || degradedSince !== null };
    },
    async close() {
      await membership.stop();
      await link.close();
    },
  };
}
