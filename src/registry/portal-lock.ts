/**
 * One task at a time per key, in this process: a task waits for the tasks queued before it with the same
 * key (their failures included), tasks of other keys run alongside. Registration sync serialises per
 * portal with it; across processes the cluster lock does the same.
 *
 * @example
 * const lock = new KeyedLock();
 * await Promise.all([lock.run('m1', syncA), lock.run('m1', syncB)]); // syncB starts after syncA ended
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
