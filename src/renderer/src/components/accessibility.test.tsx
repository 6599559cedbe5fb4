import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import { groceries } from '../views/todos/todo-fixtures.ts';

const ROLES = ['button', 'textbox', 'checkbox', 'switch', 'tab', 'link'] as const;

/** Every control of a role, minus those Testing Library finds a non-empty name for. */
function unnamed(role: (typeof ROLES)[number]): string[] {
  const named = new Set(screen.queryAllByRole(role, { name: /\S/ }));
  return screen.queryAllByRole(role).filter((el) => !named.has(el)).map((el) => el.outerHTML.slice(0, 120));
}

describe('accessibility', () => {
  it('gives every interactive element an accessible name', async () => {
    const { user } = await renderApp(groceries);
    // Also with the transient controls on screen: an inline edit and a delete confirmation.
    await user.click(screen.getByRole('button', { name: 'Delete “Work”' }));
    await user.dblClick(within(screen.getByTestId('todo-list')).getByText('Milk'));
    expect(screen.getByTestId('confirm-delete')).toBeTruthy();
    for (const role of ROLES) {
      expect(screen.queryAllByRole(role).length, role).toBeGreaterThan(0);
      expect(unnamed(role), role).toEqual([]);
    }
    expect(screen.getAllByRole('textbox').length).toBeGreaterThanOrEqual(3);
    // Rows that take the focus (lists and todos) are named after their item.
    const namedItems = new Set(screen.queryAllByRole('listitem', { name: /\S/ }));
    const focusableRows = [...document.querySelectorAll('li[tabindex]')];
    expect(focusableRows.length).toBeGreaterThan(0);
    expect(focusableRows.filter((el) => !namedItems.has(el as HTMLElement))).toEqual([]);
  });

  it('uses headings and landmarks for the regions', async () => {
    await renderApp(groceries);
    expect(screen.getByRole('navigation', { name: 'Lists' })).toBeTruthy();
    expect(screen.getByRole('main', { name: 'Groceries' })).toBeTruthy();
    expect(screen.getByRole('complementary', { name: 'Sync and messages' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Groceries' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Sync' })).toBeTruthy();
  });
  it('names a row\'s buttons by the start of a long title, not all of it four times over', async () => {
    const long = `${'Supercalifragilistic '.repeat(20)}end`; // 423 characters
    const { user } = await renderApp(async (api) => {
      const list = await api.create('lists', { name: 'Home' });
      await api.create('todos', { listId: list.id, title: long });
    });
    const row = screen.getByRole('listitem', { name: long }); // the row itself keeps its whole name
    const names = within(row).getAllByRole('button').map((b) => b.getAttribute('aria-label') ?? '');
    expect(names).toHaveLength(4);
    for (const name of names) expect(name.length, name).toBeLessThan(130);
    expect(names[0]).toBe(`Rename “${long.slice(0, 99)}…”`);
    await user.click(within(row).getAllByRole('button')[0] as HTMLElement);
    expect(screen.getByTestId('rename-input').getAttribute('aria-label')).toBe(`Rename “${long.slice(0, 99)}…”`); // the field, too
  });

  it('tells two toasts’ buttons apart: each Dismiss named after its toast, each Undo after its row and described by the toast', async () => {
    const { user } = await renderApp(groceries);
    screen.getByRole('listitem', { name: 'Milk' }).focus();
    await user.keyboard('{Delete}');
    await waitFor(() => expect(screen.getAllByTestId('toast-info')).toHaveLength(1));
    await user.keyboard('{Delete}'); // Bread, which took the focus
    await waitFor(() => expect(screen.getAllByTestId('toast-info')).toHaveLength(2));
    const names = screen.getAllByTestId('toast-info').flatMap((t) => within(t).getAllByRole('button').map((b) => b.getAttribute('aria-label') ?? b.textContent));
    expect(names).toEqual(['Undo delete of “Milk”', 'Dismiss notification: Deleted “Milk”', 'Undo delete of “Bread”', 'Dismiss notification: Deleted “Bread”']);
    const described = screen.getAllByRole('button', { name: /^Undo/ }).map((b) => document.getElementById(b.getAttribute('aria-describedby') ?? '')?.textContent);
    expect(described).toEqual(['Deleted “Milk”', 'Deleted “Bread”']);
  });
});
