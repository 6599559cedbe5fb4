/**
 * Where the focus goes when another device's write takes away what held it (round 59): a list
 * deleted elsewhere and brought back with its toast's Restore lands the focus on that list,
 * as an Undo's row does; and focus left on the main pane (a toast's fallback when the row the
 * user came from was deleted meanwhile) does not stay on that blank landmark.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppApi } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists, shownTitles } from '../views/todos/todo-fixtures.ts';

type App = Awaited<ReturnType<typeof renderApp>>;

const row = (title: string) => screen.getByRole('listitem', { name: title });
const listRow = (name: string) => within(screen.getByRole('navigation', { name: 'Lists' })).getByRole('listitem', { name });
const focused = () => document.activeElement as HTMLElement;
const restoreKeys = '{Alt>}{Shift>}R{/Shift}{/Alt}';

/**
 * Another device deletes Groceries while this one ticks Milk from the keyboard, before it
 * hears of that: Groceries goes, Work opens, and a toast offers to Restore Groceries.
 */
async function groceriesDeletedUnderTick({ api, kit, user }: App) {
  await kit.pull();
  const phone = await kit.device();
  await phone.sync();
  const list = (await lists(api))[0] as Row<'lists'>;
  await phone.api.delete('lists', list.id);
  await phone.sync();
  row('Milk').focus();
  await user.keyboard(' ');
  await waitFor(() => expect(row('Milk').dataset.done).toBe('true'));
  await kit.pull();
  await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Work'));
  const toast = await screen.findByTestId('toast-error');
  return { toast, phone, list };
}

describe('the focus after a Restore of a list deleted elsewhere', () => {
  it('goes to the list that came back, after Enter on the toast’s Restore', async () => {
    const app = await renderApp(groceries);
    const { toast } = await groceriesDeletedUnderTick(app);
    within(toast).getByRole('button', { name: 'Restore “Groceries”' }).focus();
    await app.user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Groceries'));
    await waitFor(() => expect(focused()).toBe(listRow('Groceries')));
    expect(listRow('Groceries').tabIndex).toBe(0); // the list's one tab stop too
  });

  it('goes to the list that came back, after Alt+Shift+R from the main pane', async () => {
    const app = await renderApp(groceries);
    await groceriesDeletedUnderTick(app);
    // The main pane itself: where a skip link leaves the focus.
    screen.getByRole('main').focus();
    await app.user.keyboard(restoreKeys);
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Groceries'));
    await waitFor(() => expect(focused()).toBe(listRow('Groceries')));
  });

  it('stays in New todo while the user types there: Alt+Shift+R is the field’s', async () => {
    const app = await renderApp(groceries);
    await groceriesDeletedUnderTick(app);
    const input = screen.getByRole('textbox', { name: 'New todo' });
    await app.user.click(input);
    await app.user.keyboard('Butter');
    await app.user.keyboard(restoreKeys);
    await new Promise((r) => setTimeout(r, 100));
    expect(screen.getByTestId('list-heading').textContent).toBe('Work');
    expect(focused()).toBe(input);
  });
});

describe('the focus when what it was to go back to has gone', () => {
  /** Groceries with a fourth todo: Milk, Bread, Eggs, Butter. */
  async function withButter(api: AppApi) {
    await groceries(api);
    await api.create('todos', { listId: ((await lists(api))[0] as Row<'lists'>).id, title: 'Butter' });
  }

  /**
   * Deletes Bread from the keyboard (the focus goes to Eggs), then goes to its toast's
   * Dismiss, and another device deletes `gone` meanwhile: Eggs is the row the toast was
   * reached from.
   */
  async function awayWhileDeleted(app: App, gone: readonly string[]) {
    const { api, kit, user } = app;
    await kit.pull();
    const phone = await kit.device();
    await phone.sync();
    row('Bread').focus();
    await user.keyboard('{Delete}');
    await waitFor(() => expect(focused()).toBe(row('Eggs')));
    const toast = await screen.findByTestId('toast-info');
    within(toast).getByRole('button', { name: /^Dismiss/ }).focus();
    const list = (await lists(api))[0] as Row<'lists'>;
    const todos = (await api.rows('todos', { parent: list.id })) as Row<'todos'>[];
    for (const title of gone) await phone.api.delete('todos', todos.find((t) => t.title === title)?.id as string);
    await phone.sync();
    await kit.pull();
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs', 'Butter'].filter((t) => !gone.includes(t))));
    return toast;
  }

  it('goes to the next row when a toast closes and the row it was reached from was deleted elsewhere', async () => {
    const app = await renderApp(withButter);
    await awayWhileDeleted(app, ['Eggs']);
    await app.user.keyboard(' ');
    await waitFor(() => expect(screen.queryByTestId('toast-info')).toBeNull());
    expect(focused()).toBe(row('Butter'));
    expect(row('Butter').tabIndex).toBe(0);
  });

  it('goes to the list’s heading when the list shows no row any more', async () => {
    const app = await renderApp(withButter);
    await awayWhileDeleted(app, ['Milk', 'Eggs', 'Butter']);
    await app.user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('toast-info')).toBeNull());
    expect(focused()).toBe(screen.getByRole('heading', { level: 1, name: 'Groceries' }));
  });
});
