interface Waiting {
  start(): void;
}

/**
 * Runs async tasks grouped by key (install verifications by portal host): FIFO within a key, at most
 * `perKey` running per key, no limit across keys. Nothing is ever refused: a task waits for its key's
 * turn. A key that floods or hangs fills only its own slots and its own queue, so a task of another key
 * never waits for it; the total work is bounded per key (slots × each task's own timeout), not by a
 * global slot count that one key could fill.
 *
 * @example
 * const q = new FairQueue(2);
 * await q.run('acme.bitrix24.com', () => verify(event));
 */
export class FairQueue {
  readonly #perKey: number;
  readonly #waiting = new Map<string, Waiting[]>();
  readonly #running = new Map<string, number>();

  constructor(perKey: number) {
    this.#perKey = perKey;
  }

  /** Tasks waiting for a slot of their key, over all keys. */
  get waiting(): number {
    let n = 0;
    for (const q of this.#waiting.values()) n += q.length;
    return n;
  }

  /** Tasks running now, over all keys. */
  get running(): number {
    let n = 0;
    for (const r of this.#running.values()) n += r;
    return n;
  }

  /** Runs `task` when its key has a free slot; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
        // A task that throws synchronously still releases its slot.
        Promise.resolve().then(task).then(resolve, reject).finally(() => this.#release(key));
      };
      const running = this.#running.get(key) ?? 0;
      if (running < this.#perKey) return start();
      const queue = this.#waiting.get(key);
      if (queue) queue.push({ start });
      else this.#waiting.set(key, [{ start }]);
    });
  }

  #release(key: string): void {
    const n = (this.#running.get(key) ?? 1) - 1;
    if (n === 0) this.#running.delete(key);
    else this.#running.set(key, n);
    const queue = this.#waiting.get(key);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.#waiting.delete(key);
    next?.start();
  }
}
