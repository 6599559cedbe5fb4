import { it } from 'vitest';
import { checkConvergence } from '../../../test-support/convergence/convergence.ts';
import { memoryTarget } from '../../../test-support/convergence/memory-target.ts';

it('converges under random operations, faults, kills and clock skew (memory stores, 200 runs)', async () => {
  await checkConvergence(memoryTarget, { numRuns: 200 });
}, 300_000);
