/** Options of {@link ReadCache}. */
export interface ReadCacheOptions {
  /** How long a read stays fresh, in ms (0 = no caching). */
  ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  max?: number;
  clock?: () => number;
}

/**
 * A read-through cache of store reads on the hot path (a portal's record, a portal's bots), so that one
 * event does not re-read what the previous one just read. Entries expire after `ttlMs`; writers in this
 * process call {@link forget}; readers that find a value that does not fit (a token mismatch, an auth
 * error) re-read with {@link refresh}. Concurrent misses of one key share one read.
 *
 * @example
 * const portals = new ReadCache<PortalRecord | null>({ ttlMs: 5000 });
 * const portal = await portals.get(memberId, () => store.getPortal(memberId));
 */
export class ReadCache<V> {
  readonly #o: Required<ReadCacheOptions>;
  readonly #entries = new Map<string, { value: Promise<V>; at: number }>();

  constructor(opts: ReadCacheOptions) {
    this.#o = { max: 10_000, clock: Date.now, ...opts };
  }

  /** The cached value of `key`, or what `load` reads (then cached). A failed read is not cached. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && this.#o.clock() - hit.at < this.#o.ttlMs) return hit.value;
    return this.refresh(key, load);
  }

  /** Reads `key` again now and caches the result. */
  refresh(key: string, load: () => Promise<V>): Promise<V> {
    if (this.#o.ttlMs <= 0) return load();
    const value = load();
    this.#entries.delete(key);
    this.#entries.set(key, { value, at: this.#o.clock() });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    if (this.#entries.size > this.#o.max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return value;
  }

  /** Drops `key`: the next read goes to the store. */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}
