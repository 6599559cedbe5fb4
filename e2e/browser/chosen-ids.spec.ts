/**
 * `create(table, fields, { id })` (round 58) through the browser host's API, from the page over
 * its WebSocket (JSON), on two instances offline: the same key in the same list makes one
 * row, merged per field; the same key in two lists makes two rows, each whole in its list,
 * since a row with a parent is keyed within it (round 59: `<parent id>:<key>`, docs/fork.md);
 * a key alone is refused, and writes nothing. The instances converge, and show it.
 */
import type { AnyRow, Envelope } from '../../src/shared/app-api.ts';
import { AppUi, type TodoView } from '../support/app-ui.ts';
import { expect, test } from '../support/browser-fixtures.ts';

test.use({ instanceCount: 2 });

const todo = (title: string, done = false): TodoView => ({ title, done });

test('two instances creating the same chosen ids offline converge: one row per key and list', async ({ cluster }) => {
  const [a, b] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi];
  const value = async <T>(i: number, method: string, args: readonly unknown[]): Promise<T> => {
    const answer = (await cluster.instances[i]!.callApi(method, args)) as Envelope<T>;
    if (!answer.ok) throw new Error(`${method}: ${answer.error.message}`);
    return answer.value;
  };
  await a.addList('Runs');
  await a.addList('Swims');
  await b.expectLists(['Runs', 'Swims'], 15_000);
  const listIds = Object.fromEntries((await value<AnyRow[]>(0, 'rows', ['lists', {}])).map((l) => [l.name, l.id])) as Record<string, string>;
  const runs = listIds.Runs as string;
  const swims = listIds.Swims as string;
  await a.expectSynced();
  await b.expectSynced();

  await a.setOffline(true);
  await b.setOffline(true);
  const day = '2026-12-06';
  await value(0, 'create', ['todos', { listId: runs, title: 'Ran 5 km' }, { id: `${runs}:${day}` }]);
  await value(0, 'create', ['todos', { listId: swims, title: 'Swam 1 km' }, { id: `${swims}:${day}` }]);
  await new Promise((r) => setTimeout(r, 20));
  // Later, on the other instance: the same key in Runs (its title wins), and ticked.
  await value(1, 'create', ['todos', { listId: runs, title: 'Ran 6 km', done: true }, { id: `${runs}:${day}` }]);
  const refused = (await cluster.instances[1]!.callApi('create', ['todos', { listId: swims, title: 'Swam' }, { id: day }])) as Envelope<unknown>;
  expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringContaining(`chosen id is its list's id, a colon and a key`) } });
  await a.setOffline(false);
  await b.setOffline(false);
  await a.expectSynced(15_000);
  await b.expectSynced(15_000);

  for (const ui of [a, b]) {
    await ui.openList('Swims');
    await ui.expectTodos('Swims', [todo('Swam 1 km')], 15_000);
    await ui.openList('Runs');
    await ui.expectTodos('Runs', [todo('Ran 6 km', true)], 15_000);
  }
  for (const i of [0, 1]) {
    expect((await value<AnyRow[]>(i, 'rows', ['todos', { parent: runs }])).map((t) => t.id)).toEqual([`${runs}:${day}`]);
    expect((await value<AnyRow[]>(i, 'rows', ['todos', { parent: swims }])).map((t) => t.id)).toEqual([`${swims}:${day}`]);
  }
});
