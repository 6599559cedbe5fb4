import { findInListScenario } from '../scenarios/find-in-list.ts';
import { test } from '../support/browser-fixtures.ts';

test('find in a long list: Ctrl+F finds todos far beyond the rows in view, under a filter, and writes nothing', async ({ cluster }) => {
  await findInListScenario(cluster);
});
