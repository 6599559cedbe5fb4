/**
 * The data store's tests' fixture: a store over the real app core (testing/core-api.ts),
 * watching the lists and the first list's todos, as the todo view does.
 */
import { afterEach, expect, vi } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { createAppStore } from '../store/app-store.ts';
import { queryKey } from '../store/data-store.ts';
import { openTestApi, type TestApi } from './core-api.ts';

export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

/** Stops this (a watch, the store's listening) after the test. */
export const stopAfter = (stop: () => void): void => void stops.push(stop);

/**
 * After `seed`, a started store that tracks the lists' selection and watches the lists and the
 * selected list's todos, all loaded. `refreshDelayMs`: how long data events are gathered
 * before their re-read (a minute keeps them out of a test's way).
 */
export async function setupStore(seed: (kit: TestApi) => Promise<void> = async () => {}, refreshDelayMs = 5) {
  const kit = await openTestApi();
  await seed(kit);
  const store = createAppStore(kit.api, { refreshDelayMs });
  stops.push(store.getState().start());
  store.getState().trackSelection('lists');
  stops.push(store.getState().watch('lists'));
  await vi.waitFor(() => expect(store.getState().queries.lists?.loaded).toBe(true));
  const listId = store.getState().selected.lists;
  if (listId) {
    stops.push(store.getState().watch('todos', listId));
    await vi.waitFor(() => expect(store.getState().queries[queryKey('todos', listId)]?.loaded).toBe(true));
  }
  const rows = <T extends 'lists' | 'todos'>(table: T, parent?: string) => (store.getState().queries[queryKey(table, parent)]?.rows ?? []) as Row<T>[];
  return { kit, api: kit.api, store, rows };
}

/** Lists "Home" (todos "Buy milk", "Fix bike") and "Work" (empty). */
export async function twoLists(kit: TestApi) {
  const home = await kit.api.create('lists', { name: 'Home' });
  await kit.api.create('lists', { name: 'Work' });
  await kit.api.create('todos', { listId: home.id, title: 'Buy milk' });
  await kit.api.create('todos', { listId: home.id, title: 'Fix bike' });
}
