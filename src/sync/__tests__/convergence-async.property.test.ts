import { it } from 'vitest';
import { createMemoryStore } from '../index.ts';
import { checkConvergence } from '../../../test-support/convergence/convergence.ts';
import { memoryClientStore, memoryTarget } from '../../../test-support/convergence/memory-target.ts';
import { asyncStore } from './harness/test-kit.ts';

it('converges with asynchronous client stores too (100 runs)', async () => {
  await checkConvergence({
    ...memoryTarget,
    async createClientStore() {
      const inner = createMemoryStore();
      const handle = memoryClientStore(inner);
      const wrap = (h: typeof handle): typeof handle => ({ ...h, store: asyncStore(h.store), reopen: async () => wrap(await h.reopen()) });
      return wrap(handle);
    },
  }, { numRuns: 100, seed: 7 });
}, 300_000);
