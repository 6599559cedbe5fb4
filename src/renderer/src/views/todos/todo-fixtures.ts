/**
 * The todo app's test data and reads, for its tests (src/renderer/src/components/*.test.tsx):
 * they go with the todo view, and a fork that replaces the todos deletes them with it.
 */
import { screen } from '@testing-library/react';
import type { AppApi } from '../../../../shared/app-api.ts';
import type { Row } from '../../../../shared/app-rows.ts';

/** A list "Groceries" with three todos, the second one done, and an empty list "Work". */
export async function groceries(api: AppApi): Promise<void> {
  const list = await api.create('lists', { name: 'Groceries' });
  await api.create('lists', { name: 'Work' });
  for (const title of ['Milk', 'Bread', 'Eggs']) await api.create('todos', { listId: list.id, title, done: title === 'Bread' });
}

/** The app's lists, as the core has them. */
export async function lists(api: AppApi): Promise<Row<'lists'>[]> {
  return (await api.rows('lists', {})) as Row<'lists'>[];
}

/** The todo titles in the order shown. */
export function shownTitles(): string[] {
  return screen.queryAllByTestId('todo-title').map((el) => el.textContent ?? '');
}
