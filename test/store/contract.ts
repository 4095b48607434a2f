import type { Store } from '../../src/store/types.js';
import { claimContract } from './contract-claims.js';
import { portalContract } from './contract-portals.js';
import { queueContract } from './contract-queues.js';
import { stateContract } from './contract-state.js';
import { expectCode, rejection, T0 } from './harness.js';
import type { Harness } from './harness.js';

/** A store under test and how to get rid of it (close it, delete its files). */
export interface StoreFixture {
  store: Store;
  dispose(): Promise<void>;
}

/** Builds a fresh, empty store that reads time from `clock`. */
export type StoreFactory = (opts: { clock: () => number }) => StoreFixture | Promise<StoreFixture>;

/**
 * The behaviour every {@link Store} must have. Each implementation's test file calls this once
 * with a factory that makes a fresh store per test.
 */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`${name} store: contract`, () => {
    let fixture: StoreFixture | undefined;
    const h: Harness = {
      get store(): Store {
        if (!fixture) throw new Error('no store: the factory did not run');
        return fixture.store;
      },
      now: T0,
    };

    beforeEach(async () => {
      h.now = T0;
      fixture = await factory({ clock: () => h.now });
    });

    afterEach(async () => {
      await fixture?.dispose();
      fixture = undefined;
    });

    portalContract(h);
    queueContract(h);
    claimContract(h);
    stateContract(h);

    describe('close', () => {
      it('is idempotent and makes every later call reject with STORE_CLOSED', async () => {
        await h.store.setOffset('m-1', 1, 5);
        await h.store.close();
        await h.store.close();
        expectCode(await rejection(h.store.getOffset('m-1', 1)), 'STORE_CLOSED');
        expectCode(await rejection(h.store.listPortals()), 'STORE_CLOSED');
        expectCode(await rejection(h.store.outboxPending(10, h.now)), 'STORE_CLOSED');
      });
    });
  });
}
