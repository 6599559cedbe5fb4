/** Renders the whole app over a FakeApi, as the component tests use it. */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach } from 'vitest';
import { App } from '../App.tsx';
import { FakeApi, type FakeApiOptions } from './fake-api.ts';

// Vitest runs without globals here, so Testing Library cannot unmount by itself.
afterEach(cleanup);

export async function renderApp(seed: (api: FakeApi) => Promise<void> = async () => {}, options: FakeApiOptions = {}) {
  const api = new FakeApi(options);
  await seed(api);
  const user = userEvent.setup();
  const view = render(<App api={api} options={{ refreshDelayMs: 0 }} />);
  // Loaded: the lists are shown (or the "no lists" state), and the selected list's todos.
  await waitFor(() => {
    if (!screen.queryByTestId('no-lists') && !screen.queryByRole('tabpanel')?.hasChildNodes()) throw new Error('still loading');
  });
  return { api, user, ...view };
}

/** A list "Groceries" with three todos, the second one done. */
export async function groceries(api: FakeApi): Promise<void> {
  const list = await api.createList('Groceries');
  await api.createList('Work');
  for (const title of ['Milk', 'Bread', 'Eggs']) await api.createTodo(list.id, title);
  const todos = await api.todos(list.id);
  await api.setTodoDone((todos[1] as { id: string }).id, true);
}

/** The todo titles in the order shown. */
export function shownTitles(): string[] {
  return screen.queryAllByTestId('todo-title').map((el) => el.textContent ?? '');
}
