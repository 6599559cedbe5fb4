/**
 * A rename saved here is not said to be another device's (round 60, found driving the browser
 * host from the keyboard): between the save's write and the field closing, the row already
 * held the new title, and the field's note, a live region, said "Now “Oat milk” on another
 * device. Enter saves yours; Escape keeps that." of the user's own words.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, shownTitles } from '../views/todos/todo-fixtures.ts';

const seen: string[] = [];
let observer: MutationObserver | null = null;
/** Every text the note ever showed, however briefly (a screen reader reads a live region's every change). */
function watchNotes(): void {
  observer = new MutationObserver(() => {
    for (const note of document.querySelectorAll('[data-testid="changed-while-editing"]')) seen.push(note.textContent ?? '');
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}
afterEach(() => {
  observer?.disconnect();
  seen.length = 0;
});

describe('a rename saved here', () => {
  it('never shows the note that another device renamed the row, for a todo or a list', async () => {
    const { user } = await renderApp(groceries);
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    watchNotes();
    screen.getByRole('listitem', { name: 'Milk' }).focus();
    await user.keyboard('{F2}{Control>}a{/Control}Oat milk{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Oat milk', 'Bread', 'Eggs']));
    await waitFor(() => expect(screen.queryByTestId('rename-input')).toBeNull());
    const nav = screen.getByRole('navigation', { name: 'Lists' });
    within(nav).getByRole('listitem', { name: 'Groceries' }).focus();
    await user.keyboard('{F2}{Control>}a{/Control}Shopping{Enter}');
    await waitFor(() => expect(within(nav).getByRole('listitem', { name: 'Shopping' })).toBeTruthy());
    await waitFor(() => expect(screen.queryByTestId('rename-input')).toBeNull());
    expect(seen).toEqual([]);
  });
});
