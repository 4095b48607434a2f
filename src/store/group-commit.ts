/**
 * Group commit: writes queued during one event-loop turn run in a single SQLite transaction (one WAL
 * append instead of one per write). Each caller's promise settles after that transaction committed, so
 * "persisted before acknowledged" still holds; under load the intake's inbox writes cost a fraction.
 */
export class GroupCommit<A, R> {
  readonly #run: (batch: readonly A[]) => R[];
  #queue: Array<{ arg: A; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  #scheduled = false;

  /** `run` executes the whole batch inside one transaction and returns one result per argument. */
  constructor(run: (batch: readonly A[]) => R[]) {
    this.#run = run;
  }

  /** Queues one write; resolves with its result once the batch committed. */
  submit(arg: A): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ arg, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now (also called before the database closes). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    try {
      const results = this.#run(batch.map((b) => b.arg));
      batch.forEach((b, i) => b.resolve(results[i] as R));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}
