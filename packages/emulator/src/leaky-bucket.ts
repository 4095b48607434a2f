/**
 * The portal's request counter (facts §7.1): each accepted request adds 1, the level drains by `rate`
 * per second, a request that would lift it above `burst` is refused. Computed lazily from timestamps.
 */
export class LeakyBucket {
  readonly rate: number;
  readonly burst: number;
  #level = 0;
  #last: number;

  constructor(rate: number, burst: number, nowMs: number) {
    this.rate = rate;
    this.burst = burst;
    this.#last = nowMs;
  }

  /** The current level after draining up to `nowMs`. */
  level(nowMs: number): number {
    const elapsed = Math.max(0, nowMs - this.#last) / 1000;
    this.#level = Math.max(0, this.#level - elapsed * this.rate);
    this.#last = Math.max(this.#last, nowMs);
    return this.#level;
  }

  /** Adds one request if it fits; refused requests are not counted. */
  tryTake(nowMs: number): boolean {
    if (this.level(nowMs) + 1 > this.burst + 1e-9) return false;
    this.#level += 1;
    return true;
  }
}
