/**
 * The app from the keyboard alone: where the focus goes when what held it goes away (a
 * toast closed by its own button or by Escape, the last list deleted, a notice restored).
 * Focus that falls to <body> sends a screen reader to the top of the page, and the next Tab
 * starts over from the skip link.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/app-api.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, renamedOnBoth, shownTitles } from '../views/todos/todo-fixtures.ts';

const row = (title: string) => screen.getByRole('listitem', { name: title });
const focused = () => document.activeElement as HTMLElement;

/** Deletes Bread from the keyboard; returns its Undo toast (the focus is on Eggs, its neighbour). */
async function deleteBread(user: Awaited<ReturnType<typeof renderApp>>['user']) {
  row('Bread').focus();
  await user.keyboard('{Delete}');
  await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Eggs']));
  expect(focused()).toBe(row('Eggs'));
  return screen.findByTestId('toast-info');
}

describe('the focus from the keyboard', () => {
  it('stays on the page when Enter on a toast’s Undo closes it: on the row it brought back (round 58; round 57: where it was before the toast)', async () => {
    const { user } = await renderApp(groceries);
    const toast = await deleteBread(user);
    within(toast).getByRole('button', { name: /^Undo/ }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs']));
    expect(screen.queryByTestId('toast-info')).toBeNull();
    await waitFor(() => expect(focused()).toBe(row('Bread')));
  });

  it('stays on the page when a toast is dismissed with Space, or with Escape', async () => {
    const { user } = await renderApp(groceries);
    const toast = await deleteBread(user);
    within(toast).getByRole('button', { name: /^Dismiss/ }).focus();
    await user.keyboard(' ');
    await waitFor(() => expect(screen.queryByTestId('toast-info')).toBeNull());
    expect(focused()).toBe(row('Eggs'));

    row('Eggs').focus();
    await user.keyboard('{Delete}');
    const next = await screen.findByTestId('toast-info');
    within(next).getByRole('button', { name: /^Undo/ }).focus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('toast-info')).toBeNull());
    expect(shownTitles()).toEqual(['Milk']); // Escape dismisses: it does not undo
    expect(focused()).toBe(row('Milk'));
  });

  it('reaches a toast by Tab from the view before the sync column and its message list', async () => {
    const { user } = await renderApp(groceries);
    const toast = await deleteBread(user);
    const column = screen.getByRole('complementary', { name: 'Sync and messages' });
    // Tab on from the row: the toast's buttons come before the sync column's, whose message
    // list can hold dozens of buttons (a sticky Restore waits there).
    for (let i = 0; i < 40 && !toast.contains(focused()) && !column.contains(focused()); i++) await user.tab();
    expect(toast.contains(focused())).toBe(true);
    expect(focused()).toBe(within(toast).getByRole('button', { name: /^Undo/ }));
  });

  it('goes to the next toast when one of several closes', async () => {
    const { user } = await renderApp(groceries);
    await deleteBread(user);
    await user.keyboard('{Delete}'); // Eggs
    await waitFor(() => expect(screen.getAllByTestId('toast-info')).toHaveLength(2));
    const [first] = screen.getAllByTestId('toast-info');
    within(first as HTMLElement).getByRole('button', { name: /^Dismiss/ }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getAllByTestId('toast-info')).toHaveLength(1));
    expect(screen.getByTestId('toast-info').contains(focused())).toBe(true);
  });

  it('goes to New list when the only list is deleted from the keyboard', async () => {
    const { user } = await renderApp(async (api) => {
      await api.create('lists', { name: 'Solo' });
    });
    row('Solo').focus();
    await user.keyboard('{Delete}');
    await user.keyboard('{Shift>}{Tab}{/Shift}'); // Cancel has the focus: Delete is before it
    expect(focused().textContent).toBe('Delete');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Solo' })).toBeNull());
    expect(focused()).toBe(screen.getByRole('textbox', { name: 'New list' }));
  });

  it('stays in the row when a conflict notice’s Restore, or its Dismiss, closes it', async () => {
    const { api, kit, user } = await renderApp(groceries);
    await renamedOnBoth(api, kit);
    const noticeIn = async (title: string) => within(await screen.findByRole('listitem', { name: title })).findByRole('group', { name: 'Title replaced by alice-1-other' });

    within(await noticeIn('Whole milk')).getByRole('button', { name: 'Restore title “Oat milk” of todo “Whole milk”' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(shownTitles()[0]).toBe('Oat milk'));
    expect(focused()).toBe(row('Oat milk'));

    within(await noticeIn('Rye')).getByRole('button', { name: 'Dismiss notice: title of todo “Rye” replaced' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByTestId('replaced-notice')).toBeNull());
    expect(focused()).toBe(row('Rye'));
  });

  it('says a toast through a live region that was on the page before it', async () => {
    const { user, kit } = await renderApp(groceries);
    const region = screen.getByRole('status', { name: 'Notifications' });
    expect(region.textContent).toBe('');
    await deleteBread(user);
    await waitFor(() => expect(region.textContent).toBe('Deleted “Bread”'));
    // An error is said at once (assertive), through its own region.
    const alerts = screen.getByTestId('error-announcer');
    expect(alerts.getAttribute('aria-live')).toBe('assertive');
    kit.failNext('update', new AppError('internal', 'disk full'));
    row('Milk').focus();
    await user.keyboard(' ');
    await waitFor(() => expect(alerts.textContent).toContain('disk full'));
    expect(region.textContent).toBe('Deleted “Bread”');
  });
});
