import type pg from 'pg';

/** A client taken from the pool; `release()` gives it back, or discards it when its connection broke. */
export interface CheckedOut {
  client: pg.PoolClient;
  release(): void;
}

/**
 * Takes a client from the pool for several statements (a transaction, a session advisory lock).
 *
 * pg-pool listens for a client's `error` event only while the client is idle in the pool. A checked-out
 * client whose connection drops (PostgreSQL restarted, a failover, a network cut) emits `error` with nobody
 * listening, which would crash the process. Here the error is caught for as long as the client is out:
 * the statement in flight fails (the caller sees STORE_UNAVAILABLE) and the broken client is discarded on
 * release instead of going back to the pool.
 */
export async function checkout(pool: pg.Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error): void => {
    broken = e;
  };
  client.on('error', onError);
  return {
    client,
    release: () => {
      client.off('error', onError);
      client.release(broken);
    },
  };
}
