import type pg from 'pg';

/** The database's time as this process sees it: its own clock plus the offset last measured against PostgreSQL. */
export interface DatabaseClock {
  now(): number;
  /** Measures the offset again (one query; half its round trip is taken as the transit time). */
  measure(): Promise<void>;
  /** The last measured offset (database minus local), in ms. */
  offsetMs(): number;
}

/**
 * Leases are stamped and compared by each instance: with their own clocks, an instance whose clock runs
 * ahead by more than a lease's slack (15 s lease, renewed every 5 s) takes live leases of the others (the
 * fault review measured duplicate handling and two handlers of one dialogue at once with a +20 s skew).
 * Every instance reading the database's clock agrees on the time to within a round trip.
 */
export function databaseClock(pool: pg.Pool, local: () => number = Date.now): DatabaseClock {
  let offset = 0;
  return {
    now: () => local() + offset,
    async measure() {
      const t0 = local();
      const { rows } = await pool.query<{ ms: string }>('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS ms');
      const t1 = local();
      offset = Number(rows[0]?.ms) - Math.round((t0 + t1) / 2);
    },
    offsetMs: () => offset,
  };
}
