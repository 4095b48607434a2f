import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { HealthStatus } from '../http/app.js';
import type { DispatchQueue } from '../intake/dispatch-queue.js';
import { startPoller, type PollerOptions } from '../intake/poller.js';
import type { Logger } from '../log.js';
import type { OutboxOptions } from '../outbox/outbox.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres.js';
import type { RegistryStore } from '../store/types.js';
import { openCoordination, type Coordination } from './coordination.js';
import { ClusterDispatchQueue } from './dispatch-queue.js';
import { LeaderPollers } from './leader-pollers.js';

/** Queue leases of a cluster instance: renewed every third while it lives, taken over this long after it died. */
export const CLUSTER_LEASE_MS = 15_000;

/** The fetch-mode pollers of a process (one `PollerSet`, or the cluster's leader-elected ones). */
export interface Pollers {
  startFor(memberId: string): Promise<void>;
  stopAll(): Promise<void>;
}

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
  /** The shared, lease-based dispatch queue (PostgreSQL), or null: the caller uses the local one. */
  dispatchQueue(perPortal: number): DispatchQueue | null;
  /** Outbox options of this instance (its lease owner, lease, polling for orphaned replies). */
  readonly outboxOptions: Pick<OutboxOptions, 'owner' | 'leaseMs' | 'releaseAllOnStart' | 'pollMs'>;
  /** Leader-elected pollers (one per bot across the cluster), or null: the caller uses a `PollerSet`. */
  pollers(store: Pick<RegistryStore, 'listBots'>, options: PollerOptions): Pollers | null;
  /** Starts renewing this instance's leases. */
  start(): void;
  /** Gives this instance's leases back (graceful stop): the others take its work at once. */
  release(): Promise<void>;
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
  // Starting does not depend on Redis (the process serves degraded without it), but a reachable one is used from the first event.
  if (coord) await coord.link.ready(3000).catch(() => undefined);
  if (pg || coord) log.info('cluster mode', { instanceId, store: pg ? 'postgres' : 'sqlite', redis: coord !== null });
  if (pg && !coord) log.warn('DATABASE_URL without REDIS_URL: every instance limits itself to the whole portal bucket; set REDIS_URL when running more than one');
  let storeWasUp = true;
  let queue: ClusterDispatchQueue | null = null;
  let keeper: NodeJS.Timeout | null = null;
  return {
    instanceId, pg, coord, shared: pg !== null,
    dispatchQueue(perPortal) {
      if (!pg) return null;
      queue = new ClusterDispatchQueue({ store: pg, log, owner: instanceId, leaseMs: CLUSTER_LEASE_MS, perPortal });
      return queue;
    },
    outboxOptions: pg ? { owner: instanceId, leaseMs: CLUSTER_LEASE_MS, releaseAllOnStart: false, pollMs: 1000 } : {},
    pollers(store, options) {
      if (!pg) return null;
      return new LeaderPollers({
        store, log, start: (bot) => startPoller(bot, options),
        tryLease: (name, ms) => pg.tryLease(name, instanceId, ms), dropLease: (name) => pg.dropLease(name, instanceId),
      });
    },
    start() {
      if (!pg || keeper) return;
      // Only the events the queue holds: one it lost track of must expire, or no instance could ever claim it.
      keeper = setInterval(() => void pg.renewLeases(instanceId, CLUSTER_LEASE_MS, queue?.heldKeys() ?? []).catch((e: unknown) => {
        log.warn('renewing queue leases failed', { err: e });
      }), CLUSTER_LEASE_MS / 3);
      keeper.unref();
    },
    async release() {
      if (keeper) clearInterval(keeper);
      keeper = null;
      await queue?.close();
      await pg?.outboxRelease(instanceId).catch(() => undefined);
    },
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
