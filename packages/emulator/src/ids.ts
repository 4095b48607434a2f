import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A random lower-case hex string of `bytes` bytes (tokens, member ids, webhook codes). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A random UUID v4 (message template ids). */
export function uuid(): string {
  return randomUUID();
}

/** The md5 hex digest of a string (the 32-hex `client_id` v1 events carry). */
export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
