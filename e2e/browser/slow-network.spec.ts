import { slowNetworkScenario } from '../scenarios/slow-network.ts';
import { test } from '../support/browser-fixtures.ts';

test('an instance on a slow or lossy network (its Network control) falls behind, says so, and recovers by itself', async ({ cluster }) => {
  await slowNetworkScenario(cluster);
});
