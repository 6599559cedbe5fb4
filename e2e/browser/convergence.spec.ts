import { convergenceScenario } from '../scenarios/convergence.ts';
import { test } from '../support/browser-fixtures.ts';

test('three instances edit at once through the UI and all show the same lists within 2 seconds', async ({ cluster }) => {
  await convergenceScenario(cluster);
});
