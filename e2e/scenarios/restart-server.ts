/**
 * Scenario 4: the server restarts in the middle of a session. While it is down, every
 * instance keeps working (changes wait, pending); when it is back on the same port and
 * database, the instances reconnect by themselves (no click on "Sync now") and converge.
 * Then a new edit reaches everyone again through the realtime stream, not only the retries:
 * the instances sync on no timer (`cluster.syncIntervalMs` 0), so an instance that writes
 * nothing shows it only if its poke stream came back (no duration asserted, round 68).
 */
import { expect } from '@playwright/test';
import { AppUi, type TodoView } from '../support/app-ui.ts';
import { POKE_WAIT_MS } from './convergence.ts';
import type { Cluster } from './types.ts';

const todo = (title: string, done = false): TodoView => ({ title, done });

export async function restartServerScenario(cluster: Cluster): Promise<void> {
  expect(cluster.syncIntervalMs, 'the instances must not sync on a timer (test.use({ syncIntervalMs: 0 })): a timed sync would deliver what a stream that did not come back does not').toBe(0);
  const [a, b, c] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi, AppUi];

  await a.addList('Session');
  for (const t of ['First', 'Second']) await a.addTodo(t);
  for (const ui of [b, c]) {
    await expect(ui.list('Session')).toBeVisible();
    await ui.openList('Session');
    await ui.expectTodos('Session', [todo('First'), todo('Second')]);
  }
  for (const ui of [a, b, c]) await ui.expectSynced();

  await cluster.server.stop();

  // Everyone keeps working; each change waits.
  await a.addTodo('Third, added while down');
  await b.renameTodo('First', 'First, renamed while down');
  await c.toggleTodo('Second');
  for (const ui of [a, b, c]) {
    await expect(ui.pending).not.toHaveText('0');
    await expect(ui.syncState).not.toHaveText('Synced');
  }

  await cluster.server.start();

  const converged = [todo('First, renamed while down'), todo('Second', true), todo('Third, added while down')];
  for (const ui of [a, b, c]) await ui.expectTodos('Session', converged, 30_000);
  for (const ui of [a, b, c]) await ui.expectSynced(30_000);

  // Realtime again: one more edit shows everywhere, brought by a poke (A and C write nothing
  // and sync on no timer).
  await b.toggleTodo('Third, added while down');
  const final = [todo('First, renamed while down'), todo('Second', true), todo('Third, added while down', true)];
  for (const ui of [a, c]) await ui.expectTodos('Session', final, POKE_WAIT_MS);
}
