import { undoDeleteScenario } from '../scenarios/undo-delete.ts';
import { test } from '../support/browser-fixtures.ts';

test('Undo of a list’s delete brings back the same list on every instance, with every todo it hid, one added meanwhile offline included', async ({ cluster }) => {
  await undoDeleteScenario(cluster);
});
