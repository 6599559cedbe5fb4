import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { appSchema } from '../../../shared/app-schema.ts';
import { createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';
import { renderApp } from '../testing/render-app.tsx';
import { lists } from '../views/todos/todo-fixtures.ts';

const rows = () => screen.queryAllByTestId('inspector-row');

describe('inspector', () => {
  it('shows each write in words: the row by its title, the field by its label, the writer by device, the time', async () => {
    const { api, kit, user } = await renderApp();
    await user.type(screen.getByRole('textbox', { name: 'New list' }), 'Home{Enter}');
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const id = (await lists(api))[0]?.id as string;
    const name = rows().find((r) => r.dataset.column === 'name' && r.querySelector('.cell-noun')?.textContent === 'list');
    expect(name?.querySelector('.message-cell')?.textContent).toBe('list “Home” · List name="Home"');
    expect(name?.querySelector('.cell-path')?.getAttribute('title')).toBe(`lists.${id}.name`);
    expect(name?.dataset).toMatchObject({ origin: 'local', won: 'true', synced: 'false' });
    expect(name?.dataset.hlc).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z-[0-9A-F]{4}-${kit.core.client.clientId}$`));
    expect(name?.querySelector('.writer-name')?.textContent).toBe('alice-1');
    expect(within(name as HTMLElement).getByText('you')).toBeTruthy();
    expect(name?.querySelector('.writer-time')?.textContent).toMatch(/^just now · \d\d:\d\d:\d\d\.\d{3}$/);
    expect(within(name as HTMLElement).getByText('Pending')).toBeTruthy();
  });

  it('marks the write that lost its cell, in words as well as colour', async () => {
    const { api, kit } = await renderApp(async (api) => {
      await api.create('lists', { name: 'Home' });
    });
    const id = (await lists(api))[0]?.id as string;
    await kit.pull();
    // Another device, whose clock is a minute ahead, renames the list; this one renames it
    // too before it hears of that: the other name is the later one, and wins here.
    const phone = await kit.device({ now: () => Date.now() + 60_000 });
    await phone.sync();
    await phone.api.update('lists', id, { name: 'New name' });
    await phone.sync();
    await api.update('lists', id, { name: 'Mine' });
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Mine'));
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('New name'));
    const row = (value: string) => rows().find((r) => r.querySelector('.cell-value')?.textContent === JSON.stringify(value)) as HTMLElement;
    await waitFor(() => expect(row('Mine').dataset).toMatchObject({ won: 'false', origin: 'local', synced: 'true' }));
    expect(within(row('Mine')).getByTestId('inspector-outcome').textContent).toBe('Lost');
    expect(row('New name').dataset).toMatchObject({ won: 'true', origin: 'remote' });
    expect(within(row('New name')).getByTestId('inspector-outcome').textContent).toBe('Won');
    expect(row('Home').dataset.won).toBe('false');
  });

  it('marks a remote write that arrives already outdated', async () => {
    // A server that keeps every write, so that the older one still reaches this instance.
    const { api, kit } = await renderApp(async (api) => void (await api.create('lists', { name: 'Home' })), { compaction: false });
    const id = (await lists(api))[0]?.id as string;
    // Before this instance synced its list, a device whose clock is years behind renamed it.
    const old = await createSyncClient({ schema: appSchema.sync, store: createMemoryStore(), remote: kit.remote(), autoSync: false, now: () => Date.parse('2001-01-01T00:00:00Z') });
    await old.update('lists', id, { name: 'Old name' });
    await old.sync();
    await old.close();
    await kit.pull();
    const lost = () => rows().find((r) => r.textContent?.includes('"Old name"'));
    await waitFor(() => expect(lost()?.dataset).toMatchObject({ won: 'false', origin: 'remote', synced: 'true' }));
    expect(within(lost() as HTMLElement).getByTestId('inspector-outcome').textContent).toBe('Lost');
    // Newest first by timestamp: it sorts below the list's own writes.
    expect(rows().at(-1)).toBe(lost());
    expect(screen.getByTestId('list-heading').textContent).toBe('Home');
  });

  it('shows why a set-aside message was set aside', async () => {
    const { kit } = await renderApp();
    // A newer version of the app, with a column this one does not know, writes it.
    const newer = await createSyncClient({
      schema: defineSchema({ version: 2, tables: { todos: { title: 'string', colour: 'string' } } }),
      store: createMemoryStore(),
      remote: kit.remote(),
      autoSync: false,
    });
    await newer.update('todos', 't9', { colour: 'red' });
    await newer.sync();
    await newer.close();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('inspector-error').textContent).toBe('unknown column todos.colour'));
    expect(within(rows()[0] as HTMLElement).getByTestId('inspector-outcome').textContent).toBe('Set aside');
  });

  it('collapses and expands, and stops querying while collapsed', async () => {
    const { kit, user } = await renderApp();
    const toggle = screen.getByRole('button', { name: /Messages/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('inspector-list')).toBeNull();
    const before = kit.calls.filter((c) => c.method === 'inspect').length;
    await user.type(screen.getByRole('textbox', { name: 'New list' }), 'Home{Enter}');
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Home'));
    expect(kit.calls.filter((c) => c.method === 'inspect').length).toBe(before);
    await user.click(toggle);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
  });
});
