/**
 * Scenario 9: Undo of a list's delete, on two instances. A deletes a list while B, offline,
 * adds a todo to it; B comes online and the list goes from B too, with B's todo. A's Undo
 * brings back the list itself (the API's `restore`: the same row, its id and place), so
 * every todo its delete hid comes back with it on both instances, B's included, and nothing
 * is made twice: the todos are the same rows, not copies.
 */
import { expect } from '@playwright/test';
import { AppUi, type TodoView } from '../support/app-ui.ts';
import type { AnyRow, Envelope, InspectorEntry } from '../../src/shared/app-api.ts';
import type { Cluster } from './types.ts';

const todo = (title: string, done = false): TodoView => ({ title, done });

export async function undoDeleteScenario(cluster: Cluster): Promise<void> {
  const [a, b] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi];
  await a.addList('Errands');
  await a.addList('Trip');
  await a.openList('Trip');
  await a.addTodo('Passport');
  await a.addTodo('Tickets');
  await a.toggleTodo('Tickets');
  await expect(b.list('Trip')).toBeVisible({ timeout: 15_000 });
  await b.openList('Trip');
  await b.expectTodos('Trip', [todo('Passport'), todo('Tickets', true)]);
  await b.expectSynced();

  await b.setOffline(true);
  await b.addTodo('Sunscreen'); // B has not seen the delete yet
  await a.deleteList('Trip');
  const toast = a.page.getByTestId('toast-info');
  await expect(toast).toContainText('Deleted “Trip”');
  await b.setOffline(false);
  await b.expectLists(['Errands'], 15_000);
  await a.expectLists(['Errands']);

  await toast.getByRole('button', { name: 'Undo' }).click();
  const all = [todo('Passport'), todo('Tickets', true), todo('Sunscreen')];
  await a.expectLists(['Errands', 'Trip']);
  await a.expectTodos('Trip', all); // opened by the Undo
  await b.expectLists(['Errands', 'Trip'], 15_000);
  await b.openList('Trip');
  await b.expectTodos('Trip', all);
  await a.expectSynced();
  await b.expectSynced();

  // The same rows: each todo's title was written once, by its own create, never by the Undo.
  const value = async <T>(i: number, method: string, args: readonly unknown[]): Promise<T> => {
    const answer = (await cluster.instances[i]!.callApi(method, args)) as Envelope<T>;
    if (!answer.ok) throw new Error(`${method}: ${answer.error.message}`);
    return answer.value;
  };
  const trip = (await value<AnyRow[]>(0, 'rows', ['lists', {}])).find((l) => l.name === 'Trip');
  expect((await value<AnyRow[]>(1, 'rows', ['todos', { parent: trip?.id }])).map((t) => t.title)).toEqual(['Passport', 'Tickets', 'Sunscreen']);
  const titles = (await value<InspectorEntry[]>(0, 'inspect', [1000])).filter((m) => m.column === 'title');
  expect(titles.map((m) => m.value).sort()).toEqual(['Passport', 'Sunscreen', 'Tickets']);
}
