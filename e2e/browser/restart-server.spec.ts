import { restartServerScenario } from '../scenarios/restart-server.ts';
import { test } from '../support/browser-fixtures.ts';

test('the server restarts mid-session: the instances reconnect by themselves and converge', async ({ cluster }) => {
  await restartServerScenario(cluster);
});
