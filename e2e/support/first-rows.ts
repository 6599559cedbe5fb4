/**
 * Rows for the specs that measure the shell and any view (target-sizes.spec.ts,
 * reflow.spec.ts; round 68), written through the page's own API in the schema's words, never
 * through a view's inputs: so a fork that replaces the todos (docs/fork.md) keeps those specs
 * as they are. Round 67's scratch fork deleted them, since their set-up typed lists and todos.
 *
 * - `FIRST`: the schema's first table without a parent (the todo app's lists), whose rows a
 *   view lists in its sidebar (RowNav) and opens;
 * - `ROWS`: the table whose rows the open one shows (the first table under it, the todos),
 *   or the first table itself in a fork of one table.
 */
import { expect, type Page } from '@playwright/test';
import type { AnyRow, Envelope } from '../../src/shared/app-api.ts';
import { appSchema } from '../../src/shared/app-schema.ts';
import { FIRST, FIRST_CHILDREN, newRowFields } from '../../src/renderer/src/testing/first-table.ts';
import { rawApiCall } from './browser-cluster.ts';

export { FIRST };

const rowsTable = appSchema.table(FIRST_CHILDREN[0] ?? FIRST.table);
if (!rowsTable) throw new Error('the app schema has no first table');
const titleDef = rowsTable.columns.get(rowsTable.titleColumn);
const flagColumn = [...rowsTable.columns].find(([, c]) => c.kind === 'flag')?.[0] ?? null;

/** The rows' table and its words: "todo", its title column's label as the inspector says it ("title"). */
export const ROWS = {
  table: rowsTable.name,
  noun: rowsTable.noun,
  titleColumn: rowsTable.titleColumn,
  titleWords: (titleDef?.kind === 'text' ? titleDef.label : rowsTable.titleColumn).toLowerCase(),
  underFirst: FIRST_CHILDREN[0] !== undefined,
} as const;

/** One call to the page's API, as its own bridge makes it; its value, or the error's message thrown. */
export async function apiCall<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  const answer = (await page.evaluate(rawApiCall, { method, args })) as Envelope;
  if (!answer.ok) throw new Error(`${method}: ${answer.error.message}`);
  return answer.value as T;
}

/** A row of the first table titled `title` (its other required columns valid: first-table.ts). */
export const addFirst = (page: Page, title: string): Promise<AnyRow> => apiCall<AnyRow>(page, 'create', FIRST.table, newRowFields(FIRST.table, title));

/** A row the open first-table row shows: under `parent` when the schema has a table under the first. */
export const addRow = (page: Page, parent: AnyRow, title: string): Promise<AnyRow> =>
  apiCall<AnyRow>(page, 'create', ROWS.table, ROWS.underFirst ? newRowFields(ROWS.table, title, parent.id) : newRowFields(ROWS.table, title));

export const renameRow = (page: Page, table: string, row: AnyRow, title: string): Promise<unknown> =>
  apiCall(page, 'update', table, row.id, { [table === FIRST.table ? FIRST.titleColumn : ROWS.titleColumn]: title });

/** Sets the rows' first flag (a todo's done), when the table has one: a checked box to measure. */
export async function setFlag(page: Page, row: AnyRow): Promise<void> {
  if (flagColumn !== null) await apiCall(page, 'update', ROWS.table, row.id, { [flagColumn]: true });
}

/** The view's sidebar (RowNav), whatever its table. */
export const sidebar = (page: Page) => page.locator('nav.sidebar');

/** Where the open row's rows are listed: the main pane, or the sidebar in a fork of one table. */
export const rowsArea = (page: Page) => (ROWS.underFirst ? page.locator('main') : sidebar(page));

/** A first-table row in the sidebar, by its name exactly. */
export const firstInSidebar = (page: Page, title: string) => sidebar(page).getByRole('listitem', { name: title, exact: true });

/**
 * Opens a first-table row from the sidebar, on its name's top-left corner (in a narrow
 * sidebar the row's buttons lie over the rest), and waits until it is the open one and, when
 * its rows are another table's, until `showing`, one of them, is in the main pane.
 */
export async function openFirst(page: Page, title: string, showing?: string): Promise<void> {
  await firstInSidebar(page, title).locator('.list-name').click({ position: { x: 3, y: 3 } });
  await expect(firstInSidebar(page, title)).toHaveAttribute('aria-current', 'true');
  if (ROWS.underFirst && showing !== undefined) await expect(page.locator('main').getByText(showing, { exact: true }).first()).toBeVisible();
}

/** Deletes a first-table row from the sidebar, confirmed: a toast with Undo follows. */
export async function deleteFirst(page: Page, title: string): Promise<void> {
  await sidebar(page).getByRole('button', { name: `Delete “${title}”`, exact: true }).click();
  await page.getByTestId('confirm-delete-yes').click();
  await expect(firstInSidebar(page, title)).toHaveCount(0);
}
