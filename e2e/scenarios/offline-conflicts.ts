/**
 * Scenario 2: instance B works offline (its switch) while A keeps editing, and both sides
 * edit the same todos:
 *
 * - the same todo's title, twice: once A writes last, once B does. The later write wins,
 *   wherever it was made and whenever it reaches the server;
 * - different fields of one todo (A marks it done, B renames it): both changes survive;
 * - a todo A deletes and B then renames. A delete is a `_deleted: true` message, a field
 *   like any other; B's later title edit writes only the title cell, so the row stays
 *   deleted everywhere (an edit never undeletes).
 *
 * After B goes online, every instance shows the same result, and the message inspector
 * marks the winning and losing messages.
 */
import { expect } from '@playwright/test';
import { AppUi, type TodoView } from '../support/app-ui.ts';
import type { Cluster } from './types.ts';

const todo = (title: string, done = false): TodoView => ({ title, done });

export async function offlineConflictsScenario(cluster: Cluster): Promise<void> {
  const [a, b, c] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi, AppUi];

  await a.addList('Plans');
  for (const t of ['Shared title', 'Two fields', 'Doomed', 'Second title']) await a.addTodo(t);
  const start = [todo('Shared title'), todo('Two fields'), todo('Doomed'), todo('Second title')];
  for (const ui of [b, c]) {
    await expect(ui.list('Plans')).toBeVisible();
    await ui.openList('Plans');
    await ui.expectTodos('Plans', start);
  }
  await b.expectSynced();

  await b.setOffline(true);

  // Each step is awaited before the next, so the wall clock orders the writes.
  await b.renameTodo('Shared title', 'Title from B'); // earlier: loses
  await a.renameTodo('Shared title', 'Title from A'); // later: wins
  await a.renameTodo('Second title', 'Second from A'); // earlier: loses
  await b.renameTodo('Second title', 'Second from B'); // later: wins, though it reaches the server last
  await a.toggleTodo('Two fields'); // done, by A
  await b.renameTodo('Two fields', 'Two fields, renamed by B'); // title, by B: both stay
  await a.deleteTodo('Doomed');
  await b.renameTodo('Doomed', 'Doomed, edited by B'); // later than the delete, but only the title

  // While B is offline: A and C agree with each other; B shows its own edits, still pending.
  const online = [todo('Title from A'), todo('Two fields', true), todo('Second from A')];
  await a.expectTodos('Plans', online);
  await c.expectTodos('Plans', online);
  await b.expectTodos('Plans', [todo('Title from B'), todo('Two fields, renamed by B'), todo('Doomed, edited by B'), todo('Second from B')]);
  await expect(b.syncState).toHaveText('Working offline');
  await expect(b.pending).toHaveText('4');
  await b.expectMessage('title', 'Title from B', { origin: 'local', won: true });
  await expect(b.inspectorRows('title', 'Title from B')).toHaveAttribute('data-synced', 'false');

  await b.setOffline(false);

  const converged = [todo('Title from A'), todo('Two fields, renamed by B', true), todo('Second from B')];
  for (const ui of [a, b, c]) await ui.expectTodos('Plans', converged, 10_000);
  for (const ui of [a, b, c]) await ui.expectSynced(10_000);

  // The inspector: B's earlier title lost to A's; A's earlier title lost to B's.
  await b.expectMessage('title', 'Title from B', { origin: 'local', won: false });
  await b.expectMessage('title', 'Title from A', { origin: 'remote', won: true });
  await a.expectMessage('title', 'Second from A', { origin: 'local', won: false });
  await a.expectMessage('title', 'Second from B', { origin: 'remote', won: true });
  // Different fields: both messages won their own cell.
  await a.expectMessage('title', 'Two fields, renamed by B', { origin: 'remote', won: true });
  await b.expectMessage('done', true, { origin: 'remote', won: true });
  // The delete won its `_deleted` cell in B, and B's later title is the title of a deleted row.
  await b.expectMessage('_deleted', true, { origin: 'remote', won: true });
  await b.expectMessage('title', 'Doomed, edited by B', { origin: 'local', won: true });
  await expect(b.todo('Doomed, edited by B')).toHaveCount(0);
}
