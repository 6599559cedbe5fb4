/**
 * What typing here becomes when another device changes the row underneath (audit D,
 * findings 3 and 4): an open rename is kept, or said to be lost with its text offered back;
 * it never comes back as a stale edit; the focus stays on the list; the open list deleted
 * elsewhere is announced and New todo keeps its text.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists, shownTitles } from '../views/todos/todo-fixtures.ts';

type Kit = Awaited<ReturnType<typeof renderApp>>;

/** The other device, synced, and the todos of the first list. */
async function setUp({ api, kit }: Kit) {
  await kit.pull();
  const phone = await kit.device();
  await phone.sync();
  const list = (await lists(api))[0] as Row<'lists'>;
  const todos = (await api.rows('todos', { parent: list.id })) as Row<'todos'>[];
  return { phone, list, byTitle: (title: string) => todos.find((t) => t.title === title) as Row<'todos'> };
}

const renameInput = () => screen.getByTestId('rename-input') as HTMLInputElement;

describe('an edit here while another device changes its row', () => {
  it('keeps an open rename in view when another device ticks the todo under Active, and does not reopen it later', async () => {
    const app = await renderApp(groceries);
    const { phone, byTitle } = await setUp(app);
    const { user, kit, api } = app;
    await user.click(screen.getByRole('tab', { name: /^Active/ }));
    await user.dblClick(within(screen.getByTestId('todo-list')).getByText('Milk'));
    await user.keyboard('{Control>}a{/Control}Oat milk');

    await phone.api.update('todos', byTitle('Milk').id, { done: true });
    await phone.sync();
    await kit.pull();
    await waitFor(() => expect(screen.getByRole('tab', { name: /^Active/ }).textContent).toBe('Active1'));
    expect(renameInput().value).toBe('Oat milk');
    expect(document.activeElement).toBe(renameInput());

    await user.keyboard('{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Eggs']));
    expect((await api.rows('todos', { parent: byTitle('Milk').listId })).map((t) => t.title)).toContain('Oat milk');
    await user.click(screen.getByRole('tab', { name: /^All/ }));
    expect(shownTitles()).toEqual(['Oat milk', 'Bread', 'Eggs']);
    expect(screen.queryByTestId('rename-input')).toBeNull();
  });

  it('says so when the todo being renamed is deleted elsewhere, offers the text back, and keeps the focus in the list', async () => {
    const app = await renderApp(groceries);
    const { phone, byTitle } = await setUp(app);
    const { user, kit } = app;
    await user.dblClick(within(screen.getByTestId('todo-list')).getByText('Bread'));
    await user.keyboard('{Control>}a{/Control}Rye bread');

    await phone.api.delete('todos', byTitle('Bread').id);
    await phone.sync();
    await kit.pull();
    const toast = await screen.findByTestId('toast-error');
    expect(toast.querySelector('.toast-message')?.textContent).toBe('“Bread” was deleted on alice-1-other. Your rename “Rye bread” was not saved.');
    expect(screen.queryByTestId('rename-input')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('listitem', { name: 'Eggs' }));
    // Ctrl+Z undoes; it does not take this toast's action for an undo.
    const creates = () => kit.calls.filter((c) => c.method === 'create').length;
    const before = creates();
    await user.keyboard('{Control>}z{/Control}');
    expect(creates()).toBe(before);

    await user.click(within(toast).getByRole('button', { name: 'Add as a new todo: “Rye bread”' }));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs', 'Rye bread']));
    expect(screen.getByRole('listitem', { name: 'Rye bread' }).dataset.done).toBe('true'); // as Bread was
  });

  it('says so when a list being renamed is deleted elsewhere', async () => {
    const app = await renderApp(groceries);
    const { phone } = await setUp(app);
    const { user, kit, api } = app;
    const work = (await lists(api))[1] as Row<'lists'>;
    await user.dblClick(within(screen.getByTestId('list-nav')).getByText('Work'));
    await user.keyboard('{Control>}a{/Control}Office');
    await phone.api.delete('lists', work.id);
    await phone.sync();
    await kit.pull();
    const toast = await screen.findByTestId('toast-error');
    expect(toast.querySelector('.toast-message')?.textContent).toBe('“Work” was deleted on alice-1-other. Your rename “Office” was not saved.');
    expect(within(toast).getByRole('button', { name: 'Add as a new list: “Office”' })).toBeTruthy();
  });

  it('says that the open list was deleted elsewhere, and New todo keeps what was typed', async () => {
    const app = await renderApp(groceries);
    const { phone, list } = await setUp(app);
    const { user, kit } = app;
    await user.click(screen.getByRole('textbox', { name: 'New todo' }));
    await user.keyboard('Half-typed');
    await phone.api.delete('lists', list.id);
    await phone.sync();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Work'));
    const toast = await screen.findByTestId('toast-info');
    expect(toast.querySelector('.toast-message')?.textContent).toBe('“Groceries” was deleted on alice-1-other.');
    expect((screen.getByRole('textbox', { name: 'New todo' }) as HTMLInputElement).value).toBe('Half-typed');
  });

  it('tells the user about a rename from another device while the field is open', async () => {
    const app = await renderApp(groceries);
    const { phone, byTitle } = await setUp(app);
    const { user, kit } = app;
    await user.dblClick(within(screen.getByTestId('todo-list')).getByText('Eggs'));
    await phone.api.update('todos', byTitle('Eggs').id, { title: 'Free-range eggs' });
    await phone.sync();
    await kit.pull();
    const note = await screen.findByTestId('changed-while-editing');
    expect(note.textContent).toBe('Now “Free-range eggs” on another device. Enter saves yours; Escape keeps that.');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Free-range eggs']));
  });

  it('deletes once on a double click, with no error', async () => {
    const { kit } = await renderApp(groceries);
    // A browser's double click: two clicks, the second with detail 2, before the first's delete is done.
    const button = screen.getByRole('button', { name: 'Delete “Bread”' });
    fireEvent.click(button, { detail: 1 });
    fireEvent.click(button, { detail: 2 });
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs']));
    expect(kit.calls.filter((c) => c.method === 'delete')).toHaveLength(1);
    expect(screen.queryByTestId('toast-error')).toBeNull();
    expect(screen.getAllByTestId('toast-info')).toHaveLength(1);
  });
  it('does not delete the row that slid under the pointer when the second click of a double click lands after the first delete', async () => {
    const { kit } = await renderApp(groceries);
    fireEvent.click(screen.getByRole('button', { name: 'Delete “Milk”' }), { detail: 1 });
    await waitFor(() => expect(shownTitles()).toEqual(['Bread', 'Eggs']));
    fireEvent.click(screen.getByRole('button', { name: 'Delete “Bread”' }), { detail: 2 });
    await new Promise((r) => setTimeout(r, 50));
    expect(shownTitles()).toEqual(['Bread', 'Eggs']);
    expect(kit.calls.filter((c) => c.method === 'delete')).toHaveLength(1);
  });

  it('says so when a todo ticked here is deleted elsewhere before that device saw the tick, and Restore brings it back ticked', async () => {
    const app = await renderApp(groceries);
    const { phone, byTitle } = await setUp(app);
    const { user, kit, api } = app;
    await phone.api.delete('todos', byTitle('Milk').id);
    await phone.sync();
    await user.click(within(screen.getByRole('listitem', { name: 'Milk' })).getByRole('checkbox'));
    await kit.pull(); // the tick goes up as the delete comes down: the phone never saw it

    const toast = await screen.findByTestId('toast-error');
    expect(toast.querySelector('.toast-message')?.textContent).toBe('“Milk” was deleted on alice-1-other, which had not seen your change of Done.');
    await waitFor(() => expect(within(screen.getByTestId('todo-list')).queryByRole('listitem', { name: 'Milk' })).toBeNull());
    await user.click(within(toast).getByRole('button', { name: 'Restore “Milk”' }));
    await waitFor(() => expect(screen.getByRole('listitem', { name: 'Milk' }).dataset.done).toBe('true'));
    await kit.pull();
    await phone.sync();
    expect((await phone.api.rows('todos', { parent: byTitle('Milk').listId })).find((t) => t.id === byTitle('Milk').id)).toMatchObject({ done: true });
    expect((await api.rows('todos', { parent: byTitle('Milk').listId })).map((t) => t.title)).toContain('Milk');
  });

  it('says so when the list of todos changed here is deleted elsewhere, and Restore brings the list back with them', async () => {
    const app = await renderApp(groceries);
    const { phone, list, byTitle } = await setUp(app);
    const { user, kit, api } = app;
    await phone.api.delete('lists', list.id);
    await phone.sync();
    await user.click(within(screen.getByRole('listitem', { name: 'Milk' })).getByRole('checkbox'));
    await api.create('todos', { listId: list.id, title: 'Butter' });
    await kit.pull();

    await waitFor(() => expect(screen.getByTestId('toast-error').querySelector('.toast-message')?.textContent).toBe(
      `“${list.name}” was deleted on alice-1-other, which had not seen your changes to 2 todos in it.`,
    ));
    await user.click(within(screen.getByTestId('toast-error')).getByRole('button', { name: `Restore “${list.name}”` }));
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe(list.name));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs', 'Butter']));
    expect(screen.getByRole('listitem', { name: 'Milk' }).dataset.done).toBe('true');
    expect(byTitle('Milk').id).toBeTruthy();
  });
});
