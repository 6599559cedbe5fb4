/**
 * The building blocks of `app-schema.ts`: an app's tables, declared once, with what the app
 * needs to know beyond the sync schema. Everything generic is derived from it: the sync
 * schema, the API's checks and messages, the core's queries and the renderer's stores.
 *
 * ```ts
 * export const appSchema = defineAppSchema({
 *   version: 1,
 *   tables: {
 *     notes: {
 *       noun: 'note',
 *       titleColumn: 'title',
 *       columns: { title: text({ label: 'Title', max: 200 }), order: order(), createdAt: createdAt() },
 *     },
 *   },
 * });
 * ```
 *
 * The column kinds are in app-columns.ts, the row types in app-schema-types.ts and the
 * declaration's checks in app-schema-checks.ts; this file re-exports them, so that a schema
 * imports everything from here.
 */
import { SchemaError, defineSchema, type Schema } from 'fieldsync';
import { DEVICES_TABLE, DEVICE_NAME_MAX, type AppColumn, type ParentColumn } from './app-columns.ts';
import { checkDeclaration } from './app-schema-checks.ts';

export * from './app-columns.ts';
export * from './app-schema-types.ts';
export { RESERVED_TABLE_PREFIXES } from './app-schema-checks.ts';

export interface AppTableInput {
  /** What one row is called in messages: "That todo no longer exists." */
  readonly noun: string;
  /** Plural of `noun`; default `noun + 's'`. */
  readonly plural?: string;
  /** The text column that names a row (toasts, confirmations, accessible names). */
  readonly titleColumn: string;
  readonly columns: Readonly<Record<string, AppColumn>>;
}

/** A table as the app sees it, with its special columns found once. */
export interface AppTable {
  readonly name: string;
  readonly noun: string;
  readonly plural: string;
  readonly titleColumn: string;
  readonly columns: ReadonlyMap<string, AppColumn>;
  readonly parent: { readonly column: string; readonly table: string } | null;
  readonly orderColumn: string | null;
  readonly createdAtColumn: string | null;
  /** Columns a row must have to be shown: required text and the parent. */
  readonly required: readonly string[];
  /** The tables above this one, nearest first: a row is hidden when any of its parents is. */
  readonly ancestors: readonly string[];
  /** Tables whose rows belong to this one's (directly or further down). */
  readonly descendants: readonly string[];
}

/** An app schema, whatever its tables: what the generic core and stores work with. */
export interface AppSchema {
  readonly version: number;
  /** The declaration as written. */
  readonly declared: Readonly<Record<string, AppTableInput>>;
  readonly tableNames: readonly string[];
  /** What the sync client and its store are given. */
  readonly sync: Schema;
  /** The table, or undefined when the app has none of that name. */
  table(name: string): AppTable | undefined;
}

/** The schema `defineAppSchema` returns: it keeps the declaration's types, for typed rows. */
export interface TypedAppSchema<T extends Readonly<Record<string, AppTableInput>>> extends AppSchema {
  readonly declared: T;
  readonly tableNames: readonly (keyof T & string)[];
}

export function defineAppSchema<const T extends Readonly<Record<string, AppTableInput>>>(input: { readonly version: number; readonly tables: T }): TypedAppSchema<T> {
  checkDeclaration(input.tables);
  const sync = defineSchema({
    version: input.version,
    tables: {
      ...Object.fromEntries(Object.entries(input.tables).map(([name, t]) => [name, Object.fromEntries(Object.entries(t.columns).map(([c, col]) => [c, col.spec]))])),
      [DEVICES_TABLE]: { name: { type: 'string', maxLength: DEVICE_NAME_MAX } },
    },
  });
  const described = new Map(Object.entries(input.tables).map(([name, t]) => [name, describeTable(name, t, input.tables)]));
  const above = new Map([...described.keys()].map((name) => [name, ancestorsOf(name, described)]));
  const tables = new Map<string, AppTable>();
  for (const [name, t] of described) {
    const descendants = [...described.keys()].filter((other) => above.get(other)?.includes(name));
    tables.set(name, { ...t, ancestors: above.get(name) as string[], descendants });
  }
  return { version: input.version, declared: input.tables, tableNames: Object.keys(input.tables) as (keyof T & string)[], sync, table: (name) => (Object.hasOwn(input.tables, name) ? tables.get(name) : undefined) };
}
type Described = Omit<AppTable, 'ancestors' | 'descendants'>;

function describeTable(name: string, t: AppTableInput, all: Readonly<Record<string, AppTableInput>>): Described {
  const bad = (why: string): never => {
    throw new SchemaError(`app schema, table ${name}: ${why}`);
  };
  if (typeof t.noun !== 'string' || t.noun.trim() === '') bad('noun must be a word such as "todo"');
  const columns = new Map(Object.entries(t.columns));
  const title = columns.get(t.titleColumn);
  if (!title || title.kind !== 'text') bad(`titleColumn "${t.titleColumn}" must be one of its text columns`);
  const find = (kind: 'parent' | 'order' | 'createdAt'): string | null => {
    const found = [...columns].filter(([, c]) => c.kind === kind).map(([c]) => c);
    if (found.length > 1) bad(`at most one ${kind}() column`);
    return found[0] ?? null;
  };
  const parentColumn = find('parent');
  const parentTable = parentColumn === null ? null : (columns.get(parentColumn) as ParentColumn).table;
  if (parentTable !== null && !Object.hasOwn(all, parentTable)) bad(`parent("${parentTable}") names no table`);
  return {
    name,
    noun: t.noun,
    plural: t.plural ?? `${t.noun}s`,
    titleColumn: t.titleColumn,
    columns,
    parent: parentColumn === null ? null : { column: parentColumn, table: parentTable as string },
    orderColumn: find('order'),
    createdAtColumn: find('createdAt'),
    required: [...columns].filter(([, c]) => (c.kind === 'text' && !c.optional) || c.kind === 'parent').map(([c]) => c),
  };
}

/** The tables above `name`, nearest first; refuses a cycle. */
function ancestorsOf(name: string, tables: ReadonlyMap<string, Described>): string[] {
  const out: string[] = [];
  for (let p = tables.get(name)?.parent ?? null; p !== null; p = tables.get(p.table)?.parent ?? null) {
    if (p.table === name || out.includes(p.table)) throw new SchemaError(`app schema, table ${name}: its parents form a cycle`);
    out.push(p.table);
  }
  return out;
}

/** Columns the core keeps (order, creation time, the parent): the inspector folds them away. */
export function isInternalColumn(table: AppTable | undefined, column: string): boolean {
  const kind = table?.columns.get(column)?.kind;
  return kind === 'order' || kind === 'createdAt' || kind === 'parent';
}
