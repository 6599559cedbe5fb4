import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';

const rows = () => screen.queryAllByTestId('inspector-row');

describe('inspector', () => {
  it('shows each write as table.row.column = value with its origin, sync state and HLC', async () => {
    const { user } = await renderApp(async () => {}, { clientId: 'Me1' });
    await user.type(screen.getByRole('textbox', { name: 'New list' }), 'Home{Enter}');
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const name = rows().find((r) => r.textContent?.includes('.name'));
    expect(name?.textContent).toMatch(/lists\.list-\d+\.name="Home"/);
    expect(name?.dataset).toMatchObject({ origin: 'local', won: 'true', synced: 'false' });
    expect(name?.dataset.hlc).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z-[0-9A-F]{4}-Me1$/);
    expect(within(name as HTMLElement).getByText('you')).toBeTruthy();
    expect(within(name as HTMLElement).getByText('Local')).toBeTruthy();
    expect(within(name as HTMLElement).getByText('Pending')).toBeTruthy();
  });

  it('marks the write that lost its cell, in words as well as colour', async () => {
    const { api } = await renderApp(async (api) => {
      await api.createList('Home');
    });
    const id = (await api.lists())[0]?.id as string;
    // An older remote rename loses to the local name; a newer one wins.
    api.receiveRemote({ table: 'lists', row: id, values: { name: 'Old name' }, at: Date.parse('2001-01-01T00:00:00Z') });
    await waitFor(() => expect(rows()[0]?.textContent).toContain('"Old name"'));
    const lost = rows()[0] as HTMLElement;
    expect(lost.dataset).toMatchObject({ won: 'false', origin: 'remote', synced: 'true' });
    expect(within(lost).getByTestId('inspector-outcome').textContent).toBe('Lost');
    expect(screen.getByTestId('list-heading').textContent).toBe('Home');

    api.receiveRemote({ table: 'lists', row: id, values: { name: 'New name' }, at: Date.now() + 60_000 });
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('New name'));
    expect(within(rows()[0] as HTMLElement).getByTestId('inspector-outcome').textContent).toBe('Won');
    const local = rows().find((r) => r.textContent?.includes('"Home"')) as HTMLElement;
    expect(local.dataset.won).toBe('false');
  });

  it('shows why a set-aside message was set aside', async () => {
    const { api } = await renderApp();
    api.receiveRemote({ table: 'todos', row: 't9', values: { colour: 'red' }, error: 'Unknown column todos.colour' });
    await waitFor(() => expect(screen.getByTestId('inspector-error').textContent).toBe('Unknown column todos.colour'));
    expect(within(rows()[0] as HTMLElement).getByTestId('inspector-outcome').textContent).toBe('Set aside');
  });

  it('collapses and expands, and stops querying while collapsed', async () => {
    const { api, user } = await renderApp();
    const toggle = screen.getByRole('button', { name: /Messages/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('inspector-list')).toBeNull();
    const before = api.calls.filter((c) => c.method === 'inspect').length;
    await user.type(screen.getByRole('textbox', { name: 'New list' }), 'Home{Enter}');
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Home'));
    expect(api.calls.filter((c) => c.method === 'inspect').length).toBe(before);
    await user.click(toggle);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
  });
});
