import { offlineConflictsScenario } from '../scenarios/offline-conflicts.ts';
import { test } from '../support/browser-fixtures.ts';

test('an instance works offline while the others edit the same todos: last writer wins everywhere, and the inspector shows winners and losers', async ({ cluster }) => {
  await offlineConflictsScenario(cluster);
});
