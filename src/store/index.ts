import { join } from 'node:path';
import { secureDataDir } from './file-modes.js';
import { createMemoryStore } from './memory.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export { createMemoryStore } from './memory.js';
export type { MemoryStoreOptions } from './memory.js';
export { openSqliteStore } from './sqlite.js';
export type { SqliteStoreOptions } from './sqlite.js';
export type * from './types.js';

/** File name of the SQLite database inside the data directory. */
export const SQLITE_FILE_NAME = 'botkit.sqlite';

/** Where {@link openStore} keeps data: a directory (SQLite file inside it) or process memory. */
export type OpenStoreOptions =
  | { dataDir: string; clock?: () => number }
  | { memory: true; clock?: () => number };

/**
 * Opens the store the server runs on: SQLite at `<dataDir>/botkit.sqlite` (the directory is
 * created 0700 when missing and tightened to 0700 when it exists; the database files are 0600), or an in-memory store with `{ memory: true }` for tests and demos.
 *
 * @example
 * const store = openStore({ dataDir: config.dataDir });
 * try { await store.getPortal(memberId); } finally { await store.close(); }
 */
export function openStore(opts: OpenStoreOptions): Store {
  const clock = opts.clock ?? Date.now;
  if ('memory' in opts) return createMemoryStore({ clock });
  secureDataDir(opts.dataDir);
  return openSqliteStore({ file: join(opts.dataDir, SQLITE_FILE_NAME), clock });
}
