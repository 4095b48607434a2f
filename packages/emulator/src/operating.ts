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

interface Bucket {
  /** The wall-clock minute the bucket holds (ms since epoch / 60,000, floored). */
  minute: number;
  /** When the first call counted in this bucket started (ms). */
  startMs: number;
  seconds: number;
}

/**
 * Per-method execution-time accounting in ten one-minute buckets (facts §7.2, docs `limits.md`
 * "Ограничения на ресурсоемкость"): each bucket holds the time of its wall-clock minute ("сумму времени
 * выполнения метода за соответствующую минуту"); it drops out ten minutes after the first call counted
 * in that minute ("если первый вызов в корзине начался в 10:05:20 ..., operating_reset_at 10:15:20").
 * The call that crosses the limit completes; the next one is blocked until old buckets expire.
 */
export class OperatingBudget {
  readonly #limitS: number | null;
  readonly #cost: (method: string) => number;
  readonly #usage = new Map<string, Bucket[]>();

  constructor(opts: OperatingOptions | undefined) {
    this.#limitS = opts?.limitS ?? null;
    const cost = opts?.costS ?? 0.001;
    this.#cost = typeof cost === 'function' ? cost : () => cost;
  }

  /** The state of `key` (app or webhook + method) at `nowMs`. */
  state(key: string, nowMs: number): OperatingState {
    const buckets = this.#prune(key, nowMs);
    const operating = buckets.reduce((sum, b) => sum + b.seconds, 0);
    const oldest = buckets[0]?.startMs ?? nowMs;
    const resetAt = Math.floor((oldest + WINDOW_MINUTES * MINUTE_MS) / 1000);
    const blocked = this.#limitS !== null && operating > this.#limitS;
    return { operating: Math.round(operating * 1e6) / 1e6, resetAt, blocked };
  }

  /** Charges one call of `method`, started at `nowMs`, to `key`. */
  charge(key: string, method: string, nowMs: number): void {
    const buckets = this.#prune(key, nowMs);
    const last = buckets.at(-1);
    const minute = Math.floor(nowMs / MINUTE_MS);
    if (last && last.minute === minute) last.seconds += this.#cost(method);
    else buckets.push({ minute, startMs: nowMs, seconds: this.#cost(method) });
    this.#usage.set(key, buckets);
  }

  #prune(key: string, nowMs: number): Bucket[] {
    const live = (this.#usage.get(key) ?? []).filter((b) => nowMs < b.startMs + WINDOW_MINUTES * MINUTE_MS);
    if (live.length === 0) this.#usage.delete(key);
    else this.#usage.set(key, live);
    return live;
  }
}
