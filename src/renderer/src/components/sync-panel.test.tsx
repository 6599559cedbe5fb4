import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SyncView } from '../../../shared/app-api.ts';
import type { CreateFields, TableName } from '../../../shared/app-rows.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { productName } from '../../../../package.json';
import { STEADY_MS } from '../hooks/use-steady-label.ts';
import { renderApp } from '../testing/render-app.tsx';
import { newRowFields } from '../testing/first-table.ts';

const state = () => screen.getByTestId('sync-state').textContent;

/**
 * A new row of the app schema's first table that has no parent: its required text, and how
 * many fields creating it writes (those given, every flag, set false, the order key and the
 * creation time, which the core sets).
 */
function firstRootRow(): { table: TableName; fields: CreateFields<TableName>; written: number } {
  const table = appSchema.tableNames.find((name) => appSchema.table(name)?.parent === null);
  const def = table === undefined ? undefined : appSchema.table(table);
  if (table === undefined || def === undefined) throw new Error('the app schema has no table without a parent');
  const columns = [...def.columns];
  // Its required text, and a valid number for each required number (round 68: the core refuses a row without one).
  const fields = newRowFields(table, 'Home');
  const written = Object.keys(fields).length + columns.filter(([, c]) => c.kind === 'flag' || c.kind === 'order' || c.kind === 'createdAt').length;
  return { table, fields: fields as CreateFields<TableName>, written };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('sync panel', () => {
  it('shows who this instance is, in the panel and the window title', async () => {
    const { kit } = await renderApp(async () => {}, { profile: 'bob-2' });
    await waitFor(() => expect(screen.getByTestId('sync-profile').textContent).toBe('bob-2'));
    expect(screen.getByTestId('sync-client-id').textContent).toBe(kit.core.client.clientId);
    expect(document.title).toBe(`${productName} — bob-2`); // the app's name, from its one source
  });

  it.each<[string, Partial<SyncView>, string, RegExp | null]>([
    ['idle, nothing to send', { state: 'idle', pending: 0, unsentItems: 0 }, 'Synced', null],
    ['a change on its way, once it lasts: rows, not fields', { state: 'idle', pending: 5, unsentItems: 1 }, '1 change to sync', null],
    ['syncing, once it lasts', { state: 'syncing', pending: 3 }, 'Syncing…', null],
    ['working offline', { state: 'idle', online: false, pending: 7, unsentItems: 2 }, 'Working offline', /^2 changes kept here, sent when you turn “Work offline” off\.$/],
    ['the server cannot be reached', { state: 'offline', online: true, error: { code: 'network', message: 'fetch failed' } }, 'Can’t reach the server', /sent by themselves once it answers\. \(fetch failed\)$/],
    ['no server at all', { state: 'offline', configured: false }, 'Local only', /works on this device only\. Start it with a server URL and a token to sync\.$/],
    ['an error, retried', { state: 'error', error: { code: 'internal', message: 'the server failed' }, nextRetryAt: Date.now() + 5000 }, 'Sync error', /^the server failed.*it tries again by itself\.$/],
    // A permanent refusal: the library retries nothing by itself (round 62), and the label must not say it does.
    ['an error that stopped syncing', { state: 'error', error: { code: 'invalid_response', message: 'the answer to one message a page is still too large' }, nextRetryAt: null }, 'Sync error', /^the answer to one message a page is still too large.*syncing has stopped: “Sync now” tries again\.$/],
    // The client's own status for a local database that stopped answering (store-stall.ts): no UI of its own.
    ['a stalled store', { state: 'error', error: { code: 'store_stalled', message: "the store's commit() has not settled after 10000 ms" } }, 'Sync error', /^the store's commit\(\) has not settled after 10000 ms/],
    ['signed out: why, and what to do', { state: 'unauthorized', error: { code: 'unauthorized', message: 'the token has expired' } }, 'Signed out', /refused this instance’s token \(the token has expired\)\..*new token in FIELDSYNC_TOKEN/],
  ])('labels the state: %s', async (_, patch, label, detail) => {
    const { kit } = await renderApp();
    act(() => kit.setSync(patch));
    await waitFor(() => expect(state()).toBe(label), { timeout: STEADY_MS + 1500 });
    if (detail === null) expect(screen.queryByTestId('sync-detail')).toBeNull();
    else expect(screen.getByTestId('sync-detail').textContent).toMatch(detail);
  });

  it('keeps the badge steady through short syncs, and announces only the states that last', async () => {
    const { kit } = await renderApp();
    await kit.pull(); // the name it published at start
    await waitFor(() => expect(state()).toBe('Synced'));
    const seen: string[] = [];
    const observer = new MutationObserver(() => seen.push(state() ?? ''));
    observer.observe(screen.getByTestId('sync-state'), { childList: true, characterData: true, subtree: true });
    // An edit: a change on its way, a sync round, synced again, in a few tens of milliseconds.
    for (const patch of [{ pending: 5, unsentItems: 1 }, { state: 'syncing' }, { state: 'idle', pending: 0, unsentItems: 0 }] as const) {
      act(() => kit.setSync(patch));
      await new Promise((r) => setTimeout(r, 30));
    }
    await new Promise((r) => setTimeout(r, STEADY_MS + 300));
    expect(seen).toEqual([]);
    const announcer = screen.getByRole('status', { name: 'Sync status' });
    expect(announcer.textContent).toBe('');
    // A lasting state is shown at once and said once; so is the way back.
    act(() => kit.setSync({ state: 'idle', online: false }));
    await waitFor(() => expect(announcer.textContent).toBe('Working offline'));
    act(() => kit.setSync({ state: 'idle', online: true }));
    await waitFor(() => expect(announcer.textContent).toBe('Synced'));
    observer.disconnect();
    expect(seen).toEqual(['Working offline', 'Synced']);
  });

  it('says at the top of the page when it has lost its instance, until it is back', async () => {
    const { kit } = await renderApp();
    act(() => kit.setSync({ state: 'error', error: { code: 'disconnected', message: 'Lost the connection to this instance. Reconnecting…' } }));
    const banner = await screen.findByTestId('host-lost');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(state()).toBe('Reconnecting…');
    act(() => kit.setSync({ state: 'idle', error: null }));
    await waitFor(() => expect(screen.queryByTestId('host-lost')).toBeNull());
  });

  it('starts the narrow drawer folded on a short window, with Details to unfold it', async () => {
    const matchMedia = vi.fn((query: string) => ({ matches: query.includes('max-height'), media: query }));
    vi.stubGlobal('matchMedia', matchMedia);
    const { user } = await renderApp();
    const toggle = screen.getByRole('button', { name: 'Details' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByRole('complementary', { name: 'Sync and messages' }).className).toContain('is-folded');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByRole('complementary', { name: 'Sync and messages' }).className).not.toContain('is-folded');
    vi.unstubAllGlobals();
  });

  it('says a device name is too long in the same words at any length', async () => {
    const { kit, user } = await renderApp();
    for (const length of [61, 121, 5000]) {
      await user.click(await screen.findByRole('button', { name: 'Rename this device' }));
      const input = screen.getByRole('textbox', { name: 'Device name' });
      await user.clear(input);
      await user.click(input);
      await user.paste('x'.repeat(length));
      await user.keyboard('{Enter}');
      expect(screen.getByRole('alert').textContent).toBe(`Device name is too long: ${length} characters, at most 60.`);
      await user.keyboard('{Escape}');
    }
    expect(kit.calls.filter((c) => c.method === 'setDeviceName')).toEqual([]);
  });

  it('gives the focus back to Rename when the device name edit ends, by Escape or by saving', async () => {
    const { user } = await renderApp();
    const renameButton = await screen.findByRole('button', { name: 'Rename this device' });
    renameButton.focus();
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Device name' }));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Rename this device' })));
    await user.keyboard('{Enter}');
    await user.keyboard('{Control>}a{/Control}Laptop{Enter}');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Rename this device' })));
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
    const { api, kit, user } = await renderApp();
    // A row of the schema's first table without a parent, written through the app's API, so
    // that the test holds whatever a fork's tables and views (no label of the todo view).
    const { table, fields, written } = firstRootRow();
    await api.create(table, fields);
    // One change: the row (each field it was created with, and the name this instance published at start).
    await waitFor(() => expect(state()).toBe('1 change to sync'), { timeout: STEADY_MS + 1500 });
    expect(screen.getByTestId('sync-pending').textContent).toBe(String(written + 1));
    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(state()).toBe('Synced'));
    expect(screen.getByTestId('sync-pending').textContent).toBe('0');
    expect(kit.calls.some((c) => c.method === 'syncNow')).toBe(true);
    expect(screen.getByTestId('sync-cursor').textContent).toBe(String(written + 1)); // the server numbered each message
  });

  it('"Work offline" is a switch that calls setOnline and reflects the state', async () => {
    const { kit, user } = await renderApp();
    const toggle = screen.getByRole('switch', { name: 'Work offline' });
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    await user.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(state()).toBe('Working offline');
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
