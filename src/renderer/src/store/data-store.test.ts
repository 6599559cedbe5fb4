import { describe, expect, it, vi } from 'vitest';
import { AppError, type AnyRow, type SyncView } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { messageText } from '../lib/display-text.ts';
import { openTestApi } from '../testing/core-api.ts';
import { deferred, setupStore as setup, stopAfter, twoLists } from '../testing/store-fixture.ts';
import { createAppStore } from './app-store.ts';
import { queryKey } from './data-store.ts';

describe('the data store', () => {
  it('loads info, sync status, the watched lists, and selects the first list', async () => {
    const { store, rows } = await setup(twoLists);
    expect(rows('lists').map((l) => l.name)).toEqual(['Home', 'Work']);
    const home = rows('lists')[0] as Row<'lists'>;
    expect(store.getState().selected.lists).toBe(home.id);
    expect(rows('todos', home.id).map((t) => t.title)).toEqual(['Buy milk', 'Fix bike']);
    await vi.waitFor(() => expect(store.getState().info?.profile).toBe('alice-1'));
    expect(store.getState().sync?.pending).toBe(17); // 3 fields of each list, 5 of each todo, the device's name
  });

  it('shows another device’s writes, and re-queries once after a burst of data events', async () => {
    const { kit, store } = await setup(twoLists);
    const listId = store.getState().selected.lists as string;
    const todos = () => store.getState().queries[queryKey('todos', listId)]?.rows ?? [];
    const phone = await kit.device();
    await kit.pull();
    await phone.sync();
    for (let i = 0; i < 10; i++) await phone.api.create('todos', { listId, title: `Remote ${i}` });
    await phone.sync();
    await kit.pull();
    await vi.waitFor(() => expect(todos()).toHaveLength(12));
    expect(todos().at(-1)?.title).toBe('Remote 9');

    await new Promise((r) => setTimeout(r, 30));
    const rowsCall = vi.spyOn(kit.api, 'rows');
    for (let i = 0; i < 10; i++) kit.emit({ type: 'data', source: 'remote', tables: ['todos'] });
    await vi.waitFor(() => expect(rowsCall).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 30));
    expect(rowsCall.mock.calls).toEqual([['todos', { parent: listId }]]);
    rowsCall.mockClear();
    for (let i = 0; i < 10; i++) kit.setSync({}); // sync events re-read no rows
    await new Promise((r) => setTimeout(r, 30));
    expect(rowsCall).not.toHaveBeenCalled();
  });

  it('keeps the objects of unchanged rows, and the array of an unchanged list, across re-reads', async () => {
    const { store, api, rows } = await setup(twoLists);
    const listId = store.getState().selected.lists as string;
    const [milk, bike] = rows('todos', listId) as [Row<'todos'>, Row<'todos'>];
    const lists = rows('lists');
    await store.getState().update('todos', milk.id, { done: true });
    const after = rows('todos', listId);
    expect(after[0]).not.toBe(milk);
    expect(after[0]?.done).toBe(true);
    expect(after[1]).toBe(bike);
    // A change from elsewhere, one row again; the lists, re-read too, are unchanged.
    await api.update('todos', bike.id, { title: 'Fix the bike' });
    await vi.waitFor(() => expect(rows('todos', listId)[1]?.title).toBe('Fix the bike'));
    expect(rows('todos', listId)[0]).toBe(after[0]);
    await store.getState().refresh();
    expect(rows('lists')).toBe(lists);
  });

  it('keeps an answer for a list that is no longer selected out of sight', async () => {
    const { api, store, rows } = await setup(twoLists);
    const [home, work] = rows('lists') as [Row<'lists'>, Row<'lists'>];
    store.getState().select('lists', work.id);
    stopAfter(store.getState().watch('todos', work.id));
    await vi.waitFor(() => expect(store.getState().queries[queryKey('todos', work.id)]?.loaded).toBe(true));
    expect(rows('todos', work.id)).toEqual([]);
    await api.create('todos', { listId: home.id, title: 'Elsewhere' });
    expect(rows('todos', work.id)).toEqual([]);
  });

  it('drops an answer that arrives after a newer one', async () => {
    const { api, store, rows } = await setup(twoLists);
    const slow = deferred<AnyRow[]>();
    vi.spyOn(api, 'rows').mockImplementationOnce(() => slow.promise);
    const older = store.getState().refresh(['lists']);
    await api.create('lists', { name: 'Garden' });
    await store.getState().refresh(['lists']); // a newer read of the whole list answers first
    slow.resolve([]);
    await older;
    expect(rows('lists').map((l) => l.name)).toEqual(['Home', 'Work', 'Garden']);
  });

  it('keeps the newest sync view: an event beats a slower status answer', async () => {
    const { kit, store } = await setup();
    const slow = deferred<SyncView>();
    vi.spyOn(kit.api, 'syncStatus').mockImplementationOnce(() => slow.promise);
    const request = store.getState().loadSync();
    kit.setSync({ state: 'syncing' });
    await vi.waitFor(() => expect(store.getState().sync?.state).toBe('syncing'));
    slow.resolve({ ...(store.getState().sync as SyncView), state: 'idle' });
    await request;
    expect(store.getState().sync?.state).toBe('syncing');
  });

  it('returns the input rule’s message and calls nothing for a bad title', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const listId = rows('lists')[0]?.id as string;
    const before = kit.calls.length;
    expect(await store.getState().create('todos', { listId, title: '   ' })).toEqual({ ok: false, message: "Title can't be empty." });
    expect((await store.getState().create('todos', { listId, title: 'x'.repeat(10_000) })).ok).toBe(false);
    expect(await store.getState().update('todos', 'any', { title: 'a\tb' })).toEqual({ ok: false, message: expect.stringContaining('control characters') });
    // @ts-expect-error the compiler refuses it too; the store refuses it from untyped callers
    expect(await store.getState().update('todos', 'any', { colour: 'red' })).toEqual({ ok: false, message: 'A todo has no field "colour".' });
    expect(kit.calls.slice(before)).toEqual([]);
  });

  it('passes a chosen id to the API: one row per key, created again after its delete', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const listId = rows('lists')[0]?.id as string;
    const day = `${listId}:day-1`; // a row with a parent: its id starts with the parent's
    const first = await store.getState().create('todos', { listId, title: 'Day 1' }, { id: day });
    expect(first).toMatchObject({ ok: true, row: { id: day, title: 'Day 1' } });
    await store.getState().remove('todos', day);
    expect(await store.getState().create('todos', { listId, title: 'Day 1 again' }, { id: day })).toMatchObject({ ok: true, row: { id: day } });
    await vi.waitFor(() => expect(rows('todos', listId).filter((t) => t.id === day).map((t) => t.title)).toEqual(['Day 1 again']));
    expect(kit.calls.filter((c) => c.method === 'create').at(-1)?.args).toEqual(['todos', { listId, title: 'Day 1 again', done: false }, { id: day }]);
    // Without one, no third argument (the API client leaves it out): over JSON, the browser
    // host's, an undefined one would arrive as null, which the API refuses.
    await store.getState().create('todos', { listId, title: 'Plain' });
    expect(kit.calls.filter((c) => c.method === 'create').at(-1)?.args).toHaveLength(2);
  });

  it('returns the API’s invalid_argument message for typed text, not as a toast', async () => {
    const { kit, store, rows } = await setup(twoLists);
    kit.failNext('create', new AppError('invalid_argument', 'The server refused that title.'));
    expect(await store.getState().create('todos', { listId: rows('lists')[0]?.id as string, title: 'Fine' })).toEqual({ ok: false, message: 'The server refused that title.' });
    expect(store.getState().toasts).toEqual([]);
  });

  it('shows other failures as one error toast and re-reads the truth', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const listId = rows('lists')[0]?.id as string;
    const todo = rows('todos', listId)[0] as Row<'todos'>;
    kit.failNext('update', new AppError('internal', 'disk full'));
    expect(await store.getState().update('todos', todo.id, { done: true })).toEqual({ ok: false, message: null });
    kit.failNext('update', new AppError('internal', 'disk full'));
    await store.getState().update('todos', todo.id, { done: true });
    expect(store.getState().toasts).toEqual([expect.objectContaining({ kind: 'error', message: 'Something went wrong: disk full' })]);
    expect(rows('todos', listId)[0]?.done).toBe(false);
    // A row deleted elsewhere: the real core answers not_found, shown as a toast.
    expect(await store.getState().update('todos', 'gone', { title: 'New' })).toEqual({ ok: false, message: null });
    expect(store.getState().toasts.at(-1)?.message).toMatch(/no longer exists/);
  });

  it('offers to undo a deleted row, restoring its fields and place', async () => {
    const { store, rows } = await setup(twoLists);
    const listId = rows('lists')[0]?.id as string;
    const [first] = rows('todos', listId) as [Row<'todos'>];
    await store.getState().update('todos', first.id, { done: true });
    await store.getState().remove('todos', first.id, { undo: true });
    expect(rows('todos', listId).map((t) => t.title)).toEqual(['Fix bike']);
    const toast = store.getState().toasts.at(-1);
    expect(messageText(toast?.message ?? '')).toBe('Deleted “Buy milk”');
    toast?.action?.run();
    await vi.waitFor(() => expect(rows('todos', listId).map((t) => [t.title, t.done])).toEqual([['Buy milk', true], ['Fix bike', false]]));
  });

  // Undo made the list and its todos again, one create each: new ids and creation times, and
  // a failure half-way had to delete the half list again.
  it('undoes a list’s delete with the same list and todos; a failed Undo leaves it deleted, to try again', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const home = rows('lists')[0] as Row<'lists'>;
    const live = async () => Promise.all((await kit.api.rows('lists', {})).map(async (l) => [l.name, (await kit.api.rows('todos', { parent: l.id })).map((t) => t.title)]));
    const homeTodos = await kit.api.rows('todos', { parent: home.id });
    await store.getState().remove('lists', home.id, { undo: true });
    expect(await live()).toEqual([['Work', []]]);
    const undo = store.getState().toasts.at(-1)?.action;
    kit.failNext('restore', new AppError('internal', 'disk full'));
    undo?.run();
    await vi.waitFor(() => expect(store.getState().toasts.at(-1)?.message).toBe('Something went wrong: disk full'));
    expect(await live()).toEqual([['Work', []]]);
    undo?.run(); // the toast's action again: this time everything comes back
    await vi.waitFor(async () => expect(await live()).toEqual([['Home', ['Buy milk', 'Fix bike']], ['Work', []]]));
    expect((await kit.api.rows('lists', {}))[0]).toEqual(home);
    expect(await kit.api.rows('todos', { parent: home.id })).toEqual(homeTodos);
    await vi.waitFor(() => expect(rows('lists').map((l) => l.id)).toEqual([home.id, rows('lists')[1]?.id]));
    expect(store.getState().selected.lists).toBe(home.id);
  });

  it('brings back with a list only what its delete hid: a todo deleted before stays deleted', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const home = rows('lists')[0] as Row<'lists'>;
    const [milk] = rows('todos', home.id) as [Row<'todos'>];
    await store.getState().remove('todos', milk.id);
    await store.getState().remove('lists', home.id, { undo: true });
    store.getState().toasts.at(-1)?.action?.run();
    await vi.waitFor(async () => expect((await kit.api.rows('todos', { parent: home.id })).map((t) => t.title)).toEqual(['Fix bike']));
    await vi.waitFor(() => expect(rows('todos', home.id).map((t) => t.title)).toEqual(['Fix bike']));
  });

  it('moves the selection to the neighbour when the selected row is deleted', async () => {
    const { store, rows } = await setup(twoLists);
    const [home, work] = rows('lists') as [Row<'lists'>, Row<'lists'>];
    await store.getState().remove('lists', home.id);
    expect(store.getState().selected.lists).toBe(work.id);
    await store.getState().remove('lists', work.id);
    expect(store.getState().selected.lists).toBe(null);
  });

  it('reads the rows of a deleted parent as empty, quietly', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const home = rows('lists')[0] as Row<'lists'>;
    await kit.api.delete('lists', home.id);
    await store.getState().refresh(['todos']);
    expect(rows('todos', home.id)).toEqual([]);
    expect(store.getState().toasts).toEqual([]);
  });

  it('stops listening when stopped', async () => {
    const kit = await openTestApi();
    const stop = createAppStore(kit.api).getState().start();
    expect(kit.listenerCount()).toBe(1);
    stop();
    expect(kit.listenerCount()).toBe(0);
  });
  it('deletes a row once when asked twice before the first delete is done (a double click), with no error', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const home = rows('lists')[0] as Row<'lists'>;
    const milk = rows('todos', home.id)[0] as Row<'todos'>;
    const [first, second] = await Promise.all([store.getState().remove('todos', milk.id), store.getState().remove('todos', milk.id)]);
    expect([first, second]).toEqual([true, false]);
    expect(kit.calls.filter((c) => c.method === 'delete')).toHaveLength(1);
    expect(store.getState().toasts.filter((t) => t.kind === 'error')).toEqual([]);
  });
});
