import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists, shownTitles } from '../views/todos/todo-fixtures.ts';

const listNames = () => screen.queryAllByTestId('list-item').map((el) => el.getAttribute('aria-label'));
const listRow = (name: string) => screen.getByRole('listitem', { name });

describe('lists', () => {
  it('starts with an invitation to create a list, then creates and opens one from the keyboard', async () => {
    const { user } = await renderApp();
    expect(screen.getByTestId('no-lists').textContent).toContain('No lists yet');
    await user.click(screen.getByRole('textbox', { name: 'New list' }));
    await user.keyboard('Errands{Enter}');
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Errands'));
    expect(listRow('Errands').getAttribute('aria-current')).toBe('true');
    expect(screen.getByTestId('todos-empty').textContent).toContain('Nothing here yet');
  });

  it('opens a list on click and on arrow-key focus', async () => {
    const { user } = await renderApp(groceries);
    await user.click(within(screen.getByTestId('list-nav')).getByText('Work'));
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Work'));
    expect(shownTitles()).toEqual([]);
    await user.keyboard('{ArrowUp}');
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Groceries'));
    expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']);
  });

  it('renames a list in place (Enter saves, Escape cancels)', async () => {
    const { user } = await renderApp(groceries);
    await user.dblClick(within(screen.getByTestId('list-nav')).getByText('Work'));
    await user.keyboard('{Control>}a{/Control}Office{Enter}');
    await waitFor(() => expect(listNames()).toEqual(['Groceries', 'Office']));
    listRow('Office').focus();
    await user.keyboard('{F2}{Control>}a{/Control}Nope{Escape}');
    expect(listNames()).toEqual(['Groceries', 'Office']);
    expect(document.activeElement).toBe(listRow('Office'));
  });

  it('reorders lists with Alt+Arrow and with the buttons', async () => {
    const { user } = await renderApp(groceries);
    listRow('Work').focus();
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    await waitFor(() => expect(listNames()).toEqual(['Work', 'Groceries']));
    expect(document.activeElement).toBe(listRow('Work'));
    await user.click(screen.getByRole('button', { name: 'Move “Work” down' }));
    await waitFor(() => expect(listNames()).toEqual(['Groceries', 'Work']));
  });

  it('deletes a list only after confirming; Cancel and Escape keep it', async () => {
    const { kit, user } = await renderApp(groceries);
    await user.click(screen.getByRole('button', { name: 'Delete “Groceries”' }));
    const confirm = screen.getByRole('group', { name: 'Delete “Groceries” and its todos?' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.keyboard('{Enter}');
    expect(screen.queryByTestId('confirm-delete')).toBeNull();

    listRow('Groceries').focus();
    await user.keyboard('{Delete}');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('confirm-delete')).toBeNull();
    expect(kit.calls.filter((c) => c.method === 'delete')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Delete “Groceries”' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(listNames()).toEqual(['Work']));
    expect(screen.getByTestId('list-heading').textContent).toBe('Work');
  });

  it('follows a list deleted on another device to its neighbour', async () => {
    const { api, kit } = await renderApp(groceries);
    const groceriesId = (await lists(api))[0]?.id as string;
    await kit.pull();
    const phone = await kit.device();
    await phone.sync();
    await phone.api.delete('lists', groceriesId);
    await phone.sync();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Work'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('Undo brings a deleted list back in its place, selected, with every todo it hid (done flags too)', async () => {
    const { user } = await renderApp(groceries);
    await user.click(screen.getByRole('button', { name: 'Delete “Groceries”' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(listNames()).toEqual(['Work']));
    const toast = await screen.findByTestId('toast-info');
    expect(toast.querySelector('.toast-message')?.textContent).toBe('Deleted “Groceries”');
    await user.click(within(toast).getByRole('button', { name: /^Undo delete of “/ }));
    await waitFor(() => expect(listNames()).toEqual(['Groceries', 'Work']));
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Groceries'));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    expect(screen.getAllByTestId('todo-item').map((el) => el.dataset.done)).toEqual(['false', 'true', 'false']);
  });

  it('Ctrl+Z brings a deleted list and its todos back once its toast has gone, once', async () => {
    const { api, user } = await renderApp(groceries);
    listRow('Groceries').focus();
    await user.keyboard('{Delete}');
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(listNames()).toEqual(['Work']));
    const toast = await screen.findByTestId('toast-info');
    await user.click(within(toast).getByRole('button', { name: /^Dismiss notification: / }));
    await waitFor(() => expect(screen.queryByTestId('toast-info')).toBeNull());
    listRow('Work').focus();
    await user.keyboard('{Control>}z{/Control}');
    await waitFor(() => expect(listNames()).toEqual(['Groceries', 'Work']));
    await user.keyboard('{Control>}z{/Control}'); // nothing left to undo
    const [restored] = await lists(api);
    await waitFor(async () => expect((await api.rows('todos', { parent: restored?.id as string })).map((t) => t.title)).toEqual(['Milk', 'Bread', 'Eggs']));
    expect((await lists(api)).map((l) => l.name)).toEqual(['Groceries', 'Work']);
  });
});
