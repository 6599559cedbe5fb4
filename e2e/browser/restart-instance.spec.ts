import { restartInstanceScenario } from '../scenarios/restart-instance.ts';
import { test } from '../support/browser-fixtures.ts';

test('an instance restarted with pending changes keeps its data and changes, then syncs them', async ({ cluster }) => {
  await restartInstanceScenario(cluster);
});
