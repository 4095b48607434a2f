import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { openRedis, type RedisLink } from '../../src/cluster/redis.js';
import { createLogger } from '../../src/log.js';

/** The services every cluster test needs; overridable for other machines. */
export const PG_ADMIN_URL = process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const quiet = createLogger({ silent: true });

/**
 * Fails loudly (throws with what to start) when PostgreSQL or Redis cannot be reached: the cluster
 * suite never skips.
 */
export async function requireServices(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (set TEST_PG_URL): ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (set TEST_REDIS_URL): ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/** A database of its own for one test run: created empty, dropped (with its connections) at the end. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh, empty database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `botkit_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(), name,
    async drop() {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** A fresh key prefix for one test, and a way to delete every key under it. */
export interface TestPrefix {
  prefix: string;
  link(): RedisLink;
  cleanup(): Promise<void>;
}

/** A unique Redis key prefix; `link()` opens connections under it (closed by `cleanup`). */
export function testPrefix(): TestPrefix {
  const prefix = `botkit-test:${randomUUID().slice(0, 8)}:`;
  const links: RedisLink[] = [];
  return {
    prefix,
    link() {
      const l = openRedis({ url: REDIS_URL, prefix, log: quiet });
      links.push(l);
      return l;
    },
    async cleanup() {
      const r = new Redis(REDIS_URL);
      const keys = [...await r.keys(`${prefix}*`), ...await r.keys(`b_${prefix}*`)];
      if (keys.length > 0) await r.del(...keys);
      r.disconnect();
      await Promise.all(links.map((l) => l.close()));
    },
  };
}
