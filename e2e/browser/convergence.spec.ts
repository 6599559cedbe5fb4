import { CONVERGED_SCREENSHOT, convergenceScenario } from '../scenarios/convergence.ts';
import { test } from '../support/browser-fixtures.ts';

// No sync on a timer: an instance that writes nothing learns of the others' writes only by a poke.
test.use({ syncIntervalMs: 0 });
// The test's time limit is a hang guard, not a speed claim: on a two-core machine at load 25
// (round 68) starting the server and three hosts took 98 s, and each UI step 2 to 10 s: the
// scenario's 120 steps did not fit in 270 s.
test.describe.configure({ timeout: 600_000 });

test('three instances edit at once through the UI and all show the same lists, brought by the server’s pokes (no sync on a timer)', async ({ cluster }, testInfo) => {
  // Every run saves the screenshot with its results; FIELDSYNC_UPDATE_SCREENSHOT=1 also
  // replaces the one the README shows, so that a plain test run leaves the tree clean.
  const screenshot = process.env.FIELDSYNC_UPDATE_SCREENSHOT === '1' ? CONVERGED_SCREENSHOT : testInfo.outputPath('converged.png');
  await convergenceScenario(cluster, { screenshot });
});
