import type { StateStore } from '../store/types.js';

/** Persistent key-value state scoped to a user or a chat of one bot on one portal. */
export interface Session {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A {@link Session} over the state store. Writes are last-writer-wins per key (the dispatcher already
 * serialises one dialogue's events); values must be JSON-serialisable.
 *
 * @example
 * const s = createSession(store, 'sess:member:45:user:1', () => Date.now(), 86400);
 * await s.set('lang', 'de');
 */
export function createSession(store: StateStore, prefix: string, clock: () => number, ttlS: number): Session {
  const full = (key: string): string => `${prefix}:${key}`;
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const row = await store.getState<T>(full(key), clock());
      return row === null ? undefined : row.value;
    },
    async set(key: string, value: unknown): Promise<void> {
      const k = full(key);
      const expiresAt = clock() + ttlS * 1000;
      for (let attempt = 0; attempt < 5; attempt++) {
        const row = await store.getState(k, clock());
        if ((await store.setState(k, value, row?.version ?? 0, expiresAt)) !== null) return;
      }
      throw new Error(`session key ${key} is being written concurrently`);
    },
    delete: (key: string) => store.deleteState(full(key)),
  };
}
