/**
 * Scenario 3: an instance with pending changes is restarted. B works offline and edits;
 * then B quits, and while it is away the server is down too, so that nothing can sync
 * behind our back. B starts again: its data and its pending changes are there (the same
 * count, the inspector's messages still "Pending"). When the server is back, B syncs them on
 * its own, and pulls what A did in the meantime (a title, where B had set the done flag).
 */
import { expect } from '@playwright/test';
import { AppUi, type TodoView } from '../support/app-ui.ts';
import type { Cluster } from './types.ts';

const todo = (title: string, done = false): TodoView => ({ title, done });

export async function restartInstanceScenario(cluster: Cluster): Promise<void> {
  const [instA, instB, instC] = cluster.instances as [(typeof cluster.instances)[number], (typeof cluster.instances)[number], (typeof cluster.instances)[number]];
  const a = new AppUi(instA.page);
  const c = new AppUi(instC.page);
  let b = new AppUi(instB.page);

  await a.addList('Errands');
  for (const t of ['Post office', 'Bank']) await a.addTodo(t);
  await expect(b.list('Errands')).toBeVisible();
  await b.openList('Errands');
  await b.expectTodos('Errands', [todo('Post office'), todo('Bank')]);

  await b.setOffline(true);
  await b.addTodo('Pharmacy');
  await b.renameTodo('Bank', 'Bank (before noon)');
  await b.toggleTodo('Post office');
  const offlineView = [todo('Post office', true), todo('Bank (before noon)'), todo('Pharmacy')];
  await b.expectTodos('Errands', offlineView);
  const pending = Number(await b.pending.textContent());
  expect(pending, 'unsynced messages: a new todo (5 fields), a title and a done flag').toBe(7);

  await instB.stop();
  // A keeps working while B is away (not adding at the end of the list: B did, unaware, and
  // two items placed unaware of each other at the same spot are ordered by their random ids).
  await a.openList('Errands');
  await a.renameTodo('Post office', 'Post office, parcel');
  await a.expectSynced();
  await cluster.server.stop();

  await instB.start();
  b = new AppUi(instB.page);
  await b.openList('Errands');
  // Everything B did is still there, and still waiting to be sent.
  await b.expectTodos('Errands', offlineView);
  await expect(b.pending).toHaveText(String(pending));
  await expect(b.inspectorRows('title', 'Pharmacy')).toHaveAttribute('data-synced', 'false');
  await expect(b.syncState).not.toHaveText('Synced');

  await cluster.server.start();
  // No clicks: B finds the server again by itself (it is online again after its restart).
  const converged = [todo('Post office, parcel', true), todo('Bank (before noon)'), todo('Pharmacy')];
  await b.expectTodos('Errands', converged, 20_000);
  await b.expectSynced(20_000);
  for (const ui of [a, c]) {
    if ((await ui.page.getByTestId('list-heading').textContent()) !== 'Errands') await ui.openList('Errands');
    await ui.expectTodos('Errands', converged, 20_000);
    await ui.expectSynced(20_000);
  }
  await expect(b.inspectorRows('title', 'Pharmacy')).toHaveAttribute('data-synced', 'true');
  await expect(b.inspectorRows('title', 'Pharmacy')).toHaveAttribute('data-origin', 'local');
}
