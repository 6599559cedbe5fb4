import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/app-api.ts';
import { API_METHODS } from '../../../shared/api-methods.ts';
import { renderApp, type TestApi } from '../testing/render-app.tsx';
import { groceries, shownTitles } from '../views/todos/todo-fixtures.ts';

/** The calls since `from` that change data. */
const writes = (kit: TestApi, from: number) => kit.calls.slice(from).filter((c) => API_METHODS[c.method].kind === 'write');

describe('bad input', () => {
  it('says an empty title is empty, and calls nothing', async () => {
    const { kit, user } = await renderApp(groceries);
    const before = kit.calls.length;
    const input = screen.getByRole('textbox', { name: 'New todo' });
    await user.type(input, '   {Enter}');
    expect(screen.getByRole('alert').textContent).toBe("Title can't be empty.");
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(writes(kit, before)).toEqual([]);
    await user.type(input, 'x');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('refuses a pasted 10,000-character title without cutting it', async () => {
    const { kit, user } = await renderApp(groceries);
    const before = kit.calls.length;
    const input = screen.getByRole('textbox', { name: 'New todo' }) as HTMLInputElement;
    await user.click(input);
    await user.paste('x'.repeat(10_000));
    expect(input.value).toHaveLength(10_000);
    await user.keyboard('{Enter}');
    expect(screen.getByRole('alert').textContent).toBe('Title is too long: 10000 characters, at most 500.');
    expect(input.value).toHaveLength(10_000);
    expect(writes(kit, before)).toEqual([]);
  });

  it('refuses pasted line breaks and typed-in tabs with the control-character message', async () => {
    const { kit, user } = await renderApp(groceries);
    const before = kit.calls.length;
    const input = screen.getByRole('textbox', { name: 'New todo' }) as HTMLInputElement;
    await user.click(input);
    await user.paste('first line\nsecond line');
    expect(screen.getByRole('alert').textContent).toMatch(/can't contain control characters/);
    fireEvent.change(input, { target: { value: 'tab\there' } });
    await user.keyboard('{Enter}');
    expect(screen.getByRole('alert').textContent).toMatch(/can't contain control characters/);
    expect(writes(kit, before)).toEqual([]);
  });

  it('refuses an invisible direction control in a list name, naming it, and calls nothing', async () => {
    const { kit, user } = await renderApp(groceries);
    const before = kit.calls.length;
    const input = screen.getByRole('textbox', { name: 'New list' }) as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'Invoice\u202Efdp.exe' } });
    await user.click(input);
    await user.keyboard('{Enter}');
    expect(screen.getByRole('alert').textContent).toBe("List name can't contain U+202E (right-to-left override), an invisible character that changes the direction of text.");
    expect(input.value).toBe('Invoice\u202Efdp.exe');
    expect(writes(kit, before)).toEqual([]);
  });

  it('checks list names and renames by the same rules', async () => {
    const { kit, user } = await renderApp(groceries);
    const before = kit.calls.length;
    await user.type(screen.getByRole('textbox', { name: 'New list' }), `${'L'.repeat(101)}{Enter}`);
    expect(screen.getByRole('alert').textContent).toBe('List name is too long: 101 characters, at most 100.');
    await user.dblClick(within(screen.getByTestId('todo-list')).getByText('Milk'));
    await user.keyboard('{Control>}a{/Control}{Backspace}{Enter}');
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts).toContain("Title can't be empty.");
    expect(screen.getByRole('textbox', { name: 'Rename “Milk”' })).toBeTruthy();
    expect(writes(kit, before)).toEqual([]);
  });

  it('says why 15 emoji are too long for a 100-character list name: each counts as several', async () => {
    const { kit, user } = await renderApp(groceries);
    const before = kit.calls.length;
    await user.click(screen.getByRole('textbox', { name: 'New list' }));
    // A family emoji is one character to the eye, 7 code points (4 people, 3 joiners).
    await user.paste('\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}'.repeat(15));
    await user.keyboard('{Enter}');
    expect(screen.getByRole('alert').textContent).toBe('List name is too long: 105 characters, at most 100. Emoji and some accented letters count as several characters.');
    expect(writes(kit, before)).toEqual([]);
  });

  it('shows the API’s own invalid_argument message next to the input', async () => {
    const { kit, user } = await renderApp(groceries);
    kit.failNext('create', new AppError('invalid_argument', 'Title is not allowed here.'));
    await user.type(screen.getByRole('textbox', { name: 'New todo' }), 'Fine by me{Enter}');
    expect(await screen.findByText('Title is not allowed here.')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'New todo' })).toHaveProperty('value', 'Fine by me');
  });

  it('keeps the text and shows a toast when the core fails for another reason', async () => {
    const { kit, user } = await renderApp(groceries);
    kit.failNext('create', new AppError('internal', 'database is locked'));
    await user.type(screen.getByRole('textbox', { name: 'New todo' }), 'Butter{Enter}');
    const toast = await screen.findByTestId('toast-error');
    expect(toast.textContent).toContain('database is locked');
    // Said at once, through the live region that was there before the toast (ToastAnnouncer).
    expect(screen.getByTestId('error-announcer').textContent).toContain('database is locked');
    expect(screen.getByRole('textbox', { name: 'New todo' })).toHaveProperty('value', 'Butter');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(shownTitles()).toContain('Butter'));
  });
});
