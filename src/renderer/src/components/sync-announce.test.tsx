/**
 * What a screen reader hears of sync (round 63, found driving the app in Chromium from the
 * keyboard): the outcome of "Sync now", even when the state stays "Synced", and a sync error
 * at once, with what it means, through an alert that leaves the focus where it is. The shell's
 * alone: the focus that must stay is in a view of the schema's first table
 * (testing/first-table-view.tsx), so that a fork that replaces the todos keeps them as they are.
 */
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { NEW_FIRST_LABEL, firstTableView } from '../testing/first-table-view.tsx';
import { renderApp } from '../testing/render-app.tsx';

const said = () => screen.getByRole('status', { name: 'Sync status' }).textContent?.trim();

describe('sync announcements', () => {
  it('says the outcome of Sync now, pressed from the keyboard, each time, though the state stays Synced', async () => {
    const { kit, user } = await renderApp();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('sync-state').textContent).toBe('Synced'));
    const button = screen.getByRole('button', { name: 'Sync now' });
    button.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(said()).toBe('Synced'));
    const first = screen.getByRole('status', { name: 'Sync status' }).textContent;
    await user.keyboard('{Enter}');
    // The same words must change the region to be said again.
    await waitFor(() => expect(screen.getByRole('status', { name: 'Sync status' }).textContent).not.toBe(first));
    expect(said()).toBe('Synced');
    expect(document.activeElement).toBe(button);
    expect(kit.calls.filter((c) => c.method === 'syncNow')).toHaveLength(2);
  });

  it('says why Sync now does nothing while working offline', async () => {
    const { kit, user } = await renderApp();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('sync-state').textContent).toBe('Synced'));
    screen.getByRole('switch', { name: 'Work offline' }).focus();
    await user.keyboard(' ');
    await waitFor(() => expect(said()).toBe('Working offline'));
    const before = screen.getByRole('status', { name: 'Sync status' }).textContent;
    screen.getByRole('button', { name: 'Sync now' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByRole('status', { name: 'Sync status' }).textContent).not.toBe(before));
    expect(said()).toBe('Working offline: turn off “Work offline” to sync.');
  });

  it('says a sync error at once, with its message, as an alert, without taking the focus; and the way back politely', async () => {
    const { kit } = await renderApp(undefined, { views: [firstTableView] });
    const input = screen.getByRole('textbox', { name: NEW_FIRST_LABEL });
    input.focus();
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => kit.setSync({ state: 'error', error: { code: 'internal', message: 'the server failed' }, nextRetryAt: Date.now() + 5000 }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^Sync error: the server failed\b.*it tries again by itself\.$/);
    expect(said()).toBe(''); // said once, not twice
    expect(document.activeElement).toBe(input);
    act(() => kit.setSync({ state: 'unauthorized', error: { code: 'unauthorized', message: 'the token has expired' } }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/^Signed out: The server refused this instance’s token \(the token has expired\)/));
    act(() => kit.setSync({ state: 'idle', error: null, pending: 0, unsentItems: 0 }));
    await waitFor(() => expect(said()).toBe('Synced'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.activeElement).toBe(input);
  });

  it('says the first lasting state when it is not Synced: offline right after the page opens, before its first sync', async () => {
    const { user } = await renderApp(); // never synced: the device name it published waits to be sent
    expect(screen.getByTestId('sync-state').textContent).not.toBe('Synced');
    screen.getByRole('switch', { name: 'Work offline' }).focus();
    await user.keyboard(' ');
    await waitFor(() => expect(screen.getByTestId('sync-state').textContent).toBe('Working offline'));
    await waitFor(() => expect(said()).toBe('Working offline'));
  });
});
