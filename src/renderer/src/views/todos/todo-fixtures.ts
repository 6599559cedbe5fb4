/**
 * The todo app's test data and reads, for its tests (src/renderer/src/components/*.test.tsx):
 * they go with the todo view, and a fork that replaces the todos deletes them with it.
 */
import { screen } from '@testing-library/react';
import { generateNKeysBetween } from 'fractional-indexing';
import type { AppApi } from '../../../../shared/app-api.ts';
import type { Row } from '../../../../shared/app-rows.ts';
import type { TestApi } from '../../testing/core-api.ts';

/** A list "Groceries" with three todos, the second one done, and an empty list "Work". */
export async function groceries(api: AppApi): Promise<void> {
  const list = await api.create('lists', { name: 'Groceries' });
  await api.create('lists', { name: 'Work' });
  for (const title of ['Milk', 'Bread', 'Eggs']) await api.create('todos', { listId: list.id, title, done: title === 'Bread' });
}

/**
 * A list "Big" of `count` todos, "Todo 1" to "Todo <count>" in that order, every seventh done.
 * Written as the core writes rows (order keys, createdAt) through its sync client: 10,000
 * creates through the API take minutes, this a few seconds.
 */
export function bigList(count: number) {
  return async (api: AppApi, kit: TestApi): Promise<void> => {
    const list = await api.create('lists', { name: 'Big' });
    const keys = generateNKeysBetween(null, null, count);
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      await kit.core.client.update('todos', `todo-${String(i + 1).padStart(5, '0')}`, { listId: list.id, title: `Todo ${i + 1}`, done: i % 7 === 6, order: keys[i] as string, createdAt: now + i });
    }
  };
}

/** The app's lists, as the core has them. */
export async function lists(api: AppApi): Promise<Row<'lists'>[]> {
  return (await api.rows('lists', {})) as Row<'lists'>[];
}

/** The todo titles in the order shown. */
export function shownTitles(): string[] {
  return screen.queryAllByTestId('todo-title').map((el) => el.textContent ?? '');
}

/**
 * Groceries' Milk and Bread renamed on both sides of a conflict: a phone a minute ahead renames
 * them "Whole milk" and "Rye" and syncs; this instance, before it hears of that, renames them
 * "Oat milk" and "Spelt"; then it pulls, and the phone's newer names win: a notice in each row.
 */
export async function renamedOnBoth(api: AppApi, kit: TestApi): Promise<void> {
  const [list] = await lists(api);
  const [milk, bread] = (await api.rows('todos', { parent: list?.id as string })) as Row<'todos'>[];
  await kit.pull();
  const phone = await kit.device({ now: () => Date.now() + 60_000 });
  await phone.sync();
  for (const [todo, title] of [[milk, 'Whole milk'], [bread, 'Rye']] as const) await phone.api.update('todos', todo?.id as string, { title });
  await phone.sync();
  for (const [todo, title] of [[milk, 'Oat milk'], [bread, 'Spelt']] as const) await api.update('todos', todo?.id as string, { title });
  await kit.pull();
}
