/**
 * After a write or a data event that names its rows, the store re-reads those rows
 * (`rowsById`), not their whole list, and puts them in place: in order, structurally shared,
 * newer answers winning over older ones whichever arrives first, and the tables below re-read
 * only when a row came or went.
 */
import { describe, expect, it, vi } from 'vitest';
import type { AnyRow } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { messageText } from '../lib/display-text.ts';
import { queryKey } from './data-store.ts';
import { deferred, setupStore as setup, stopAfter, twoLists } from '../testing/store-fixture.ts';

describe('re-reading the rows that changed', () => {
  it('re-reads only the rows a data event names; the tables below only when a row came or went', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const listId = store.getState().selected.lists as string;
    const rowsCall = vi.spyOn(kit.api, 'rows');
    const byId = vi.spyOn(kit.api, 'rowsById');
    const milk = rows('todos', listId)[0] as Row<'todos'>;
    await kit.api.update('todos', milk.id, { done: true });
    await vi.waitFor(() => expect(rows('todos', listId)[0]?.done).toBe(true));
    await new Promise((r) => setTimeout(r, 30));
    expect(byId.mock.calls).toEqual([['todos', [milk.id]]]);
    expect(rowsCall).not.toHaveBeenCalled();

    // A renamed list: its row, and not its todos, which it did not change.
    byId.mockClear();
    await kit.api.update('lists', listId, { name: 'House' });
    await vi.waitFor(() => expect(rows('lists')[0]?.name).toBe('House'));
    await new Promise((r) => setTimeout(r, 30));
    expect(byId.mock.calls).toEqual([['lists', [listId]]]);
    expect(rowsCall).not.toHaveBeenCalled();

    // An event that names no rows (a big pull, a reconnection): the tables, whole, and those below.
    kit.emit({ type: 'data', source: 'remote', tables: ['lists'] });
    await vi.waitFor(() => expect(rowsCall).toHaveBeenCalledTimes(2));
    expect(rowsCall.mock.calls.map((c) => c[0]).sort()).toEqual(['lists', 'todos']);
  });

  it('a write re-reads the row it changed, never the whole list', async () => {
    const { kit, store, rows } = await setup(twoLists, 60_000); // data events re-read nothing here
    const listId = store.getState().selected.lists as string;
    const [milk, bike] = rows('todos', listId) as [Row<'todos'>, Row<'todos'>];
    const rowsCall = vi.spyOn(kit.api, 'rows');
    const byId = vi.spyOn(kit.api, 'rowsById');
    await store.getState().update('todos', milk.id, { done: true });
    expect(rows('todos', listId).map((t) => [t.title, t.done])).toEqual([['Buy milk', true], ['Fix bike', false]]);
    await store.getState().update('todos', bike.id, { title: 'Fix the bike' });
    const created = await store.getState().create('todos', { listId, title: 'Oil chain' });
    await store.getState().move('todos', bike.id, 0);
    expect(rows('todos', listId).map((t) => t.title)).toEqual(['Fix the bike', 'Buy milk', 'Oil chain']);
    await store.getState().remove('todos', milk.id);
    expect(rows('todos', listId).map((t) => t.title)).toEqual(['Fix the bike', 'Oil chain']);
    // What the core holds, in its order.
    expect(rows('todos', listId)).toEqual(await kit.api.rows('todos', { parent: listId }));
    expect(rowsCall.mock.calls).toEqual([['todos', { parent: listId }]]); // the test's own read just above
    expect(byId.mock.calls).toEqual([
      ['todos', [milk.id]],
      ['todos', [bike.id]],
      ['todos', [created.ok ? created.row.id : '']],
      ['todos', [bike.id]],
      ['todos', [milk.id]],
    ]);
  });

  it('a move whose siblings were renumbered reads their list whole, so the order is the core’s', async () => {
    const { kit, store, rows } = await setup(async (k) => {
      const list = await k.api.create('lists', { name: 'Tied' });
      // Keys another client wrote equal: no key fits between them, and a move renumbers.
      for (const [id, title] of [['t1', 'One'], ['t2', 'Two'], ['t3', 'Three']]) await k.core.client.update('todos', id as string, { listId: list.id, title: title as string, done: false, order: 'a0', createdAt: 1 });
    }, 60_000);
    const listId = store.getState().selected.lists as string;
    expect(rows('todos', listId).map((t) => t.title)).toEqual(['One', 'Two', 'Three']);
    await store.getState().move('todos', 't3', 1);
    expect(rows('todos', listId).map((t) => t.title)).toEqual(['One', 'Three', 'Two']);
    expect(rows('todos', listId)).toEqual(await kit.api.rows('todos', { parent: listId }));
  });

  it('puts a row moved on another device in its new place, and takes out one deleted there', async () => {
    const { kit, store, rows } = await setup(async (k) => {
      await twoLists(k);
      const home = (await k.api.rows('lists', {}))[0] as Row<'lists'>;
      await k.api.create('todos', { listId: home.id, title: 'Water plants' });
    });
    const listId = store.getState().selected.lists as string;
    const rowsCall = vi.spyOn(kit.api, 'rows');
    const [milk, bike, plants] = rows('todos', listId) as [Row<'todos'>, Row<'todos'>, Row<'todos'>];
    await kit.api.move('todos', plants.id, 0);
    await vi.waitFor(() => expect(rows('todos', listId).map((t) => t.title)).toEqual(['Water plants', 'Buy milk', 'Fix bike']));
    // The rows that did not change are the objects held before.
    expect(rows('todos', listId)[1]).toBe(milk);
    await kit.api.delete('todos', bike.id);
    await vi.waitFor(() => expect(rows('todos', listId).map((t) => t.title)).toEqual(['Water plants', 'Buy milk']));
    expect(rowsCall).not.toHaveBeenCalled();
  });

  it('a list deleted on another device: its todos read as empty, the selection moves on, and a notice says so', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const [home, work] = rows('lists') as [Row<'lists'>, Row<'lists'>];
    const phone = await kit.device();
    await kit.pull();
    await phone.sync();
    await phone.api.delete('lists', home.id);
    await phone.sync();
    await kit.pull();
    await vi.waitFor(() => expect(store.getState().selected.lists).toBe(work.id));
    expect(rows('lists').map((l) => l.name)).toEqual(['Work']);
    await vi.waitFor(() => expect(rows('todos', home.id)).toEqual([]));
    await vi.waitFor(() => expect(messageText(store.getState().toasts.at(-1)?.message ?? '')).toMatch(/^“Home” was deleted on /));
  });

  it('a deleted list takes its todos out of a query of all the todos too, not only of its own', async () => {
    const { api, store } = await setup(twoLists, 60_000); // only the write's own re-read
    const [home] = (store.getState().queries.lists?.rows ?? []) as [Row<'lists'>];
    // A view of every todo, whatever its list (no parent): the core answers it too.
    stopAfter(store.getState().watch('todos'));
    const all = () => store.getState().queries[queryKey('todos')];
    await vi.waitFor(() => expect(all()?.rows).toHaveLength(2));
    await store.getState().remove('lists', home.id);
    expect(all()?.rows).toEqual(await api.rows('todos', {}));
    expect(all()?.rows).toEqual([]);
  });

  it('keeps a re-read row over an older answer, and drops a re-read row older than the list on screen', async () => {
    const { api, store, rows } = await setup(twoLists, 60_000);
    const listId = store.getState().selected.lists as string;
    const [milk] = rows('todos', listId) as [Row<'todos'>];
    // A whole read asked before a toggle answers after the toggle's row read: the row stays toggled.
    const slowList = deferred<AnyRow[]>();
    const before = await api.rows('todos', { parent: listId });
    vi.spyOn(api, 'rows').mockImplementationOnce(() => slowList.promise);
    const older = store.getState().refresh(['todos']);
    await store.getState().update('todos', milk.id, { done: true });
    slowList.resolve(before);
    await older;
    expect(rows('todos', listId).map((t) => t.done)).toEqual([true, false]);

    // A row read asked before a whole read, answered after it: dropped.
    const slowRow = deferred<(AnyRow | null)[]>();
    vi.spyOn(api, 'rowsById').mockImplementationOnce(() => slowRow.promise);
    const olderRow = store.getState().refreshRows('todos', [milk.id]);
    await api.update('todos', milk.id, { title: 'Buy oat milk' });
    await store.getState().refresh(['todos']);
    slowRow.resolve([{ ...milk, done: false }]);
    await olderRow;
    expect(rows('todos', listId).map((t) => [t.title, t.done])).toEqual([['Buy oat milk', true], ['Fix bike', false]]);

    // Two reads of one row, the older answering last: dropped.
    const slowSame = deferred<(AnyRow | null)[]>();
    vi.spyOn(api, 'rowsById').mockImplementationOnce(() => slowSame.promise);
    const olderSame = store.getState().refreshRows('todos', [milk.id]);
    await api.update('todos', milk.id, { title: 'Buy rice milk' });
    await store.getState().refreshRows('todos', [milk.id]);
    slowSame.resolve([{ ...milk, title: 'Buy oat milk', done: true }]);
    await olderSame;
    expect(rows('todos', listId).map((t) => t.title)).toEqual(['Buy rice milk', 'Fix bike']);
  });

});
