import { restartServerScenario } from '../scenarios/restart-server.ts';
import { test } from '../support/browser-fixtures.ts';

// No sync on a timer: an instance that writes nothing learns of the others' writes only by a poke.
test.use({ syncIntervalMs: 0 });
// A hang guard, not a speed claim: at load 25 on two cores (round 68) starting the server and
// three hosts alone took 98 s of the 90 a test gets by default.
test.describe.configure({ timeout: 300_000 });

test('the server restarts mid-session: the instances reconnect by themselves and converge, and pokes come again', async ({ cluster }) => {
  await restartServerScenario(cluster);
});
