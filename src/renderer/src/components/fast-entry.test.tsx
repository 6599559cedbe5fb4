/**
 * Typing the next entry while the previous one is being saved (audit D, finding 1): every
 * title is saved exactly as typed, in order, and nothing typed is lost. `delay: null` types
 * every key at once, so each Enter after the first arrives while a save is in flight, as it
 * does for a fast typist over IPC on a busy machine.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/app-api.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists, shownTitles } from '../views/todos/todo-fixtures.ts';

const fast = () => userEvent.setup({ delay: null });

describe('typing on while an entry is being saved', () => {
  it('saves every todo exactly as typed, in order, when Enter comes during a save', async () => {
    await renderApp(groceries);
    const input = screen.getByRole('textbox', { name: 'New todo' }) as HTMLInputElement;
    const user = fast();
    await user.click(input);
    await user.keyboard('Item 1{Enter}Item 2{Enter}Item 3{Enter}Item 4{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs', 'Item 1', 'Item 2', 'Item 3', 'Item 4']));
    expect(input.value).toBe('');
  });

  it('keeps what is typed after Enter while the entry before it is saved', async () => {
    await renderApp(groceries);
    const input = screen.getByRole('textbox', { name: 'New todo' }) as HTMLInputElement;
    const user = fast();
    await user.click(input);
    await user.keyboard('Butter{Enter}Jam');
    await waitFor(() => expect(shownTitles()).toContain('Butter'));
    expect(input.value).toBe('Jam');
    expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs', 'Butter']);
  });

  it('adds lists typed fast just as typed', async () => {
    const { api } = await renderApp(groceries);
    const user = fast();
    await user.click(screen.getByRole('textbox', { name: 'New list' }));
    await user.keyboard('Home{Enter}Garden{Enter}');
    await waitFor(async () => expect((await lists(api)).map((l) => l.name)).toEqual(['Groceries', 'Work', 'Home', 'Garden']));
  });

  it('gives back an entry that failed: into the empty input, or listed with Try again', async () => {
    const { kit, user } = await renderApp(groceries);
    const input = screen.getByRole('textbox', { name: 'New todo' }) as HTMLInputElement;
    kit.failNext('create', new AppError('internal', 'disk full'));
    await user.type(input, 'Butter{Enter}');
    await waitFor(() => expect(input.value).toBe('Butter'));
    expect(screen.getByTestId('toast-error').textContent).toContain('disk full');

    // The failure comes back after more was typed: the new text stays, the failed one is listed.
    await user.clear(input);
    kit.failNext('create', new AppError('internal', 'disk full'));
    await fast().keyboard('Jam{Enter}Tea');
    const unsent = await screen.findByTestId('unsent');
    expect(input.value).toBe('Tea');
    expect(unsent.textContent).toContain('Not added: “Jam”');
    await user.click(within(unsent).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(shownTitles()).toEqual(['Milk', 'Bread', 'Eggs', 'Jam']));
    expect(screen.queryByTestId('unsent')).toBeNull();
  });
});
