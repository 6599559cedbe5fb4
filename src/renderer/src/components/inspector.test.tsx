/**
 * The inspector is the shell's: these tests write rows of the schema's first table through the
 * app's API and read only the inspector (testing/first-table.ts), so that a fork that replaces
 * the todos keeps them as they are.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AnyRow } from '../../../shared/app-api.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';
import { renderApp, type TestApi } from '../testing/render-app.tsx';
import { FIRST, createFirst } from '../testing/first-table.ts';

const rows = () => screen.queryAllByTestId('inspector-row');
/** The row's title as the core has it. */
const titleOf = async (kit: TestApi, id: string) => ((await kit.api.rows(FIRST.table, {})) as AnyRow[]).find((r) => r.id === id)?.[FIRST.titleColumn];

describe('inspector', () => {
  it('shows each write in words: the row by its title, the field by its label, the writer by device, the time', async () => {
    const { api, kit } = await renderApp();
    const { id } = await createFirst(api, 'Home');
    const name = () => rows().find((r) => r.dataset.column === FIRST.titleColumn && r.querySelector('.cell-noun')?.textContent === FIRST.noun);
    await waitFor(() => expect(name()).toBeDefined());
    expect(name()?.querySelector('.message-cell')?.textContent).toBe(`${FIRST.noun} “Home” · ${FIRST.titleLabel}="Home"`);
    expect(name()?.querySelector('.cell-path')?.getAttribute('title')).toBe(`${FIRST.table}.${id}.${FIRST.titleColumn}`);
    expect(name()?.dataset).toMatchObject({ origin: 'local', won: 'true', synced: 'false' });
    expect(name()?.dataset.hlc).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z-[0-9A-F]{4}-${kit.core.client.clientId}$`));
    expect(name()?.querySelector('.writer-name')?.textContent).toBe('alice-1');
    expect(within(name() as HTMLElement).getByText('you')).toBeTruthy();
    expect(name()?.querySelector('.writer-time')?.textContent).toMatch(/^just now · \d\d:\d\d:\d\d\.\d{3}$/);
    expect(within(name() as HTMLElement).getByText('Pending')).toBeTruthy();
  });

  it('marks the write that lost its cell, in words as well as colour', async () => {
    let id = '';
    const { api, kit } = await renderApp(async (api) => void ({ id } = await createFirst(api, 'Home')));
    await kit.pull();
    // Another device, whose clock is a minute ahead, renames the row; this one renames it
    // too before it hears of that: the other name is the later one, and wins here.
    const phone = await kit.device({ now: () => Date.now() + 60_000 });
    await phone.sync();
    await phone.api.update(FIRST.table, id, { [FIRST.titleColumn]: 'New name' });
    await phone.sync();
    await api.update(FIRST.table, id, { [FIRST.titleColumn]: 'Mine' });
    // The title's cell: a fork's table may have another required text column, which createFirst
    // writes with the same words ("Home" as a book's author too, never renamed, so it won).
    const row = (value: string) => rows().find((r) => r.dataset.column === FIRST.titleColumn && r.querySelector('.cell-value')?.textContent === JSON.stringify(value)) as HTMLElement;
    await waitFor(() => expect(row('Mine')?.dataset).toMatchObject({ won: 'true', origin: 'local', synced: 'false' }));
    await kit.pull();
    expect(await titleOf(kit, id)).toBe('New name');
    await waitFor(() => expect(row('Mine').dataset).toMatchObject({ won: 'false', origin: 'local', synced: 'true' }));
    expect(within(row('Mine')).getByTestId('inspector-outcome').textContent).toBe('Lost');
    expect(row('New name').dataset).toMatchObject({ won: 'true', origin: 'remote' });
    expect(within(row('New name')).getByTestId('inspector-outcome').textContent).toBe('Won');
    expect(row('Home').dataset.won).toBe('false');
  });

  it('marks a remote write that arrives already outdated', async () => {
    // A server that keeps every write, so that the older one still reaches this instance.
    let id = '';
    const { kit } = await renderApp(async (api) => void ({ id } = await createFirst(api, 'Home')), { compaction: false });
    // Before this instance synced its row, a device whose clock is years behind renamed it.
    const old = await createSyncClient({ schema: appSchema.sync, store: createMemoryStore(), remote: kit.remote(), autoSync: false, now: () => Date.parse('2001-01-01T00:00:00Z') });
    await old.update(FIRST.table, id, { [FIRST.titleColumn]: 'Old name' });
    await old.sync();
    await old.close();
    await kit.pull();
    const lost = () => rows().find((r) => r.textContent?.includes('"Old name"'));
    await waitFor(() => expect(lost()?.dataset).toMatchObject({ won: 'false', origin: 'remote', synced: 'true' }));
    expect(within(lost() as HTMLElement).getByTestId('inspector-outcome').textContent).toBe('Lost');
    // Newest first by timestamp: it sorts below the row's own writes.
    expect(rows().at(-1)).toBe(lost());
    expect(await titleOf(kit, id)).toBe('Home');
  });

  it('shows why a set-aside message was set aside', async () => {
    const { kit } = await renderApp();
    // A newer version of the app, with a column this one does not know, writes it.
    const newer = await createSyncClient({
      schema: defineSchema({ version: appSchema.version + 1, tables: { [FIRST.table]: { [FIRST.titleColumn]: 'string', colourOfNewerVersion: 'string' } } }),
      store: createMemoryStore(),
      remote: kit.remote(),
      autoSync: false,
    });
    await newer.update(FIRST.table, 't9', { colourOfNewerVersion: 'red' });
    await newer.sync();
    await newer.close();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('inspector-error').textContent).toBe(`unknown column ${FIRST.table}.colourOfNewerVersion`));
    expect(within(rows()[0] as HTMLElement).getByTestId('inspector-outcome').textContent).toBe('Set aside');
  });

  it('collapses and expands, and stops querying while collapsed', async () => {
    const { api, kit, user } = await renderApp();
    const toggle = screen.getByRole('button', { name: /Messages/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('inspector-list')).toBeNull();
    const before = kit.calls.filter((c) => c.method === 'inspect').length;
    const pending = screen.getByTestId('sync-pending').textContent;
    await createFirst(api, 'Home');
    // The app has heard of the write (its sync event: more pending) and re-read what it shows.
    await waitFor(() => expect(screen.getByTestId('sync-pending').textContent).not.toBe(pending));
    await waitFor(() => expect(kit.calls.at(-1)?.method).not.toBe('create'));
    expect(kit.calls.filter((c) => c.method === 'inspect').length).toBe(before);
    await user.click(toggle);
    await waitFor(() => expect(rows().some((r) => r.querySelector('.cell-value')?.textContent === '"Home"')).toBe(true));
  });
});
