import type { RateLimit } from './limiter.js';
import { Lane, type LaneCall, type SendGroup } from './lane.js';
import { createBottleneckBucket, createTokenBucket, type Bucket, type BucketFactory, type BucketKind } from './limiter.js';

/** Options of {@link LaneRegistry}. */
export interface LaneRegistryOptions {
  batching: boolean;
  /** A built-in kind, or a factory (cluster mode: a bucket shared through Redis). */
  bucket: BucketKind | BucketFactory;
  clock: () => number;
  /** How often idle lanes are looked for (default 2 s); the timer runs only while lanes exist. */
  sweepMs?: number;
}

/**
 * The lanes of all portals. A lane lives while its portal is busy and is dropped once idle and
 * refilled, so 10,000 installed portals that went quiet hold no lanes, buckets or timers; the only
 * timer is one unref'd sweep, and only while some lane exists.
 */
export class LaneRegistry {
  readonly #opts: LaneRegistryOptions;
  readonly #lanes = new Map<string, Lane>();
  #sweep: NodeJS.Timeout | null = null;

  constructor(opts: LaneRegistryOptions) {
    this.#opts = opts;
  }

  /** The lane for `key`, created with `limit` and `send` if it does not exist. */
  get(key: string, limit: RateLimit, send: SendGroup): Lane {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = new Lane({ limit, bucket: this.#makeBucket(key, limit), send, batching: this.#opts.batching, clock: this.#opts.clock });
      this.#lanes.set(key, lane);
      this.#startSweep();
    }
    return lane;
  }

  #makeBucket(key: string, limit: RateLimit): Bucket {
    const kind = this.#opts.bucket;
    if (typeof kind === 'function') return kind(key, limit);
    return (kind === 'bottleneck' ? createBottleneckBucket : createTokenBucket)(limit, this.#opts.clock);
  }

  /** Number of live lanes (for tests and the memory benchmark). */
  get size(): number {
    return this.#lanes.size;
  }

  /** Drops every idle lane now. */
  sweep(): void {
    for (const [key, lane] of this.#lanes) {
      if (!lane.isIdle()) continue;
      lane.close();
      this.#lanes.delete(key);
    }
    if (this.#lanes.size === 0 && this.#sweep) {
      clearInterval(this.#sweep);
      this.#sweep = null;
    }
  }

  /** Rejects queued calls and drops every lane. */
  close(error: (call: LaneCall) => unknown): void {
    for (const lane of this.#lanes.values()) {
      lane.rejectQueued(error);
      lane.close();
    }
    this.#lanes.clear();
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = null;
  }

  #startSweep(): void {
    if (this.#sweep) return;
    this.#sweep = setInterval(() => this.sweep(), this.#opts.sweepMs ?? 2000);
    this.#sweep.unref();
  }
}
