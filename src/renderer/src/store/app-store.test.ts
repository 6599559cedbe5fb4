import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/app-api.ts';
import type { SyncView, Todo, TodoList } from '../../../shared/app-api.ts';
import { FakeApi } from '../testing/fake-api.ts';
import { createAppStore } from './app-store.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

async function setup(seed: (api: FakeApi) => Promise<void> = async () => {}) {
  const api = new FakeApi();
  await seed(api);
  const store = createAppStore(api, { refreshDelayMs: 5 });
  stops.push(store.getState().start());
  await vi.waitFor(() => expect(store.getState().listsLoaded).toBe(true));
  await vi.waitFor(() => expect(store.getState().todosListId).toBe(store.getState().selectedListId));
  return { api, store };
}

async function twoLists(api: FakeApi) {
  const home = await api.createList('Home');
  await api.createList('Work');
  await api.createTodo(home.id, 'Buy milk');
  await api.createTodo(home.id, 'Fix bike');
}

describe('createAppStore', () => {
  it('loads info, sync status, the lists, and the first list’s todos', async () => {
    const { store } = await setup(twoLists);
    const s = store.getState();
    expect(s.lists.map((l) => l.name)).toEqual(['Home', 'Work']);
    expect(s.selectedListId).toBe(s.lists[0]?.id);
    expect(s.todos.map((t) => t.title)).toEqual(['Buy milk', 'Fix bike']);
    await vi.waitFor(() => expect(store.getState().info?.profile).toBe('alice-1'));
    expect(store.getState().sync?.state).toBe('idle');
  });

  it('re-queries once after a burst of remote data events', async () => {
    const { api, store } = await setup(twoLists);
    const listId = store.getState().selectedListId as string;
    const lists = vi.spyOn(api, 'lists');
    for (let i = 0; i < 10; i++) {
      api.receiveRemote({ table: 'todos', row: `r${i}`, values: { listId, title: `Remote ${i}`, done: false, order: `z${i}`, createdAt: 1 } });
    }
    await vi.waitFor(() => expect(store.getState().todos).toHaveLength(12));
    expect(store.getState().todos.at(-1)?.title).toBe('Remote 9');
    expect(lists).toHaveBeenCalledTimes(1);
  });

  it('ignores a todos answer for a list that is no longer selected', async () => {
    const { api, store } = await setup(twoLists);
    const [home, work] = store.getState().lists as [TodoList, TodoList];
    const slow = deferred<Todo[]>();
    vi.spyOn(api, 'todos').mockImplementationOnce(() => slow.promise);
    const stale = store.getState().loadTodos(); // for Home, answered late
    store.getState().selectList(work.id);
    await vi.waitFor(() => expect(store.getState().todosListId).toBe(work.id));
    slow.resolve([{ id: 'x', listId: home.id, title: 'Stale', done: false, order: 'a', createdAt: 0 }]);
    await stale;
    expect(store.getState().todosListId).toBe(work.id);
    expect(store.getState().todos).toEqual([]);
  });

  it('drops a lists answer that arrives after a newer one', async () => {
    const { api, store } = await setup(twoLists);
    const slow = deferred<TodoList[]>();
    vi.spyOn(api, 'lists').mockImplementationOnce(() => slow.promise);
    const older = store.getState().loadLists();
    await store.getState().createList('Garden'); // its own re-read answers first
    slow.resolve([]);
    await older;
    expect(store.getState().lists.map((l) => l.name)).toEqual(['Home', 'Work', 'Garden']);
  });

  it('keeps the newest sync view: an event beats a slower status answer', async () => {
    const { api, store } = await setup();
    const slow = deferred<SyncView>();
    vi.spyOn(api, 'syncStatus').mockImplementationOnce(() => slow.promise);
    const request = store.getState().loadSync();
    api.setSync({ state: 'syncing' });
    await vi.waitFor(() => expect(store.getState().sync?.state).toBe('syncing'));
    slow.resolve({ ...(store.getState().sync as SyncView), state: 'idle' });
    await request;
    expect(store.getState().sync?.state).toBe('syncing');
  });

  it('returns the input rule’s message and calls nothing for a bad title', async () => {
    const { api, store } = await setup(twoLists);
    const before = api.calls.length;
    expect(await store.getState().createTodo('   ')).toEqual({ ok: false, message: "Title can't be empty." });
    expect((await store.getState().createTodo('x'.repeat(10_000))).ok).toBe(false);
    expect(await store.getState().createTodo('a\tb')).toEqual({ ok: false, message: expect.stringContaining('control characters') });
    expect(api.calls.slice(before).filter((c) => c.method === 'createTodo')).toEqual([]);
  });

  it('returns the API’s invalid_argument message for the input, not as a toast', async () => {
    const { api, store } = await setup(twoLists);
    api.failNext('createTodo', new AppError('invalid_argument', 'The server refused that title.'));
    expect(await store.getState().createTodo('Fine')).toEqual({ ok: false, message: 'The server refused that title.' });
    expect(store.getState().toasts).toEqual([]);
  });

  it('shows other failures as one error toast and re-reads the truth', async () => {
    const { api, store } = await setup(twoLists);
    const todo = store.getState().todos[0] as Todo;
    api.failNext('setTodoDone', new AppError('internal', 'disk full'));
    expect(await store.getState().setTodoDone(todo.id, true)).toBe(false);
    api.failNext('setTodoDone', new AppError('internal', 'disk full'));
    await store.getState().setTodoDone(todo.id, true);
    expect(store.getState().toasts).toEqual([expect.objectContaining({ kind: 'error', message: 'Something went wrong: disk full' })]);
    expect(store.getState().todos[0]?.done).toBe(false);
    const result = await store.getState().renameTodo('gone', 'New');
    expect(result).toEqual({ ok: false, message: null });
    expect(store.getState().toasts.at(-1)?.message).toMatch(/no longer exists/);
  });

  it('offers to undo a deleted todo, restoring its title, state and place', async () => {
    const { store } = await setup(twoLists);
    const [first] = store.getState().todos as [Todo];
    await store.getState().setTodoDone(first.id, true);
    await store.getState().deleteTodo(first.id);
    expect(store.getState().todos.map((t) => t.title)).toEqual(['Fix bike']);
    const toast = store.getState().toasts.at(-1);
    expect(toast?.message).toBe('Deleted “Buy milk”');
    toast?.action?.run();
    await vi.waitFor(() => expect(store.getState().todos.map((t) => [t.title, t.done])).toEqual([['Buy milk', true], ['Fix bike', false]]));
  });

  it('moves the selection to the neighbour when the selected list is deleted', async () => {
    const { store } = await setup(twoLists);
    const [home, work] = store.getState().lists as [TodoList, TodoList];
    await store.getState().deleteList(home.id);
    expect(store.getState().selectedListId).toBe(work.id);
    await store.getState().deleteList(work.id);
    expect(store.getState().selectedListId).toBe(null);
    expect(store.getState().todos).toEqual([]);
  });

  it('selects a list it just created', async () => {
    const { store } = await setup(twoLists);
    expect(await store.getState().createList('  Garden ')).toEqual({ ok: true });
    const garden = store.getState().lists.find((l) => l.name === 'Garden');
    expect(store.getState().selectedListId).toBe(garden?.id);
  });

  it('stops listening when stopped', async () => {
    const api = new FakeApi();
    const stop = createAppStore(api).getState().start();
    expect(api.listenerCount()).toBe(1);
    stop();
    expect(api.listenerCount()).toBe(0);
  });
});
