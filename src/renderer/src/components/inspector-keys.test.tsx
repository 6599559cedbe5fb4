/**
 * The inspector's messages from the keyboard (round 63, a11y review): the list is one tab
 * stop, as a view's list of rows is (use-row-keys.ts), so a keyboard user passes ~30 messages with
 * one Tab rather than two per message; the arrows, Home and End walk it; the message with
 * the focus has its buttons in the Tab order; each message is named by what it says.
 * It writes rows of the schema's first table through the API (testing/first-table.ts), so a
 * fork that replaces the todos keeps it as it is.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import type { AppApi } from '../../../shared/app-api.ts';
import { FIRST, createFirst } from '../testing/first-table.ts';

/** Five rows of the first table: five messages at least (their titles), newest first. */
async function fiveRows(api: AppApi): Promise<void> {
  for (const title of ['Milk', 'Bread', 'Eggs', 'Rice', 'Salt']) await createFirst(api, title);
}
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const messages = () => within(screen.getByTestId('inspector-list')).getAllByRole('listitem');
const inList = (el: Element | null) => el !== null && screen.getByTestId('inspector-list').contains(el);
const nameOf = (el: Element | null) => el?.getAttribute('aria-label') ?? el?.textContent ?? '';

describe('inspector: the messages from the keyboard', () => {
  it('is one tab stop: Tab enters at a message, then its two buttons, then leaves the list', async () => {
    const { user } = await renderApp(fiveRows);
    await waitFor(() => expect(messages().length).toBeGreaterThanOrEqual(5));
    const before = screen.getByRole('checkbox', { name: /Show internal fields/ });
    before.focus();
    const stops: string[] = [];
    for (let i = 0; i < 100; i++) {
      await user.tab();
      if (!inList(document.activeElement)) break;
      stops.push(`${document.activeElement?.tagName}: ${nameOf(document.activeElement)}`);
    }
    expect(stops).toHaveLength(3);
    expect(stops[0]).toBe(`LI: ${nameOf(messages()[0] as HTMLElement)}`);
    expect(stops[1]).toMatch(new RegExp(`^BUTTON: Only ${escaped(FIRST.noun)} “Salt”$`));
    expect(stops[2]).toMatch(/^BUTTON: History of /);
  });

  it('names each message by what it says, and walks them with the arrows, Home and End', async () => {
    const { user } = await renderApp(fiveRows);
    await waitFor(() => expect(messages().length).toBeGreaterThanOrEqual(5));
    const names = messages().map((m) => m.getAttribute('aria-label'));
    expect(names).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${escaped(FIRST.noun)} “Milk” · ${escaped(FIRST.titleLabel)} = "Milk": Won, by alice-1 \\(you\\), pending, at \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`))]));
    expect(names.every((n) => n !== null && n.length > 0)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    const all = messages();
    (all[0] as HTMLElement).focus();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(all[1]);
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(all.at(-1));
    await user.keyboard('{ArrowUp}');
    expect(document.activeElement).toBe(all.at(-2));
    await user.keyboard('{Home}');
    expect(document.activeElement).toBe(all[0]);
    // The Tab order follows: from the message walked to, Tab goes to its own buttons.
    await user.keyboard('{End}');
    await user.tab();
    expect(within(all.at(-1) as HTMLElement).getAllByRole('button')).toContain(document.activeElement);
  });
});
