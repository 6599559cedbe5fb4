/** Renders the whole app over the real app core (testing/core-api.ts), as the component tests use it. */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach } from 'vitest';
import type { AppApi } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { App } from '../App.tsx';
import { openTestApi, type TestApi, type TestApiOptions } from './core-api.ts';

// Vitest runs without globals here, so Testing Library cannot unmount by itself.
afterEach(cleanup);

export async function renderApp(seed: (api: AppApi) => Promise<void> = async () => {}, options: TestApiOptions = {}) {
  const kit = await openTestApi(options);
  await seed(kit.api);
  const user = userEvent.setup();
  const view = render(<App api={kit.api} options={{ refreshDelayMs: 0 }} />);
  // Loaded: the lists are shown (or the "no lists" state), and the selected list's todos.
  await waitFor(() => {
    if (!screen.queryByTestId('no-lists') && !screen.queryByRole('tabpanel')?.hasChildNodes()) throw new Error('still loading');
  });
  return { api: kit.api, kit, user, ...view };
}

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

export type { TestApi };
