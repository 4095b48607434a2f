import { expect } from 'chai';
import { BotkitError } from '../../src/errors.js';
import type { Store } from '../../src/store/types.js';

/** What each contract section sees: the current store and a settable clock. */
export interface Harness {
  readonly store: Store;
  /** The value the store's clock returns. */
  now: number;
}

/** The clock value every test starts with. */
export const T0 = 1_000_000;

/** Resolves to what `promise` rejected with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Asserts that `err` is a BotkitError with `code`. */
export function expectCode(err: unknown, code: string): void {
  expect(err).to.be.instanceOf(BotkitError);
  expect((err as BotkitError).code).to.equal(code);
}
