import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/** Mode of the data directory: only the server's user may list or enter it (tokens live inside). */
export const DATA_DIR_MODE = 0o700;
/** Mode of the database and its `-wal`/`-shm`/`-journal` companions: owner read/write only. */
export const DATA_FILE_MODE = 0o600;

/** The SQLite companion files of a database that may hold its data. */
export function sqliteFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}

function tighten(path: string, mode: number): void {
  const current = statSync(path).mode & 0o777;
  // Only ever removes permissions; never widens what an operator set more strictly.
  if ((current & ~mode) === 0) return;
  try {
    chmodSync(path, current & mode);
  } catch {
    // Not ours to change (another owner, a read-only mount): SQLite reports real access problems.
  }
}

/** Creates the data directory 0700, or tightens an existing one (its parents are left alone). */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  tighten(dir, DATA_DIR_MODE);
}

/**
 * Creates the database's directory (0700) when missing and the database file 0600 before SQLite
 * opens it, so that the `-wal`/`-shm` files SQLite derives from it are 0600 too. Files left 0644 by
 * an older version are tightened.
 */
export function secureBeforeOpen(dir: string, file: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  if (!existsSync(file)) closeSync(openSync(file, 'a', DATA_FILE_MODE));
  secureFiles(file);
}

/** Tightens the database and whichever companion files exist to 0600 (after WAL mode created them). */
export function secureFiles(file: string): void {
  for (const f of sqliteFiles(file)) if (existsSync(f)) tighten(f, DATA_FILE_MODE);
}
