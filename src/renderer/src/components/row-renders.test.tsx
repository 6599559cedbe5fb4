/**
 * A big list stays responsive only if a keystroke or a one-row change renders what changed:
 * these count TodoRow renders (through the RowNotices each row renders, replaced here by a
 * counter) and the todo pane's while typing into New todo, toggling a todo, and renaming one from another device.
 */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists } from '../views/todos/todo-fixtures.ts';
import type * as FilterTabsModule from '../views/todos/FilterTabs.tsx';
import type * as RowNoticesModule from './RowNotices.tsx';

const rendered = vi.hoisted(() => ({ rows: [] as string[], panes: 0 }));
vi.mock('./RowNotices.tsx', async (importOriginal) => ({
  ...(await importOriginal<typeof RowNoticesModule>()),
  RowNotices: ({ table, row }: { table: string; row: string }) => {
    if (table === 'todos') rendered.rows.push(row);
    return null;
  },
}));

// The todo pane's renders, counted through its filter tabs (rendered by the pane only).
vi.mock('../views/todos/FilterTabs.tsx', async (importOriginal) => {
  const actual = await importOriginal<typeof FilterTabsModule>();
  return {
    ...actual,
    FilterTabs: (props: Parameters<typeof actual.FilterTabs>[0]) => {
      rendered.panes++;
      return actual.FilterTabs(props);
    },
  };
});

beforeEach(() => {
  rendered.rows = [];
  rendered.panes = 0;
});

describe('row renders in a long list', () => {
  it('typing in New todo renders no todo row, nor the pane around the list', async () => {
    const { user } = await renderApp(groceries);
    expect(screen.getAllByTestId('todo-item')).toHaveLength(3);
    const input = screen.getByRole('textbox', { name: 'New todo' });
    await user.click(input);
    rendered.rows = [];
    rendered.panes = 0;
    await user.keyboard('Oat milk and honey');
    expect(input).toHaveProperty('value', 'Oat milk and honey');
    expect(rendered.rows).toEqual([]);
    expect(rendered.panes).toBe(0);
  });

  it('toggling one todo re-renders that row only', async () => {
    await renderApp(groceries);
    const milk = screen.getByRole('listitem', { name: 'Milk' });
    rendered.rows = [];
    fireEvent.click(screen.getByRole('checkbox', { name: 'Milk' }));
    await waitFor(() => expect(milk.dataset.done).toBe('true'));
    // Let any further refresh land before counting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new Set(rendered.rows)).toEqual(new Set([milk.dataset.todoId]));
  });

  it('a change from elsewhere re-renders only the changed row', async () => {
    const { api } = await renderApp(groceries);
    const eggs = screen.getByRole('listitem', { name: 'Eggs' });
    rendered.rows = [];
    await api.update('todos', eggs.dataset.todoId as string, { title: 'Brown eggs' });
    await waitFor(() => expect(screen.getByRole('listitem', { name: 'Brown eggs' })).toBe(eggs));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new Set(rendered.rows)).toEqual(new Set([eggs.dataset.todoId]));
    expect(await lists(api)).toHaveLength(2);
  });
});
