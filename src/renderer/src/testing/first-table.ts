/**
 * The app schema's first table without a parent, for the tests of the shell (the inspector,
 * the layout, the sync panel): they write its rows through the app's API, never through a
 * view, and name them by the schema's words, so that they hold whatever a fork's tables and
 * views (docs/fork.md: a fork that replaces the todos keeps them as they are).
 */
import type { AppApi } from '../../../shared/app-api.ts';
import type { AnyRow } from '../../../shared/app-api.ts';
import type { CreateFields, TableName } from '../../../shared/app-rows.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { isInternalColumn, type AppTable } from '../../../shared/app-schema-kit.ts';

function firstRootTable(): AppTable {
  for (const name of appSchema.tableNames) {
    const def = appSchema.table(name);
    if (def && def.parent === null) return def;
  }
  throw new Error('the app schema has no table without a parent: the shell tests write rows of one');
}

const first = firstRootTable();
const titleDef = first.columns.get(first.titleColumn);

/** The table, its noun ("list", "book"), its title column and that column's label ("List name"). */
export const FIRST = {
  table: first.name as TableName,
  noun: first.noun,
  titleColumn: first.titleColumn,
  titleLabel: titleDef?.kind === 'text' ? titleDef.label : first.titleColumn,
} as const;

/** The columns of `table` the core keeps (order, creation time, parent), which the inspector folds away. */
export function internalColumns(table: string): string[] {
  const def = appSchema.table(table);
  return def ? [...def.columns.keys()].filter((c) => isInternalColumn(def, c)) : [];
}

/** The fields of a new row of `table`: `title` in its title column and in every other required text column, a valid number in each required number, `parent` in its parent column. */
export function newRowFields(table: string, title: string, parent?: string): Record<string, unknown> {
  const def = appSchema.table(table);
  if (!def) throw new Error(`the app schema has no table ${table}`);
  const fields: Record<string, unknown> = Object.fromEntries([...def.columns].filter(([, c]) => c.kind === 'text' && !c.optional).map(([c]) => [c, title]));
  // A required number a user types (round 68: the core refuses a row without one): its least
  // value the schema allows, whatever its bounds.
  for (const [c, col] of def.columns) {
    if (col.kind !== 'field' || col.rule === undefined || (typeof col.spec === 'object' && col.spec.nullable === true)) continue;
    const { min, max } = col.rule;
    fields[c] = min !== undefined ? Math.ceil(min) : max !== undefined ? Math.min(0, Math.floor(max)) : 0;
  }
  if (def.parent !== null) {
    if (parent === undefined) throw new Error(`a row of ${table} needs its parent`);
    fields[def.parent.column] = parent;
  }
  return fields;
}

/** Creates a row of the first table titled `title`, through the app's API. */
export async function createFirst(api: AppApi, title: string): Promise<AnyRow> {
  return api.create(FIRST.table, newRowFields(FIRST.table, title) as CreateFields<TableName>) as Promise<AnyRow>;
}

/** The tables whose rows belong to the first table's directly ("todos" under "lists"); none in a fork of one table. */
export const FIRST_CHILDREN: readonly string[] = appSchema.tableNames.filter((name) => appSchema.table(name)?.parent?.table === first.name);
