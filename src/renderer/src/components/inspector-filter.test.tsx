/**
 * The inspector's filters, and the sync panel's device and network: the shell's. They write
 * rows of the schema's first table (and of the tables under it, when it has any) through the
 * API (testing/first-table.ts), so a fork that replaces the todos keeps them as they are.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppApi } from '../../../shared/app-api.ts';
import type { CreateFields, TableName } from '../../../shared/app-rows.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { renderApp } from '../testing/render-app.tsx';
import { FIRST, FIRST_CHILDREN, createFirst, internalColumns, newRowFields } from '../testing/first-table.ts';

/** Rows of the first table, "Milk" the first: one write of each of their fields. */
async function threeRows(api: AppApi): Promise<void> {
  for (const title of ['Milk', 'Bread', 'Eggs']) await createFirst(api, title);
}
/** A row of the first table, and one of each table under it (the reference app: a list and a todo). */
async function rowAndChildren(api: AppApi): Promise<void> {
  const { id } = await createFirst(api, 'Groceries');
  for (const table of FIRST_CHILDREN) await api.create(table as TableName, newRowFields(table, 'Milk', id) as CreateFields<TableName>);
}
/** The columns the core keeps of the tables rowAndChildren writes ("order", "createdAt", "listId"). */
const INTERNAL = [...new Set([FIRST.table, ...FIRST_CHILDREN].flatMap(internalColumns))];
/** Their title columns ("name", "title"), which it shows. */
const TITLES = [...new Set([FIRST.table, ...FIRST_CHILDREN].map((t) => appSchema.table(t)?.titleColumn as string))];
const whole = `${FIRST.noun} “Milk”`;
const historyOf = (row: string) => `History of ${FIRST.titleLabel.toLowerCase()} of ${row}`;

const rows = () => screen.queryAllByTestId('inspector-row');
const columns = () => rows().map((r) => r.dataset.column);

describe('inspector: internal fields, one row, one field’s history', () => {
  it.skipIf(INTERNAL.length === 0)('folds the fields the core keeps behind a toggle (skipped where the first table and those under it have no order, createdAt or parent column)', async () => {
    const { user } = await renderApp(rowAndChildren);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    for (const column of INTERNAL) expect(columns()).not.toContain(column);
    const toggle = screen.getByRole('checkbox', { name: /Show internal fields \(\d+ hidden\)/ });
    await user.click(toggle);
    expect(columns()).toEqual(expect.arrayContaining([...INTERNAL, ...TITLES]));
  });

  it('narrows to one row, then to one field’s history: its winner and the writes it beat, with who and when', async () => {
    let id = '';
    const { api, kit, user } = await renderApp(async (api) => void ({ id } = await createFirst(api, 'Milk')));
    await kit.pull();
    const phone = await kit.device({ now: () => Date.now() + 60_000 });
    await phone.sync();
    await api.update(FIRST.table, id, { [FIRST.titleColumn]: 'Oat milk' });
    await phone.api.update(FIRST.table, id, { [FIRST.titleColumn]: 'Whole milk' });
    await phone.sync();
    await kit.pull();
    const row = `${FIRST.noun} “Whole milk”`;

    await user.click((await screen.findAllByRole('button', { name: `Only ${row}` }))[0] as HTMLElement);
    const rowList = await screen.findByRole('list', { name: `Messages of ${row}` });
    await waitFor(() => expect(within(rowList).getAllByTestId('inspector-row').every((r) => r.querySelector('.cell-row')?.textContent === '“Whole milk”')).toBe(true));

    await user.click(within(rowList).getAllByRole('button', { name: historyOf(row) })[0] as HTMLElement);
    const history = await screen.findByRole('list', { name: historyOf(row) });
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
    const { user } = await renderApp(threeRows);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const history = screen.getAllByRole('button', { name: historyOf(whole) })[0] as HTMLElement;
    history.focus();
    await user.keyboard('{Enter}');
    await screen.findByRole('list', { name: historyOf(whole) });
    await waitFor(() => expect(document.activeElement?.textContent).toBe(historyOf(whole)));
    screen.getByRole('button', { name: `Whole ${FIRST.noun}` }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(document.activeElement?.textContent).toBe(`Messages of ${whole}`));
    screen.getByRole('button', { name: 'All messages' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('inspector-toggle')));
  });

  it('goes to the view\'s name when Only … narrows to a row, though the button pressed is still there (round 63)', async () => {
    const { user } = await renderApp(threeRows);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    (screen.getAllByRole('button', { name: `Only ${whole}` })[0] as HTMLElement).focus();
    await user.keyboard('{Enter}');
    await screen.findByRole('list', { name: `Messages of ${whole}` });
    // A screen reader says where the user is now, not the same button's name again.
    await waitFor(() => expect(document.activeElement?.textContent).toBe(`Messages of ${whole}`));
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
