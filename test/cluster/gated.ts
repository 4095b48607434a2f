import { expect } from 'chai';
import { startCluster, type Cluster, type ClusterOptions } from './harness.js';
import { PG_ADMIN_URL, REDIS_URL } from './services.js';
import { openTcpGate, type TcpGate } from './tcp-gate.js';

/** A cluster whose instances reach PostgreSQL (and, when asked, Redis) through gates a test can cut. */
export interface GatedCluster {
  c: Cluster;
  pg: TcpGate;
  redis: TcpGate | null;
  /** Restores the gates, stops the cluster, closes the gates. */
  close(): Promise<void>;
}

async function gateTo(serviceUrl: string, defaultPort: number): Promise<TcpGate> {
  const u = new URL(serviceUrl);
  return openTcpGate(u.hostname, Number(u.port || defaultPort));
}

/** Starts {@link startCluster} behind gates and installs the app through the proxy. */
export async function startGatedCluster(opts: ClusterOptions & { gateRedis?: boolean } = {}): Promise<GatedCluster> {
  const pg = await gateTo(PG_ADMIN_URL, 5432);
  const redis = opts.gateRedis ? await gateTo(REDIS_URL, 6379) : null;
  const c = await startCluster({
    ...opts,
    ...(redis ? { redisUrl: `redis://127.0.0.1:${redis.port}` } : {}),
    databaseUrl: (url) => {
      const u = new URL(url);
      u.port = String(pg.port);
      return u.toString();
    },
  });
  expect((await c.emu.portal.install(`${c.proxy.url}/install`)).status).to.equal(200);
  return {
    c, pg, redis,
    close: async () => {
      for (const g of [pg, redis]) await g?.up();
      await c.close();
      for (const g of [pg, redis]) await g?.close();
    },
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
