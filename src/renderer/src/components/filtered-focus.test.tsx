/**
 * The focus when a keyboard action takes the row it was on out of a filtered view (round 63,
 * found walking the app from the keyboard): never to the page, where a screen reader goes
 * back to the top and the next Tab starts over.
 */
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, shownTitles } from '../views/todos/todo-fixtures.ts';

const row = (title: string) => screen.getByRole('listitem', { name: title });

describe('focus in a filtered view', () => {
  it('stays on the page when Space ticks the last todo under Active, or unticks the last under Done', async () => {
    const { user } = await renderApp(groceries);
    await user.click(screen.getByRole('tab', { name: /^Done/ }));
    expect(shownTitles()).toEqual(['Bread']);
    row('Bread').focus();
    await user.keyboard(' ');
    await screen.findByTestId('todos-empty');
    expect(document.activeElement).not.toBe(document.body);
    expect(document.activeElement).toBe(screen.getByTestId('new-todo-input'));

    screen.getByRole('tab', { name: /^Active/ }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    for (const title of ['Milk', 'Bread', 'Eggs']) {
      // From the row's checkbox too: it leaves with its row.
      (title === 'Bread' ? screen.getByRole('checkbox', { name: title }) : row(title)).focus();
      await user.keyboard(' ');
      await waitFor(() => expect(shownTitles()).not.toContain(title));
    }
    await screen.findByTestId('todos-empty');
    expect(document.activeElement).toBe(screen.getByTestId('new-todo-input'));
  });
});
