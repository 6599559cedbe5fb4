/**
 * "Find in this list" (views/todos/FindBox.tsx). The list is windowed, so the browser's own
 * find sees only the rows in view: Ctrl+F (Cmd+F) comes to the app's find, which searches the
 * list's data, under the filter tab, ignoring case and accents, every word in any order.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { findWords, matchesFind } from '../lib/find-text.ts';
import { renderApp } from '../testing/render-app.tsx';
import { bigList, groceries, shownTitles } from '../views/todos/todo-fixtures.ts';

const find = () => screen.getByRole('searchbox', { name: 'Find in this list' }) as HTMLInputElement;
const count = () => screen.getByTestId('find-count').textContent;

describe('what the find matches', () => {
  it('holds every word of the query, in any order, ignoring case and accents', () => {
    expect(matchesFind('Buy oat milk', findWords('MILK buy'))).toBe(true);
    expect(matchesFind('Café au lait', findWords('cafe'))).toBe(true);
    expect(matchesFind('Cafe', findWords('café'))).toBe(true);
    expect(matchesFind('Buy milk', findWords('milk bread'))).toBe(false);
    expect(matchesFind('anything', findWords('   '))).toBe(true);
    expect(findWords('  Two   words ')).toEqual(['two', 'words']);
  });
});

describe('find in this list', () => {
  it('finds a todo far beyond the rows in view, from Ctrl+F, and Escape shows the whole list again', async () => {
    const { user } = await renderApp(bigList(2_000));
    expect(screen.queryByRole('listitem', { name: 'Todo 1999' })).toBeNull(); // not rendered: beyond the view
    fireEvent.keyDown(window, { key: 'f', ctrlKey: true });
    expect(document.activeElement).toBe(find());
    await user.keyboard('todo 1999');
    await waitFor(() => expect(shownTitles()).toEqual(['Todo 1999']));
    expect(count()).toBe('1 of 2000');
    // The row says its place among what the find shows.
    expect(screen.getByRole('listitem', { name: 'Todo 1999' }).getAttribute('aria-setsize')).toBe('1');
    // The Down arrow goes to it, and the row's keys act on it (Space ticks it).
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(screen.getByRole('listitem', { name: 'Todo 1999' }));
    await user.keyboard(' ');
    await waitFor(() => expect(screen.getByRole('listitem', { name: 'Todo 1999' }).dataset.done).toBe('true'));
    fireEvent.keyDown(window, { key: 'F', metaKey: true }); // Cmd+F on macOS, back to the find
    expect(document.activeElement).toBe(find());
    await user.keyboard('{Escape}');
    await waitFor(() => expect(shownTitles()[0]).toBe('Todo 1'));
    expect(find().value).toBe('');
    expect(count()).toBe('');
  }, 60_000);

  it('works under the filter tab: it finds among the todos the tab shows, and counts them', async () => {
    const { user } = await renderApp(bigList(70));
    await user.click(screen.getByRole('tab', { name: /^Done/ }));
    await user.click(find());
    await user.keyboard('todo 4');
    // Done are every seventh, Todo 7 to Todo 70; of those, the titles holding both words
    // ("todo" and "4", anywhere) are these three.
    await waitFor(() => expect(shownTitles()).toEqual(['Todo 14', 'Todo 42', 'Todo 49']));
    expect(count()).toBe('3 of 10');
  });

  it('says when nothing matches, and Clear the find brings the list back with the focus in the find', async () => {
    const { user } = await renderApp(groceries);
    await user.click(find());
    await user.keyboard('butter');
    await waitFor(() => expect(screen.getByTestId('todos-no-match').textContent).toContain('No todos here hold “butter”'));
    expect(shownTitles()).toEqual([]);
    expect(screen.queryByTestId('todos-empty')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Clear the find' }));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    expect(document.activeElement).toBe(find());
  });

  it('ends when a todo it would hide is added, so the new todo shows; one it finds keeps it', async () => {
    const { user } = await renderApp(groceries);
    await user.click(find());
    await user.keyboard('milk');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk']));
    await user.click(screen.getByRole('textbox', { name: 'New todo' }));
    await user.keyboard('Oat milk{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Oat milk']));
    expect(find().value).toBe('milk');
    await user.keyboard('Butter{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs', 'Oat milk', 'Butter']));
    expect(find().value).toBe('');
  });

  it('keeps a todo being renamed in view when its title changes elsewhere and no longer matches, until the rename ends', async () => {
    const { api, user } = await renderApp(groceries);
    await user.click(find());
    await user.keyboard('milk');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk']));
    screen.getByRole('listitem', { name: 'Milk' }).focus();
    await user.keyboard('{F2}');
    const input = screen.getByRole('textbox', { name: 'Rename “Milk”' });
    // Another write (another device's, or the app's elsewhere) renames it meanwhile.
    const milk = ((await api.rows('todos', {})) as { id: string; title: string }[]).find((t) => t.title === 'Milk');
    await api.update('todos', milk?.id ?? '', { title: 'Cream' });
    await waitFor(() => expect(screen.getByRole('listitem', { name: 'Cream' })).toBeTruthy());
    expect(input.isConnected).toBe(true); // the rename goes on
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.getByTestId('todos-no-match')).toBeTruthy());
  });

  it('belongs to its list: another list opens without it', async () => {
    const { user } = await renderApp(groceries);
    await user.click(find());
    await user.keyboard('milk');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk']));
    await user.click(within(screen.getByTestId('list-nav')).getByText('Work'));
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Work'));
    expect(find().value).toBe('');
  });
});
