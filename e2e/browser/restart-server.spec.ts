import { restartServerScenario } from '../scenarios/restart-server.ts';
import { test } from '../support/browser-fixtures.ts';

// No sync on a timer: an instance that writes nothing learns of the others' writes only by a poke.
test.use({ syncIntervalMs: 0 });

test('the server restarts mid-session: the instances reconnect by themselves and converge, and pokes come again', async ({ cluster }) => {
  await restartServerScenario(cluster);
});
