import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists } from '../views/todos/todo-fixtures.ts';

const rows = () => screen.queryAllByTestId('inspector-row');
const columns = () => rows().map((r) => r.dataset.column);

describe('inspector: internal fields, one row, one field’s history', () => {
  it('folds the fields the core keeps behind a toggle', async () => {
    const { user } = await renderApp(groceries);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(columns()).not.toContain('order');
    expect(columns()).not.toContain('createdAt');
    expect(columns()).not.toContain('listId');
    const toggle = screen.getByRole('checkbox', { name: /Show internal fields \(\d+ hidden\)/ });
    await user.click(toggle);
    expect(columns()).toEqual(expect.arrayContaining(['order', 'createdAt', 'listId', 'title', 'name']));
  });

  it('narrows to one row, then to one field’s history: its winner and the writes it beat, with who and when', async () => {
    const { api, kit, user } = await renderApp(groceries);
    const list = (await lists(api))[0] as Row<'lists'>;
    const milk = ((await api.rows('todos', { parent: list.id })) as Row<'todos'>[])[0] as Row<'todos'>;
    await kit.pull();
    const phone = await kit.device({ now: () => Date.now() + 60_000 });
    await phone.sync();
    await api.update('todos', milk.id, { title: 'Oat milk' });
    await phone.api.update('todos', milk.id, { title: 'Whole milk' });
    await phone.sync();
    await kit.pull();
    await screen.findByRole('listitem', { name: 'Whole milk' });

    await user.click((await screen.findAllByRole('button', { name: 'Only todo “Whole milk”' }))[0] as HTMLElement);
    const rowList = await screen.findByRole('list', { name: 'Messages of todo “Whole milk”' });
    await waitFor(() => expect(within(rowList).getAllByTestId('inspector-row').every((r) => r.querySelector('.cell-row')?.textContent === '“Whole milk”')).toBe(true));

    await user.click(within(rowList).getAllByRole('button', { name: 'History of title of todo “Whole milk”' })[0] as HTMLElement);
    const history = await screen.findByRole('list', { name: 'History of title of todo “Whole milk”' });
    await waitFor(() => expect(within(history).getAllByTestId('inspector-row')).toHaveLength(3));
    const entries = within(history).getAllByTestId('inspector-row');
    expect(entries.map((e) => [e.querySelector('.cell-value')?.textContent, e.querySelector('.writer-name')?.textContent, within(e).getByTestId('inspector-outcome').textContent])).toEqual([
      ['"Whole milk"', 'alice-1-other', 'Won'],
      ['"Oat milk"', 'alice-1', 'Lost'],
      ['"Milk"', 'alice-1', 'Lost'],
    ]);
    for (const e of entries) expect(e.querySelector('.writer-time')?.textContent).toMatch(/ · \d\d:\d\d:\d\d\.\d{3}$/);

    await user.click(screen.getByRole('button', { name: 'All messages' }));
    expect(screen.getByRole('list', { name: 'Recent messages' })).toBeTruthy();
  });
});

describe('inspector: the focus when a view narrows or widens by keyboard', () => {
  it('goes to the view\'s name, then to Messages, never to the page', async () => {
    const { user } = await renderApp(groceries);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const history = screen.getAllByRole('button', { name: 'History of title of todo “Milk”' })[0] as HTMLElement;
    history.focus();
    await user.keyboard('{Enter}');
    await screen.findByRole('list', { name: 'History of title of todo “Milk”' });
    await waitFor(() => expect(document.activeElement?.textContent).toBe('History of title of todo “Milk”'));
    screen.getByRole('button', { name: 'Whole todo' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Messages of todo “Milk”'));
    screen.getByRole('button', { name: 'All messages' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('inspector-toggle')));
  });

  it('goes to the view\'s name when Only … narrows to a row, though the button pressed is still there (round 63)', async () => {
    const { user } = await renderApp(groceries);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    (screen.getAllByRole('button', { name: 'Only todo “Milk”' })[0] as HTMLElement).focus();
    await user.keyboard('{Enter}');
    await screen.findByRole('list', { name: 'Messages of todo “Milk”' });
    // A screen reader says where the user is now, not the same button's name again.
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Messages of todo “Milk”'));
  });
});

describe('sync panel: this device and its network', () => {
  it('renames this device, checking the name as the core does', async () => {
    const { kit, user } = await renderApp();
    const device = await screen.findByTestId('sync-device');
    await waitFor(() => expect(device.textContent).toBe('alice-1'));
    await user.click(screen.getByRole('button', { name: 'Rename this device' }));
    const input = screen.getByRole('textbox', { name: 'Device name' });
    await user.clear(input);
    await user.type(input, 'Kitchen tablet{Enter}');
    await waitFor(() => expect(screen.getByTestId('sync-device').textContent).toBe('Kitchen tablet'));
    expect(kit.calls.filter((c) => c.method === 'setDeviceName').map((c) => c.args)).toEqual([['Kitchen tablet']]);
  });

  it('sets a simulated network from its presets', async () => {
    const { kit, user } = await renderApp();
    const select = await screen.findByRole('combobox', { name: 'Network' });
    expect((select as HTMLSelectElement).value).toBe('normal');
    await user.selectOptions(select, 'Slow and lossy (+1 s, 30% dropped)');
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Network' }) as HTMLSelectElement).value).toBe('slow-lossy'));
    expect(kit.calls.filter((c) => c.method === 'setNetwork').map((c) => c.args)).toEqual([[{ latencyMs: 1000, dropRate: 0.3 }]]);
    expect((await kit.api.syncStatus()).network).toEqual({ latencyMs: 1000, dropRate: 0.3 });
  });
});
