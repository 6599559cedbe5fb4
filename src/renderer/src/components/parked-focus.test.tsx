/**
 * Focus parked on the main pane (a skip link's target) when another device takes away the
 * last row in view: it goes to the New … field, as lost focus does, not left on a landmark
 * whose content is gone (round 59's `focusParked` in TodoPane.tsx and RowNav.tsx; round 60
 * gave it tests that fail without it).
 */
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists, shownTitles } from '../views/todos/todo-fixtures.ts';

type App = Awaited<ReturnType<typeof renderApp>>;

const focused = () => document.activeElement as HTMLElement;

/** Another device deletes the rows of `table` named in `titles`; this one hears of it. */
async function deletedElsewhere({ api, kit }: App, table: 'lists' | 'todos', parent: string | null, titles: readonly string[]) {
  await kit.pull();
  const phone = await kit.device();
  await phone.sync();
  const rows = (await api.rows(table, parent ? { parent } : {})) as (Row<'lists'> | Row<'todos'>)[];
  for (const r of rows) if (titles.includes('name' in r ? r.name : r.title)) await phone.api.delete(table, r.id);
  await phone.sync();
  await kit.pull();
}

describe('focus parked on the main pane when the last row goes elsewhere', () => {
  it('goes to New todo when the last todo in view is deleted on another device', async () => {
    const app = await renderApp(groceries);
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    // Where "Skip to todos" leaves the focus.
    screen.getByRole('main').focus();
    expect(focused().tagName).toBe('MAIN');
    const list = (await lists(app.api))[0] as Row<'lists'>;
    await deletedElsewhere(app, 'todos', list.id, ['Milk', 'Bread', 'Eggs']);
    await waitFor(() => expect(shownTitles()).toEqual([]));
    await waitFor(() => expect(focused()).toBe(screen.getByRole('textbox', { name: 'New todo' })));
  });

  it('goes to New list when the last list is deleted on another device', async () => {
    const app = await renderApp(groceries);
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    screen.getByRole('main').focus();
    await deletedElsewhere(app, 'lists', null, ['Groceries', 'Work']);
    await screen.findByText('No lists yet');
    await waitFor(() => expect(focused()).toBe(screen.getByRole('textbox', { name: 'New list' })));
  });
});
