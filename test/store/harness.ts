import type { Store } from '../../src/store/types.js';

/** What each contract section sees: the current store and a settable clock. */
export interface Harness {
  readonly store: Store;
  /** The value the store's clock returns. */
  now: number;
}

/** The clock value every test starts with. */
export const T0 = 1_000_000;

export { expectCode, rejection } from '../helpers/common.js';
