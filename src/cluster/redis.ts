import { Redis } from 'ioredis';
import type { Logger } from '../log.js';

/** Options of {@link openRedis}. */
export interface RedisLinkOptions {
  /** `redis://[:password@]host:port[/db]` (`REDIS_URL`). */
  url: string;
  /** Prepended to every key this process writes (`REDIS_PREFIX`), so several deployments can share a server. */
  prefix: string;
  log: Logger;
}

/** One process's connection to the coordination Redis, with its reachability. */
export interface RedisLink {
  readonly client: Redis;
  readonly prefix: string;
  /** True while the connection is ready (commands are sent, not queued). */
  up(): boolean;
  /** Resolves once connected the first time (rejects after `timeoutMs`, the process then runs degraded). */
  ready(timeoutMs?: number): Promise<void>;
  /** A second connection with the same options (bottleneck needs its own subscriber). */
  duplicate(): Redis;
  close(): Promise<void>;
}

/**
 * Connects to Redis for cluster coordination. Commands fail fast while the server is unreachable
 * (no offline queue, no per-request retries), so callers can fall back at once; the client keeps
 * reconnecting in the background (at most every 2 s) and `up()` turns true again by itself.
 * Reachability changes are logged once each way.
 *
 * @example
 * const redis = openRedis({ url: 'redis://127.0.0.1:6379', prefix: 'botkit:', log });
 * await redis.ready();
 */
export function openRedis(opts: RedisLinkOptions): RedisLink {
  const options = {
    enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, lazyConnect: false,
    retryStrategy: (times: number) => Math.min(2000, 100 * times),
  };
  const client = new Redis(opts.url, options);
  let wasUp: boolean | null = null;
  const report = (nowUp: boolean, err?: unknown): void => {
    if (wasUp === nowUp) return;
    if (nowUp) opts.log.info('redis reachable', { wasDown: wasUp === false });
    else opts.log.warn('redis unreachable: coordination degraded until it is back', { err });
    wasUp = nowUp;
  };
  client.on('ready', () => report(true));
  client.on('error', (err: unknown) => report(false, err));
  client.on('end', () => report(false));
  return {
    client, prefix: opts.prefix,
    up: () => client.status === 'ready',
    ready(timeoutMs = 5000) {
      if (client.status === 'ready') return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          reject(new Error(`redis not reachable within ${timeoutMs} ms`));
        }, timeoutMs);
        const onReady = (): void => {
          clearTimeout(timer);
          resolve();
        };
        client.once('ready', onReady);
      });
    },
    duplicate: () => new Redis(opts.url, options),
    async close() {
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      client.disconnect();
    },
  };
}
