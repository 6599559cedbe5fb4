/**
 * The SQL that reads what the user sees of one table, built from the app schema: the
 * store keeps one SQLite table per synced table, one column per field. A row is *live* when
 * its `_deleted` tombstone is not set, it has every required field (a row whose other fields
 * synced first waits for its title), and each of its parents is live in turn: the todos of
 * a deleted list disappear with it, while keeping their own rows.
 *
 * Identifiers come only from the schema, whose names are checked by `defineSchema`, and are
 * quoted anyway (`order` is an SQL keyword).
 */
import type { ColumnType, JsonValue } from 'fieldsync';
import { emptyValue, type AppSchema, type AppTable } from '../../shared/app-schema-kit.ts';
import type { AnyRow } from '../../shared/app-api.ts';
import { fitsType, fromSql, type Db } from 'fieldsync/sqlite';
import { orderQueries, type Neighbours } from './order-queries.ts';

const q = (name: string): string => `"${name}"`;

export interface TableQueries {
  /** Every live row, unsorted. */
  all(): AnyRow[];
  /** The live rows of one parent, unsorted. */
  children(parentId: string): AnyRow[];
  /** One live row. */
  one(id: string): AnyRow | undefined;
  /**
   * The greatest order key among the live rows (of one parent), read through an index
   * without decoding a row: `{ key: null }` when there are none. Null when the answer could
   * differ from sorting the decoded rows (`rows()` with byOrder), which then decides: a key
   * that is not TEXT (a number or a misfit BLOB decodes to a string too), or one with
   * characters outside the BMP (SQLite compares UTF-8 bytes, JavaScript UTF-16 units, and
   * the two orders differ only there).
   */
  lastOrder(parentId?: string): { key: string | null } | null;
  /**
   * A row whose own tombstone is set, whatever its parents, and which has every required
   * field: its parent's id (null for a table without a parent), or undefined when the row is
   * not deleted, not complete or not there.
   */
  deleted(id: string): { readonly parentId: string | null } | undefined;
  /** See `OrderQueries.neighbours` (order-queries.ts). */
  neighbours(parentId: string | undefined, id: string, toIndex: number): Neighbours | null;
}

/** The conditions of a complete row of `t` (each required field set), its columns read through `prefix`. */
const complete = (t: AppTable, prefix: string): string[] => t.required.map((c) => `${prefix}${q(c)} IS NOT NULL`);

/** `t0` is the table itself, `t1` its parent, `t2` the parent's parent, and so on. */
function liveFrom(schema: AppSchema, table: AppTable): { from: string; where: string[] } {
  const chain = [table, ...table.ancestors.map((name) => schema.table(name) as AppTable)];
  let from = `${q(table.name)} t0`;
  const where: string[] = [];
  chain.forEach((t, i) => {
    if (i > 0) from += ` JOIN ${q(t.name)} t${i} ON t${i}.id = t${i - 1}.${q(chain[i - 1]?.parent?.column as string)}`;
    where.push(`t${i}."_deleted" IS NOT 1`, ...complete(t, `t${i}.`));
  });
  return { from, where };
}

/** A stored value back as the JSON value the store keeps (its own decoder), or null for a BLOB it did not write. */
function stored(type: ColumnType, v: unknown): JsonValue {
  try {
    return fromSql(type, v);
  } catch {
    return null;
  }
}

/**
 * A row as the API returns it: every declared column of its declared type. A cell without a
 * value, and one still holding a value of the column's earlier type (written before a schema
 * version changed the type: the store keeps it exactly, and the inspector shows it), read as
 * the column's empty value (`null`, `''`, `false`, 0), like a field that has not synced yet,
 * until the cell is written again. Nothing here throws for one odd cell.
 */
function decode(table: AppTable, raw: Record<string, unknown>): AnyRow {
  const row: Record<string, JsonValue> = { id: raw.id as string };
  for (const [name, column] of table.columns) {
    const type = typeof column.spec === 'string' ? column.spec : column.spec.type;
    const v = raw[name] === null || raw[name] === undefined ? null : stored(type, raw[name]);
    row[name] = v !== null && fitsType(type, v) ? v : emptyValue(column);
  }
  return row as AnyRow;
}

export function tableQueries(db: Db, schema: AppSchema, table: AppTable): TableQueries {
  const { from, where } = liveFrom(schema, table);
  const columns = ['t0.id', ...[...table.columns.keys()].map((c) => `t0.${q(c)}`)].join(', ');
  const select = (extra: string) => db.prepare<unknown[], Record<string, unknown>>(`SELECT ${columns} FROM ${from} WHERE ${[...where, ...(extra ? [extra] : [])].join(' AND ')}`);
  const all = select('');
  const one = select('t0.id = ?');
  let children: ReturnType<typeof select> | null = null;
  if (table.parent) {
    // An app-side index: the store creates the tables, the app adds what its queries need.
    db.exec(`CREATE INDEX IF NOT EXISTS ${q(`${table.name}_by_${table.parent.column}`)} ON ${q(table.name)} (${q(table.parent.column)})`);
    children = select(`t0.${q(table.parent.column)} = ?`);
  }
  // Complete, as a live row must be: undoing the delete of a row whose fields have not all
  // arrived would write a restore that shows nothing.
  const deleted = db.prepare<[string], { parent: unknown }>(
    `SELECT ${table.parent ? q(table.parent.column) : 'NULL'} AS parent FROM ${q(table.name)} WHERE ${['id = ?', '"_deleted" IS 1', ...complete(table, '')].join(' AND ')}`,
  );
  const { lastOrder, neighbours } = orderQueries(db, table, from, where);
  return {
    lastOrder,
    neighbours,
    all: () => all.all().map((r) => decode(table, r)),
    children: (parentId) => (children ? children.all(parentId).map((r) => decode(table, r)) : []),
    one: (id) => {
      const r = one.get(id);
      return r ? decode(table, r) : undefined;
    },
    deleted: (id) => {
      const r = deleted.get(id);
      return r ? { parentId: typeof r.parent === 'string' ? r.parent : null } : undefined;
    },
  };
}
