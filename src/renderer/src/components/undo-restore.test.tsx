/**
 * Bringing rows back from the keyboard and a screen reader (round 58): a deleted edit's
 * sticky Restore has a shortcut, as Undo has; the buttons of several toasts, or of conflict
 * notices in several rows, are told apart by name; and the focus goes to the row an Undo
 * brought back, where a sighted user looks, unless the user is busy elsewhere.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists, renamedOnBoth, shownTitles } from '../views/todos/todo-fixtures.ts';

type App = Awaited<ReturnType<typeof renderApp>>;

const row = (title: string) => screen.getByRole('listitem', { name: title });
const focused = () => document.activeElement as HTMLElement;
const buttonNames = (el: HTMLElement) => within(el).getAllByRole('button').map((b) => b.getAttribute('aria-label') ?? b.textContent);

/** Another device deletes Milk and Eggs, which this one ticks before it hears of that: two Restore toasts. */
async function deletedUnderTicks({ api, kit, user }: App) {
  await kit.pull();
  const phone = await kit.device();
  await phone.sync();
  const list = (await lists(api))[0] as Row<'lists'>;
  const todos = (await api.rows('todos', { parent: list.id })) as Row<'todos'>[];
  for (const t of todos.filter((t) => t.title !== 'Bread')) await phone.api.delete('todos', t.id);
  await phone.sync();
  for (const title of ['Milk', 'Eggs']) await user.click(within(row(title)).getByRole('checkbox'));
  await kit.pull();
  await waitFor(() => expect(screen.getAllByTestId('toast-error')).toHaveLength(2));
  await waitFor(() => expect(shownTitles()).toEqual(['Bread']));
}

describe('a deleted edit’s Restore from the keyboard', () => {
  it('runs with Alt+Shift+R outside text fields, the newest first, and says so on the toast and its button', async () => {
    const app = await renderApp(groceries);
    await deletedUnderTicks(app);
    const [, eggs] = screen.getAllByTestId('toast-error') as HTMLElement[];
    const restore = within(eggs as HTMLElement).getByRole('button', { name: /^Restore/ });
    expect(restore.getAttribute('aria-keyshortcuts')).toBe('Alt+Shift+R');
    expect(eggs?.querySelector('kbd')?.textContent).toBe('Alt+Shift+R');

    // In a text field the keys are the field's: nothing comes back.
    screen.getByRole('textbox', { name: 'New todo' }).focus();
    await app.user.keyboard('{Alt>}{Shift>}R{/Shift}{/Alt}');
    await new Promise((r) => setTimeout(r, 100));
    expect(shownTitles()).toEqual(['Bread']);

    row('Bread').focus();
    await app.user.keyboard('{Alt>}{Shift>}R{/Shift}{/Alt}');
    await waitFor(() => expect(shownTitles()).toEqual(['Bread', 'Eggs']));
    expect(screen.getAllByTestId('toast-error')).toHaveLength(1);
    await app.user.keyboard('{Alt>}{Shift>}R{/Shift}{/Alt}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    expect(row('Milk').dataset.done).toBe('true');
    expect(screen.queryByTestId('toast-error')).toBeNull();
  });
});

describe('the names of toasts’ and notices’ buttons', () => {
  it('names each Undo and Restore after its row, the visible label first', async () => {
    const app = await renderApp(groceries);
    await deletedUnderTicks(app);
    expect(screen.getAllByTestId('toast-error').map(buttonNames)).toEqual([
      ['Restore “Milk”', 'Dismiss notification: “Milk” was deleted on alice-1-other, which had not seen your change of Done.'],
      ['Restore “Eggs”', 'Dismiss notification: “Eggs” was deleted on alice-1-other, which had not seen your change of Done.'],
    ]);
    for (const t of screen.getAllByTestId('toast-error')) expect(within(t).getAllByRole('button')[0]?.textContent).toBe('Restore');

    row('Bread').focus();
    await app.user.keyboard('{Delete}');
    const undo = within(await screen.findByTestId('toast-info')).getByRole('button', { name: 'Undo delete of “Bread”' });
    expect(undo.textContent).toBe('Undo');
  });

  it('names a conflict notice’s buttons after its row: two rows’ notices are told apart', async () => {
    const { api, kit } = await renderApp(groceries);
    await renamedOnBoth(api, kit);
    await waitFor(() => expect(screen.getAllByTestId('replaced-notice')).toHaveLength(2));
    expect(screen.getAllByTestId('replaced-notice').map(buttonNames)).toEqual([
      ['Restore title “Oat milk” of todo “Whole milk”', 'History of title of todo “Whole milk”', 'Dismiss notice: title of todo “Whole milk” replaced'],
      ['Restore title “Spelt” of todo “Rye”', 'History of title of todo “Rye”', 'Dismiss notice: title of todo “Rye” replaced'],
    ]);
  });
});

describe('the focus after an Undo', () => {
  /** Deletes Bread from the keyboard (the focus goes to Eggs); returns its toast. */
  async function deleteBread({ user }: App) {
    row('Bread').focus();
    await user.keyboard('{Delete}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs']));
    expect(focused()).toBe(row('Eggs'));
    return screen.findByTestId('toast-info');
  }

  it('goes to the row that came back, after Ctrl+Z on a row or Enter on the toast’s Undo', async () => {
    const app = await renderApp(groceries);
    await deleteBread(app);
    await app.user.keyboard('{Control>}z{/Control}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    await waitFor(() => expect(focused()).toBe(row('Bread')));
    expect(row('Bread').tabIndex).toBe(0); // the list's one tab stop too

    const toast = await deleteBread(app);
    within(toast).getByRole('button', { name: /^Undo/ }).focus();
    await app.user.keyboard('{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    await waitFor(() => expect(focused()).toBe(row('Bread')));
  });

  it('stays in the text field the user is typing in, and where it is when the row does not show', async () => {
    const app = await renderApp(groceries);
    const toast = await deleteBread(app);
    // Typing a new todo, the user clicks Undo: the focus goes back to New todo and stays there.
    const input = screen.getByRole('textbox', { name: 'New todo' });
    await app.user.click(input);
    await app.user.keyboard('Butter');
    await app.user.click(within(toast).getByRole('button', { name: /^Undo/ }));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    await new Promise((r) => setTimeout(r, 100));
    expect(focused()).toBe(input);
    expect((input as HTMLInputElement).value).toBe('Butter');

    // Bread is done: under Active it does not show when it comes back.
    await deleteBread(app);
    await app.user.click(screen.getByRole('tab', { name: /^Active/ }));
    row('Milk').focus();
    await app.user.keyboard('{Control>}z{/Control}');
    await waitFor(() => expect(screen.getByRole('tab', { name: /^All/ }).textContent).toBe('All3'));
    await new Promise((r) => setTimeout(r, 100));
    expect(focused()).toBe(row('Milk'));
  });
});
