import { it } from 'vitest';
import { checkConvergence } from './harness/convergence.ts';
import { memoryTarget } from './harness/memory-target.ts';

it('converges under random operations, faults, kills and clock skew (memory stores, 200 runs)', async () => {
  await checkConvergence(memoryTarget, { numRuns: 200 });
}, 300_000);
