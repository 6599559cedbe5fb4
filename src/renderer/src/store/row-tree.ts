/**
 * What deleting a row takes from view, and how Undo brings back exactly that.
 *
 * Deleting a list tombstones the list only: its todos keep their own rows, hidden because
 * their parent is (table-queries.ts), and the API has no undelete. Undo therefore creates
 * the row again, under a new id, and the rows below it, which still name the old id, must be
 * created again under the new one, or the list would come back empty. They are read before
 * the delete (after it they read as empty), in their order, with their fields (a done flag).
 */
import type { JsonValue } from 'fieldsync';
import type { AnyRow, AppApi } from '../../../shared/app-api.ts';
import type { TableName } from '../../../shared/app-rows.ts';
import type { AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { rowOrder } from '../../../shared/row-order.ts';
import { editableText } from '../lib/display-text.ts';

/** A row as it was deleted, with the live rows below it, each in order. */
export interface RowTree {
  readonly table: AppTable;
  readonly row: AnyRow;
  readonly below: readonly RowTree[];
}

/**
 * The fields that bring a deleted row back, as a new row: everything but what the core sets
 * itself. Text that arrived by sync breaking the input rules comes back as it was shown to be
 * edited (`editableText`), so that Undo is not refused.
 */
export function restorable(table: AppTable, row: AnyRow): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, column] of table.columns) {
    const value = row[name];
    if (column.kind === 'order' || column.kind === 'createdAt' || value === null || value === undefined) continue;
    out[name] = column.kind === 'text' ? editableText(value, column) : value;
  }
  return out;
}

const childTables = (table: AppTable): AppTable[] =>
  appSchema.tableNames.map((name) => appSchema.table(name) as AppTable).filter((t) => t.parent?.table === table.name);

/** `row` and every live row below it, read now (before its delete hides them). */
export async function readTree(api: AppApi, table: AppTable, row: AnyRow): Promise<RowTree> {
  const below: RowTree[] = [];
  for (const child of childTables(table)) {
    const rows = [...(await api.rows(child.name as TableName, { parent: row.id }))].sort(rowOrder(child));
    for (const r of rows) below.push(await readTree(api, child, r));
  }
  return { table, row, below };
}

/**
 * Creates `tree` again: its root at `index` among its siblings, the rows below in their order
 * under the new ids. Resolves to the new root's id. When a row below fails, the new root is
 * deleted again, which hides whatever was made under it: Undo brings back all or nothing.
 */
export async function createTree(api: AppApi, tree: RowTree, index: number): Promise<string> {
  const { table } = tree;
  const created = await api.create(table.name as TableName, restorable(table, tree.row));
  try {
    if (table.orderColumn !== null) await api.move(table.name as TableName, created.id, index);
    for (const child of tree.below) await createBelow(api, child, created.id);
  } catch (err) {
    await api.delete(table.name as TableName, created.id).catch(() => undefined);
    throw err;
  }
  return created.id;
}

/** A row below, appended under its new parent (in order: each comes after the one before). */
async function createBelow(api: AppApi, tree: RowTree, parentId: string): Promise<void> {
  const { table } = tree;
  const fields = { ...restorable(table, tree.row), [table.parent?.column as string]: parentId };
  const created = await api.create(table.name as TableName, fields);
  for (const child of tree.below) await createBelow(api, child, created.id);
}
