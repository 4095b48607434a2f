import { BotkitError } from '../errors.js';

/**
 * Serialises a state value to JSON text, the form every store keeps it in.
 * Throws `STORE_VALUE_INVALID` for values JSON cannot represent (undefined, functions, symbols,
 * BigInt, cycles), so no store silently turns them into something else.
 */
export function encodeJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new BotkitError('STORE_VALUE_INVALID', 'State value is not JSON-serialisable', { cause });
  }
  if (text === undefined) {
    throw new BotkitError('STORE_VALUE_INVALID', `State value of type ${typeof value} is not JSON-serialisable`);
  }
  return text;
}

/** Parses JSON text written by {@link encodeJson}. */
export function decodeJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * Orders strings the way SQLite's default BINARY collation does (UTF-8 byte order, which is code
 * point order), so the memory store lists records in the same order as the SQLite one.
 */
export function compareText(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The error every store method throws after `close()`. */
export function storeClosedError(): BotkitError {
  return new BotkitError('STORE_CLOSED', 'The store is closed');
}
