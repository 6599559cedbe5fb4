import { slowNetworkScenario } from '../scenarios/slow-network.ts';
import { test } from '../support/browser-fixtures.ts';

// A hang guard, not a speed claim: at load 25 on two cores (round 68) starting the server and
// three hosts alone took 98 s of the 90 a test gets by default.
test.describe.configure({ timeout: 300_000 });

test('an instance on a slow or lossy network (its Network control) falls behind, says so, and recovers by itself', async ({ cluster }) => {
  await slowNetworkScenario(cluster);
});
