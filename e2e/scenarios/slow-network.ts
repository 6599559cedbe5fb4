/**
 * Scenario 7: a slow and a lossy network, without switching anything off. C's Network control
 * drops every request: A's edit does not reach C, whose sync panel shows it offline; back to
 * a slow network, C recovers by itself and catches up; its own writes then reach A only
 * after the added latency; back to normal, everything is synced.
 */
import { expect } from '@playwright/test';
import { AppUi, type TodoView } from '../support/app-ui.ts';
import type { Cluster } from './types.ts';

const todo = (title: string, done = false): TodoView => ({ title, done });

export async function slowNetworkScenario(cluster: Cluster): Promise<void> {
  const [a, , c] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi, AppUi];
  await a.addList('Trip');
  await a.addTodo('Tickets');
  await expect(c.list('Trip')).toBeVisible();
  await c.openList('Trip');
  await c.expectTodos('Trip', [todo('Tickets')]);
  await c.expectSynced();

  // Every request dropped: A's edit stays away from C, which says it is offline.
  await c.setNetwork('Down (every request dropped)');
  await a.renameTodo('Tickets', 'Train tickets');
  await a.expectSynced();
  await c.page.getByRole('button', { name: 'Sync now' }).click();
  await expect(c.syncState).toHaveText('Can’t reach the server', { timeout: 10_000 });
  // Shown as an error toast, and said at once through the page's assertive live region (ToastAnnouncer).
  await expect(c.page.getByTestId('toast-error').filter({ hasText: "can't be reached" })).toBeVisible();
  await expect(c.page.getByTestId('error-announcer')).toContainText("can't be reached");
  await c.expectTodos('Trip', [todo('Tickets')]);

  // A very slow network: C recovers by itself and catches up.
  await c.setNetwork('Very slow (+3 s per request)');
  await c.expectTodos('Trip', [todo('Train tickets')], 20_000);
  await c.expectSynced(20_000);

  // C's own write reaches A only after the added latency (half of it before the push is sent).
  await c.toggleTodo('Train tickets');
  const wrote = Date.now();
  await a.expectTodos('Trip', [todo('Train tickets', true)], 20_000);
  const took = Date.now() - wrote;
  expect(took, 'ms until A showed C’s write over a network 3 s slower').toBeGreaterThanOrEqual(1400);

  await c.setNetwork('Normal');
  await c.renameTodo('Train tickets', 'Night train');
  await a.expectTodos('Trip', [todo('Night train', true)], 5_000);
  for (const ui of [a, c]) await ui.expectSynced(10_000);
}
