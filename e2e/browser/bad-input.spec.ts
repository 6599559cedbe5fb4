import { badInputScenario } from '../scenarios/bad-input.ts';
import { test } from '../support/browser-fixtures.ts';

test('bad input (empty, 10,000 characters, pasted control characters) gets a clear message and breaks nothing', async ({ cluster }) => {
  await badInputScenario(cluster);
});
