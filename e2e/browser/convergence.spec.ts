import { CONVERGED_SCREENSHOT, convergenceScenario } from '../scenarios/convergence.ts';
import { test } from '../support/browser-fixtures.ts';

test('three instances edit at once through the UI and all show the same lists within 2 seconds', async ({ cluster }, testInfo) => {
  // Every run saves the screenshot with its results; FIELDSYNC_UPDATE_SCREENSHOT=1 also
  // replaces the one the README shows, so that a plain test run leaves the tree clean.
  const screenshot = process.env.FIELDSYNC_UPDATE_SCREENSHOT === '1' ? CONVERGED_SCREENSHOT : testInfo.outputPath('converged.png');
  await convergenceScenario(cluster, { screenshot });
});
