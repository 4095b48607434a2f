import { expect } from 'chai';
import { BotkitError, type ErrorCode } from '../../../src/errors.js';

/** Runs `fn`, asserts it throws a BotkitError with `code`, and returns the error for more checks. */
export function expectCode(fn: () => unknown, code: ErrorCode): BotkitError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code} to be thrown`).to.be.instanceOf(BotkitError);
  const err = thrown as BotkitError;
  expect(err.code, err.message).to.equal(code);
  return err;
}
