import Bottleneck from 'bottleneck';

/** A portal's leaky bucket: `rate` requests drain per second, `burst` fit in the bucket. */
export interface RateLimit {
  rate: number;
  burst: number;
}

/** One portal's request budget on the client side: a mirror of the portal's leaky bucket. */
export interface Bucket {
  /** Resolves when one HTTP request may be sent; waiters are served in order. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Empties the bucket and refills nothing for `ms` (the portal answered 503 or Retry-After). */
  penalize(ms: number): void;
  /** True when nobody waits and the bucket is full again, i.e. the portal's bucket has drained. */
  isIdle(): boolean;
  /** Stops timers and refuses waiters. */
  close(): void;
}

/** Which bucket implementation a client uses (see {@link createTokenBucket}). */
export type BucketKind = 'token' | 'bottleneck';

/** Makes the bucket of one lane (`key`: a portal's member id, or `host:<host>`); cluster mode injects a shared one. */
export type BucketFactory = (key: string, limit: RateLimit) => Bucket;

/** The documented buckets of the platform's plans (`B24_RATE_LIMIT` and a portal's `rateLimit` accept their names). */
export const RATE_PRESETS: Readonly<Record<string, RateLimit>> = { standard: { rate: 2, burst: 50 }, enterprise: { rate: 5, burst: 250 } };

/** Parses a portal's `rateLimit` override (`standard`, `enterprise`, `<rate>/<burst>`); null or junk → `fallback`. */
export function parseRateLimit(value: string | null, fallback: RateLimit): RateLimit {
  if (value === null) return fallback;
  const preset = RATE_PRESETS[value];
  if (preset) return preset;
  const m = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(value);
  const rate = Number(m?.[1]);
  const burst = Number(m?.[2]);
  return m && rate > 0 && burst >= 1 ? { rate, burst } : fallback;
}

/**
 * The burst the client allows itself: the portal's minus about 100 ms of drain (at least one
 * request, at most a tenth of the burst), because the portal's bucket starts draining when our
 * first request arrives, a little after our bucket started refilling, and arrival times jitter.
 */
export function clientBurst(limit: RateLimit): number {
  const headroom = Math.max(1, Math.min(Math.ceil(limit.rate * 0.1), Math.ceil(limit.burst * 0.1)));
  return Math.max(1, limit.burst - headroom);
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A lazily computed token bucket (the default). Tokens are computed from timestamps, so an idle
 * bucket owns no timer at all; while requests wait, one timeout fires when the next token is due.
 * (bottleneck was measured at ~5 ms added latency and ~1 ms CPU per job on this machine because its
 * local datastore yields with setTimeout(0) several times per job, plus one interval per limiter.)
 */
export function createTokenBucket(limit: RateLimit, clock: () => number = Date.now): Bucket {
  const capacity = clientBurst(limit);
  const perMs = limit.rate / 1000;
  let tokens = capacity;
  let last = clock();
  let timer: NodeJS.Timeout | null = null;
  const waiters: Waiter[] = [];

  const refill = (): void => {
    const now = clock();
    if (now > last) tokens = Math.min(capacity, tokens + (now - last) * perMs);
    last = Math.max(last, now);
  };
  const settle = (w: Waiter): void => {
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
  };
  const pump = (): void => {
    timer = null;
    refill();
    while (waiters.length > 0 && tokens >= 1) {
      tokens -= 1;
      const w = waiters.shift() as Waiter;
      settle(w);
      w.resolve();
    }
    if (waiters.length > 0) {
      timer = setTimeout(pump, Math.max(1, Math.ceil((1 - tokens) / perMs)));
    }
  };
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      refill();
      if (waiters.length === 0 && tokens >= 1) {
        tokens -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject, signal, onAbort: undefined };
        if (signal) {
          w.onAbort = () => {
            const i = waiters.indexOf(w);
            if (i >= 0) waiters.splice(i, 1);
            reject(abortError(signal));
          };
          signal.addEventListener('abort', w.onAbort, { once: true });
        }
        waiters.push(w);
        if (timer === null) pump();
      });
    },
    penalize(ms) {
      refill();
      // Negative tokens: nothing is granted until the portal has drained `ms` worth of requests.
      tokens = Math.min(tokens, 0) - ms * perMs;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (waiters.length > 0) pump();
    },
    isIdle() {
      refill();
      return waiters.length === 0 && tokens >= capacity;
    },
    close() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      for (const w of waiters.splice(0)) {
        settle(w);
        w.reject(new DOMException('The REST client was closed', 'AbortError'));
      }
    },
  };
}

/**
 * The same bucket on bottleneck (reservoir = client burst, refilled by its heartbeat), for
 * comparison in the benchmark (`B24_LIMITER=bottleneck`). Cluster mode does not use it: it injects a
 * {@link BucketFactory} whose buckets are shared through Redis (`src/cluster/redis-bucket.ts`). The heartbeat
 * adds at most `amount` per tick, so it never exceeds the rate even when ticks run late. A penalty
 * empties the reservoir and holds granted requests until it ends (`updateSettings` cannot be used:
 * in bottleneck 2.19.5 it stops a running reservoir heartbeat for good).
 */
export function createBottleneckBucket(limit: RateLimit, clock: () => number = Date.now): Bucket {
  const capacity = clientBurst(limit);
  const amount = Math.max(1, Math.ceil(limit.rate / 20));
  const limiter = new Bottleneck({
    reservoir: capacity, reservoirIncreaseAmount: amount, reservoirIncreaseInterval: 1, reservoirIncreaseMaximum: capacity,
    heartbeatInterval: Math.round((1000 * amount) / limit.rate), maxConcurrent: null,
  });
  let lastGrant = -Infinity;
  let blockedUntil = 0;
  return {
    async acquire(signal) {
      if (signal?.aborted) throw abortError(signal);
      await limiter.schedule(() => Promise.resolve());
      const wait = blockedUntil - clock();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastGrant = clock();
      if (signal?.aborted) throw abortError(signal);
    },
    penalize(ms) {
      blockedUntil = Math.max(blockedUntil, clock() + ms);
      void limiter.currentReservoir().then((r) => limiter.incrementReservoir(-(r ?? 0))).catch(() => undefined);
    },
    isIdle() {
      const c = limiter.counts();
      const busy = c.RECEIVED + c.QUEUED + c.RUNNING + c.EXECUTING > 0;
      const now = clock();
      return !busy && now >= blockedUntil && now - lastGrant >= (capacity / limit.rate) * 1000;
    },
    close() {
      limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      // stop() leaves the reservoir heartbeat running; disconnect() clears it.
      void limiter.disconnect(false);
    },
  };
}
