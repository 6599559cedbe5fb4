import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SyncView } from '../../../shared/app-api.ts';
import { renderApp } from '../testing/render-app.tsx';

const state = () => screen.getByTestId('sync-state').textContent;

afterEach(() => {
  vi.useRealTimers();
});

describe('sync panel', () => {
  it('shows who this instance is, in the panel and the window title', async () => {
    const { kit } = await renderApp(async () => {}, { profile: 'bob-2' });
    await waitFor(() => expect(screen.getByTestId('sync-profile').textContent).toBe('bob-2'));
    expect(screen.getByTestId('sync-client-id').textContent).toBe(kit.core.client.clientId);
    expect(document.title).toBe('Fieldsync — bob-2');
  });

  it.each<[string, Partial<SyncView>, string]>([
    ['idle, nothing pending', { state: 'idle', pending: 0 }, 'Synced'],
    ['idle with pending writes', { state: 'idle', pending: 3 }, '3 pending'],
    ['syncing', { state: 'syncing', pending: 3 }, 'Syncing…'],
    ['offline', { state: 'offline', online: true }, 'Offline'],
    ['working offline', { state: 'idle', online: false }, 'Offline'],
    ['error', { state: 'error', error: { code: 'network', message: 'server unreachable' } }, 'Error: server unreachable'],
    ['unauthorized', { state: 'unauthorized' }, 'Signed out'],
  ])('labels the state: %s', async (_, patch, label) => {
    const { kit } = await renderApp();
    act(() => kit.setSync(patch));
    await waitFor(() => expect(state()).toBe(label));
  });

  it('shows pending, cursor and the rejected count only when there are rejections', async () => {
    const { kit } = await renderApp();
    act(() => kit.setSync({ pending: 4, cursor: 1234, rejected: 0 }));
    await waitFor(() => expect(screen.getByTestId('sync-pending').textContent).toBe('4'));
    expect(screen.getByTestId('sync-cursor').textContent).toBe('1234');
    expect(screen.queryByTestId('sync-rejected')).toBeNull();
    act(() => kit.setSync({ rejected: 2 }));
    await waitFor(() => expect(screen.getByTestId('sync-rejected').textContent).toBe('2'));
  });

  it('counts local writes as pending, and "Sync now" sends them', async () => {
    const { kit, user } = await renderApp();
    await user.type(screen.getByRole('textbox', { name: 'New list' }), 'Home{Enter}');
    // The list's three fields, and the name this instance published at start.
    await waitFor(() => expect(state()).toBe('4 pending'));
    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(state()).toBe('Synced'));
    expect(screen.getByTestId('sync-pending').textContent).toBe('0');
    expect(kit.calls.some((c) => c.method === 'syncNow')).toBe(true);
    expect(screen.getByTestId('sync-cursor').textContent).toBe('4'); // the server numbered its four messages
  });

  it('"Work offline" is a switch that calls setOnline and reflects the state', async () => {
    const { kit, user } = await renderApp();
    const toggle = screen.getByRole('switch', { name: 'Work offline' });
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    await user.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(state()).toBe('Offline');
    expect(kit.calls.filter((c) => c.method === 'setOnline').map((c) => c.args)).toEqual([[false]]);
    // Offline, "Sync now" does nothing rather than fail.
    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(kit.calls.some((c) => c.method === 'syncNow')).toBe(false);
    toggle.focus();
    await user.keyboard(' ');
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('false'));
    expect(kit.calls.filter((c) => c.method === 'setOnline').map((c) => c.args)).toEqual([[false], [true]]);
  });

  it('shows the last sync and the next retry relative to now, and keeps them current', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: new Date('2026-11-24T12:00:00Z') });
    const { kit } = await renderApp();
    expect(screen.getByTestId('sync-last').textContent).toBe('never');
    act(() => kit.setSync({ lastSyncAt: Date.now() - 12_000 }));
    await waitFor(() => expect(screen.getByTestId('sync-last').textContent).toBe('12 s ago'));
    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.getByTestId('sync-last').textContent).toBe('1 min ago');
    act(() => kit.setSync({ state: 'error', error: { code: 'network', message: 'unreachable' }, nextRetryAt: Date.now() + 8_000 }));
    await waitFor(() => expect(screen.getByTestId('sync-retry').textContent).toBe('in 8 s'));
    act(() => vi.advanceTimersByTime(3_000));
    expect(screen.getByTestId('sync-retry').textContent).toBe('in 5 s');
  });
});
