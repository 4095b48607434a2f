/**
 * The helpers every test folder shares: awaiting a rejection, asserting an error code, and the portal
 * record a test starts from. Folder-specific rigs build on these instead of keeping their own copies.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';
import { BotkitError } from '../../src/errors.js';
import type { PortalRecord } from '../../src/store/types.js';

/** An error as tests inspect it: a message and, for framework errors, a stable `code`. */
export type CaughtError = Error & { code?: string };

/** Resolves with what `promise` rejected with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<CaughtError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    return err as CaughtError;
  }
  throw new Error('expected a rejection, but it resolved');
}

/** Asserts that `err` is a BotkitError with `code`. */
export function expectCode(err: unknown, code: string): void {
  expect(err).to.be.instanceOf(BotkitError);
  expect((err as BotkitError).code).to.equal(code);
}

/** An active OAuth portal record with every field set (`acme.bitrix24.com`, member `m1`); override what a test is about. */
export function portalRecord(over: Partial<PortalRecord> = {}): PortalRecord {
  return {
    memberId: 'm1', domain: 'acme.bitrix24.com', clientEndpoint: 'https://acme.bitrix24.com/rest/', authMode: 'oauth',
    applicationToken: 'app-token', accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: null,
    status: 'active', rateLimit: null, installedAt: 1, updatedAt: 1, ...over,
  };
}

/** An incoming-webhook portal record: no OAuth pair and no application token. */
export function webhookPortalRecord(over: Partial<PortalRecord> = {}): PortalRecord {
  return portalRecord({
    memberId: 'webhook:acme.bitrix24.com', clientEndpoint: 'https://acme.bitrix24.com/rest/1/hookcode/', authMode: 'webhook',
    accessToken: null, refreshToken: null, applicationToken: null, ...over,
  });
}

/** A real (winston JSON) logger whose lines a test reads back, parsed. */
export function logLines(level: 'debug' | 'info' | 'warn' = 'warn'): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return {
    log: createLogger({ stream, level }),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
