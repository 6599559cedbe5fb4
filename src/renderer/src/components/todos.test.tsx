import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists, shownTitles } from '../views/todos/todo-fixtures.ts';

const row = (title: string) => screen.getByRole('listitem', { name: title });

describe('todos', () => {
  it('adds a todo from the keyboard and clears the input', async () => {
    const { user } = await renderApp(groceries);
    const input = screen.getByRole('textbox', { name: 'New todo' });
    await user.click(input);
    await user.keyboard('  Butter  {Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs', 'Butter']));
    expect(input).toHaveProperty('value', '');
    expect(document.activeElement).toBe(input);
  });

  it('toggles done with the checkbox and with Space on the row', async () => {
    const { kit, user } = await renderApp(groceries);
    const before = kit.calls.length;
    await user.click(screen.getByRole('checkbox', { name: 'Milk' }));
    await waitFor(() => expect(row('Milk').dataset.done).toBe('true'));
    row('Eggs').focus();
    await user.keyboard(' ');
    await waitFor(() => expect(row('Eggs').dataset.done).toBe('true'));
    expect(kit.calls.slice(before).filter((c) => c.method === 'update').map((c) => c.args)).toEqual([['todos', expect.any(String), { done: true }], ['todos', expect.any(String), { done: true }]]);
  });

  it('renames with Enter (F2 or double-click to start) and cancels with Escape', async () => {
    const { kit, user } = await renderApp(groceries);
    row('Milk').focus();
    await user.keyboard('{F2}');
    const input = screen.getByRole('textbox', { name: 'Rename “Milk”' });
    await user.clear(input);
    await user.keyboard('Oat milk{Enter}');
    await waitFor(() => expect(shownTitles()[0]).toBe('Oat milk'));
    expect(document.activeElement).toBe(row('Oat milk'));

    await user.dblClick(within(screen.getByTestId('todo-list')).getByText('Bread'));
    await user.keyboard('{Control>}a{/Control}Rye{Escape}');
    expect(screen.queryByRole('textbox', { name: /Rename/ })).toBeNull();
    expect(shownTitles()[1]).toBe('Bread');
    expect(kit.calls.filter((c) => c.method === 'update')).toEqual([{ method: 'update', args: ['todos', expect.any(String), { title: 'Oat milk' }] }]);
  });

  it('saves a rename when the field loses focus', async () => {
    const { user } = await renderApp(groceries);
    row('Eggs').focus();
    await user.keyboard('{Enter}');
    await user.keyboard('{Control>}a{/Control}Free-range eggs');
    await user.click(screen.getByRole('textbox', { name: 'New todo' }));
    await waitFor(() => expect(shownTitles()[2]).toBe('Free-range eggs'));
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'New todo' }));
  });

  it('moves a todo with Alt+Arrow keys, keeping focus on it', async () => {
    const { user } = await renderApp(groceries);
    row('Eggs').focus();
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs', 'Bread']));
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    await waitFor(() => expect(shownTitles()).toEqual(['Eggs', 'Milk', 'Bread']));
    expect(document.activeElement).toBe(row('Eggs'));
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs', 'Bread']));
  });

  it('moves a todo with the move buttons; the first row cannot move up', async () => {
    const { kit, user } = await renderApp(groceries);
    await user.click(screen.getByRole('button', { name: 'Move “Milk” down' }));
    await waitFor(() => expect(shownTitles()).toEqual(['Bread', 'Milk', 'Eggs']));
    const up = screen.getByRole('button', { name: 'Move “Bread” up' });
    expect(up.getAttribute('aria-disabled')).toBe('true');
    const before = kit.calls.length;
    await user.click(up);
    expect(kit.calls.slice(before).filter((c) => c.method === 'move')).toEqual([]);
  });

  it('moves a todo by dragging its grip', async () => {
    const { kit } = await renderApp(groceries);
    const rows = screen.getAllByTestId('todo-item');
    rows.forEach((el, i) => {
      el.getBoundingClientRect = () => ({ top: i * 40, height: 40, bottom: i * 40 + 40, left: 0, right: 300, width: 300, x: 0, y: i * 40, toJSON: () => ({}) });
    });
    const grip = rows[0]?.querySelector('.grip') as HTMLElement;
    fireEvent.pointerDown(grip, { button: 0, pointerId: 1, clientY: 20 });
    fireEvent.pointerMove(grip, { pointerId: 1, clientY: 110 });
    expect(rows[2]?.className).toContain('drop-after');
    fireEvent.pointerUp(grip, { pointerId: 1, clientY: 110 });
    await waitFor(() => expect(shownTitles()).toEqual(['Bread', 'Eggs', 'Milk']));
    expect(kit.calls.filter((c) => c.method === 'move').at(-1)?.args).toEqual(['todos', expect.any(String), 2]);
  });

  it('deletes with the button or the Delete key, and Undo brings the todo back in place', async () => {
    const { user } = await renderApp(groceries);
    await user.click(screen.getByRole('button', { name: 'Delete “Bread”' }));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs']));
    const toast = await screen.findByTestId('toast-info');
    expect(toast.querySelector('.toast-message')?.textContent).toBe('Deleted “Bread”');
    await user.click(within(toast).getByRole('button', { name: /^Undo delete of “/ }));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    expect(row('Bread').dataset.done).toBe('true');

    row('Milk').focus();
    await user.keyboard('{Delete}');
    await waitFor(() => expect(shownTitles()).toEqual(['Bread', 'Eggs']));
    expect(document.activeElement).toBe(row('Bread'));
  });

  it('Ctrl+Z still brings a deleted todo back once its toast has gone, and the toast names the shortcut', async () => {
    const { user } = await renderApp(groceries);
    row('Bread').focus();
    await user.keyboard('{Delete}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs']));
    const toast = await screen.findByTestId('toast-info');
    expect(within(toast).getByRole('button', { name: /^Undo delete of “/ }).getAttribute('aria-keyshortcuts')).toBe('Control+Z Meta+Z');
    expect(toast.querySelector('kbd')?.textContent).toBe('Ctrl+Z');
    await user.click(within(toast).getByRole('button', { name: /^Dismiss notification: / }));
    await waitFor(() => expect(screen.queryByTestId('toast-info')).toBeNull());
    row('Milk').focus();
    await user.keyboard('{Control>}z{/Control}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    // Once: a second Ctrl+Z has nothing left to undo.
    await user.keyboard('{Control>}z{/Control}');
    expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']);
  });

  it('Ctrl+Z undoes with a checkbox focused (it takes no typing), and leaves a text field its own undo', async () => {
    const { user } = await renderApp(groceries);
    row('Bread').focus();
    await user.keyboard('{Delete}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs']));
    await user.click(screen.getByRole('textbox', { name: 'New todo' }));
    await user.keyboard('{Control>}z{/Control}');
    expect(shownTitles()).toEqual(['Milk', 'Eggs']); // the field's own undo, not the app's
    screen.getByRole('checkbox', { name: 'Milk' }).focus();
    await user.keyboard('{Control>}z{/Control}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
  });

  it('deleting the last todo in view with the Delete key leaves the focus on New todo, not on the page', async () => {
    const { user } = await renderApp(groceries);
    for (const title of ['Milk', 'Bread', 'Eggs']) {
      row(title).focus();
      await user.keyboard('{Delete}');
      await waitFor(() => expect(shownTitles()).not.toContain(title));
    }
    await screen.findByTestId('todos-empty');
    expect(document.activeElement).toBe(screen.getByTestId('new-todo-input'));
  });

  it('moves focus between rows with the arrow keys, one tab stop for the list', async () => {
    const { user } = await renderApp(groceries);
    row('Milk').focus();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(row('Bread'));
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(row('Eggs'));
    expect(screen.getAllByTestId('todo-item').map((el) => el.tabIndex)).toEqual([-1, -1, 0]);
  });

  it('filters All / Active / Done with counts, and moves within the filtered view', async () => {
    const { user } = await renderApp(groceries);
    const tab = (name: RegExp) => screen.getByRole('tab', { name });
    expect(tab(/^All/).textContent).toBe('All3');
    expect(tab(/^Active/).textContent).toBe('Active2');
    expect(tab(/^Done/).textContent).toBe('Done1');
    await user.click(tab(/^Active/));
    expect(tab(/^Active/).getAttribute('aria-selected')).toBe('true');
    expect(shownTitles()).toEqual(['Milk', 'Eggs']);
    await user.keyboard('{ArrowRight}');
    expect(tab(/^Done/).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab(/^Done/));
    expect(shownTitles()).toEqual(['Bread']);
    await user.keyboard('{ArrowLeft}');
    expect(shownTitles()).toEqual(['Milk', 'Eggs']);
    // Moving "Eggs" above "Milk" in the Active view puts it first in the whole list.
    await user.click(screen.getByRole('button', { name: 'Move “Eggs” up' }));
    await waitFor(() => expect(shownTitles()).toEqual(['Eggs', 'Milk']));
    // Done from the keyboard under Active: the row leaves and its neighbour takes the focus.
    row('Eggs').focus();
    await user.keyboard(' ');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk']));
    expect(document.activeElement).toBe(row('Milk'));
    await user.click(tab(/^All/));
    expect(shownTitles()).toEqual(['Eggs', 'Milk', 'Bread']);
  });

  it('shows a remote change without any action here', async () => {
    const { api, kit } = await renderApp(groceries);
    const listId = (await lists(api))[0]?.id as string;
    await kit.pull();
    const phone = await kit.device();
    await phone.sync();
    await phone.api.create('todos', { listId, title: 'Coffee' });
    await phone.sync();
    await kit.pull(); // what the server's poke makes the app do
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs', 'Coffee']));
  });
});
