import type { OperatingOptions } from './types.js';

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 10;

/** The `time.operating` view of one method for one app or webhook. */
export interface OperatingState {
  /** Seconds used over the last 10 minutes. */
  operating: number;
  /** Unix seconds when the oldest minute bucket drops out. */
  resetAt: number;
  blocked: boolean;
}

/**
 * Per-method execution-time accounting in ten one-minute buckets (facts §7.2). The call that crosses
 * the limit completes; the next one is blocked until old buckets expire.
 */
export class OperatingBudget {
  readonly #limitS: number | null;
  readonly #cost: (method: string) => number;
  readonly #usage = new Map<string, Map<number, number>>();

  constructor(opts: OperatingOptions | undefined) {
    this.#limitS = opts?.limitS ?? null;
    const cost = opts?.costS ?? 0.001;
    this.#cost = typeof cost === 'function' ? cost : () => cost;
  }

  /** The state of `key` (app or webhook + method) at `nowMs`. */
  state(key: string, nowMs: number): OperatingState {
    const minutes = this.#prune(key, nowMs);
    let operating = 0;
    let oldest = Infinity;
    for (const [minute, seconds] of minutes ?? []) {
      operating += seconds;
      oldest = Math.min(oldest, minute);
    }
    const resetMinute = oldest === Infinity ? Math.floor(nowMs / MINUTE_MS) : oldest;
    const resetAt = Math.floor(((resetMinute + WINDOW_MINUTES) * MINUTE_MS) / 1000);
    const blocked = this.#limitS !== null && operating > this.#limitS;
    return { operating: Math.round(operating * 1e6) / 1e6, resetAt, blocked };
  }

  /** Charges one call of `method` to `key`. */
  charge(key: string, method: string, nowMs: number): void {
    const minute = Math.floor(nowMs / MINUTE_MS);
    const minutes = this.#usage.get(key) ?? new Map<number, number>();
    minutes.set(minute, (minutes.get(minute) ?? 0) + this.#cost(method));
    this.#usage.set(key, minutes);
  }

  #prune(key: string, nowMs: number): Map<number, number> | undefined {
    const minutes = this.#usage.get(key);
    if (!minutes) return undefined;
    const first = Math.floor(nowMs / MINUTE_MS) - WINDOW_MINUTES + 1;
    for (const minute of minutes.keys()) if (minute < first) minutes.delete(minute);
    return minutes;
  }
}
