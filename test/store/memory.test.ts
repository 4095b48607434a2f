import { createMemoryStore } from '../../src/store/memory.js';
import { storeContract } from './contract.js';

storeContract('memory', ({ clock }) => {
  const store = createMemoryStore({ clock });
  return { store, dispose: () => store.close() };
});
