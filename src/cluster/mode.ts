import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { HealthStatus } from '../http/app.js';
import type { Logger } from '../log.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres.js';
import { openCoordination, type Coordination } from './coordination.js';

/** What `DATABASE_URL` and `REDIS_URL` add to one server process. */
export interface ClusterMode {
  /** This process's id: the owner of its queue leases and its poller leaderships. */
  readonly instanceId: string;
  /** The shared store (PostgreSQL), or null: the caller opens SQLite. */
  readonly pg: PostgresStore | null;
  /** Redis coordination, or null. */
  readonly coord: Coordination | null;
  /** True when more than one process may serve the same portals (a shared database). */
  readonly shared: boolean;
  /** Runs `fn` holding a cluster-wide lock (the database's), or at once in a single process. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** `/healthz`: store and Redis reachability; `unavailable` (503) while the database is down. */
  health(): Promise<HealthStatus>;
  /** The details for `/admin/health`. */
  details(): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Opens what the configuration asks for: the PostgreSQL store (`DATABASE_URL`, migrated on start) and the
 * Redis coordination (`REDIS_URL`). Without either, nothing is opened and the process runs alone on SQLite
 * exactly as before.
 *
 * @example
 * const cluster = await openClusterMode(config, log);
 * const store = cluster.pg ?? openStore({ dataDir: config.dataDir });
 */
export async function openClusterMode(config: Config, log: Logger): Promise<ClusterMode> {
  const instanceId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  const pg = config.databaseUrl ? await openPostgresStore({ url: config.databaseUrl }) : null;
  const coord = config.redisUrl ? openCoordination({ url: config.redisUrl, prefix: config.redisPrefix, log, instanceId }) : null;
  if (pg || coord) log.info('cluster mode', { instanceId, store: pg ? 'postgres' : 'sqlite', redis: coord !== null });
  let storeWasUp = true;
  return {
    instanceId, pg, coord, shared: pg !== null,
    withLock: (name, fn) => (pg ? pg.withLock(name, fn) : fn()),
    async health() {
      const storeUp = pg ? await pg.ping() : true;
      if (storeUp !== storeWasUp) {
        if (storeUp) log.info('database reachable again');
        else log.error('database unreachable: events are answered 503 until it is back');
        storeWasUp = storeUp;
      }
      const redis = coord?.health();
      const status = !storeUp ? 'unavailable' : redis?.degraded ? 'degraded' : 'ok';
      return { status, ...(pg ? { store: storeUp ? 'up' : 'down' } : {}), ...(redis ? { redis: redis.status } : {}) };
    },
    details: () => ({ instanceId, ...(coord ? { redis: coord.health() } : {}) }),
    async close() {
      await coord?.close();
      await pg?.close();
    },
  };
}
