/**
 * Counts in-flight work against a total and a per-portal cap: the outbox's slots. A portal at its cap
 * is skipped by claims, so one slow portal never holds every slot.
 */
export class Slots {
  readonly total: number;
  readonly perPortal: number;
  readonly #used = new Map<string, number>();
  #inUse = 0;

  constructor(total: number, perPortal: number) {
    this.total = Math.max(1, total);
    this.perPortal = Math.max(1, Math.min(perPortal, this.total));
  }

  /** Free slots in total. */
  get free(): number {
    return Math.max(0, this.total - this.#inUse);
  }

  /** Takes a slot for `memberId` if the total and its cap allow; true when taken. */
  take(memberId: string): boolean {
    if (this.#inUse >= this.total || (this.#used.get(memberId) ?? 0) >= this.perPortal) return false;
    this.force(memberId);
    return true;
  }

  /** Takes a slot regardless of the caps (work the store already handed out). */
  force(memberId: string): void {
    this.#inUse++;
    this.#used.set(memberId, (this.#used.get(memberId) ?? 0) + 1);
  }

  /** Gives a slot of `memberId` back. */
  give(memberId: string): void {
    const n = (this.#used.get(memberId) ?? 0) - 1;
    if (n > 0) this.#used.set(memberId, n);
    else this.#used.delete(memberId);
    this.#inUse = Math.max(0, this.#inUse - 1);
  }

  /** Portals at their cap. */
  full(): string[] {
    return [...this.#used].filter(([, n]) => n >= this.perPortal).map(([m]) => m);
  }
}
