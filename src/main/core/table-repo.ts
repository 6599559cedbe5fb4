/**
 * The rows of every table of the app schema: reads straight from the SQLite data tables the
 * store keeps (see table-queries.ts for what "live" means), writes through the sync client,
 * so that every field becomes a message. Nothing here knows about lists or todos.
 *
 * - Rows sort by their `order()` column (then id); a table without one sorts by
 *   `createdAt()`, then id.
 * - `create` gives the row its id, an order key after its siblings and its creation time,
 *   and writes every field in one commit. With an id the caller chose (one row per key), it
 *   writes `_deleted: false` too, so a deleted row of that id comes back; a live one keeps
 *   its order key and creation time and takes the new fields, as another device's create of
 *   the same id would give it (per field, the later write wins).
 * - `move` writes one order key between the new neighbours, read through an index (or
 *   renumbers, see order-keys.ts).
 * - `delete` writes a tombstone: the row, and with it the rows below it, are hidden.
 *   `restore` clears it (a newer `_deleted: false`), which brings back the same row, in its
 *   order, with the rows below it: those added on another device since included.
 */
import type { JsonValue } from 'fieldsync';
import { ORDER_MAX, TOMBSTONE_COLUMN, type AppSchema, type AppTable } from '../../shared/app-schema-kit.ts';
import type { AnyRow } from '../../shared/app-api.ts';
import type { Db } from 'fieldsync/sqlite';
import { newId } from './ids.ts';
import type { Writer } from './tracked-writes.ts';
import { byOrder, keyBetween, placeAt, type OrderWrite } from './order-keys.ts';
import { rowOrder } from '../../shared/row-order.ts';
import { tableQueries, type TableQueries } from './table-queries.ts';

export interface TableRepo {
  /** The table's live rows in order, or only those of one parent row. */
  rows(table: string, parentId?: string): AnyRow[];
  /** A live row (its parents live too), or undefined. */
  row(table: string, id: string): AnyRow | undefined;
  /**
   * Creates a row from checked fields and returns it: with a new random id, or with `id`
   * (see `create` in the file comment).
   */
  create(table: string, fields: Readonly<Record<string, JsonValue>>, id?: string): Promise<AnyRow>;
  update(table: string, id: string, fields: Readonly<Record<string, JsonValue>>): Promise<void>;
  /** Puts a live row at `toIndex` (clamped) among its siblings. */
  move(table: string, id: string, toIndex: number): Promise<void>;
  delete(table: string, id: string): Promise<void>;
  /** See TableQueries.deleted. */
  deleted(table: string, id: string): { readonly parentId: string | null } | undefined;
  /** Clears a row's tombstone; returns the row if that made it live. */
  restore(table: string, id: string): Promise<AnyRow | undefined>;
}

export function createTableRepo(db: Db, client: Writer, schema: AppSchema, now: () => number = Date.now): TableRepo {
  const tables = new Map<string, { def: AppTable; queries: TableQueries; sort: (a: AnyRow, b: AnyRow) => number }>();
  for (const name of schema.tableNames) {
    const def = schema.table(name) as AppTable;
    tables.set(name, { def, queries: tableQueries(db, schema, def), sort: rowOrder(def) });
  }
  const get = (name: string) => {
    const t = tables.get(name);
    if (!t) throw new Error(`no table ${name} in the app schema`);
    return t;
  };

  const rows = (name: string, parentId?: string): AnyRow[] => {
    const t = get(name);
    return (parentId === undefined ? t.queries.all() : t.queries.children(parentId)).sort(t.sort);
  };
  const row = (name: string, id: string): AnyRow | undefined => get(name).queries.one(id);
  /** The rows that share an order with `r`: those of the same parent. */
  const siblings = (t: AppTable, r: Readonly<Record<string, JsonValue>>): AnyRow[] =>
    rows(t.name, t.parent ? (r[t.parent.column] as string) : undefined);
  const ordered = (t: AppTable, list: readonly AnyRow[]) => list.map((r) => ({ id: r.id, order: r[t.orderColumn as string] as string }));

  /**
   * The key that puts a new row last among its siblings, from the greatest key alone (one
   * index read, instead of reading, decoding and sorting the whole list: creating thousands
   * of todos was O(n²)). Null when placeAt must decide over all of them: odd keys (see
   * `lastOrder`), or no key after the last one within ORDER_MAX (a renumber).
   */
  function appendKey(name: string, t: AppTable, fields: Readonly<Record<string, JsonValue>>): string | null {
    const last = get(name).queries.lastOrder(t.parent ? (fields[t.parent.column] as string) : undefined);
    return last === null ? null : keyBetween(last.key, null, ORDER_MAX);
  }

  /**
   * The writes that move `current` to `toIndex`, from its two new neighbours alone (index
   * reads, see order-queries.ts): what placeAt gives over the whole sorted list. Null when
   * placeAt must decide over all of them: odd keys, or no key between the neighbours
   * within ORDER_MAX (a renumber).
   */
  function moveWrites(name: string, t: AppTable, current: AnyRow, toIndex: number): OrderWrite[] | null {
    const around = get(name).queries.neighbours(t.parent ? (current[t.parent.column] as string) : undefined, current.id, toIndex);
    if (around === null) return null;
    const self = { id: current.id, order: current[t.orderColumn as string] as string };
    const { before, after } = around;
    // Already between them: in its place, which placeAt leaves alone too.
    if ((before === null || byOrder(before, self) < 0) && (after === null || byOrder(self, after) < 0)) return [];
    const key = keyBetween(before?.order ?? null, after?.order ?? null, ORDER_MAX);
    return key === null ? null : [{ id: current.id, order: key }];
  }

  async function writeOrders(t: AppTable, writes: readonly OrderWrite[]): Promise<void> {
    for (const w of writes) await client.set(t.name, w.id, t.orderColumn as string, w.order);
  }

  return {
    rows,
    row,

    async create(name, fields, chosenId) {
      const { def } = get(name);
      const id = chosenId ?? newId();
      const values: Record<string, JsonValue> = { ...fields };
      // A chosen id may be a row deleted here or elsewhere: the create says it is live, as
      // a restore does, so a check-in checked, unchecked and checked again shows.
      if (chosenId !== undefined) values[TOMBSTONE_COLUMN] = false;
      const live = chosenId !== undefined && row(name, id) !== undefined;
      let renumber: OrderWrite[] = [];
      // A live row of that id keeps its place and creation time; only its fields are written.
      if (def.orderColumn !== null && !live) {
        // A new row goes last; the others are renumbered if their keys need it.
        const fast = appendKey(name, def, fields);
        const writes = fast !== null ? [{ id, order: fast }] : placeAt(ordered(def, siblings(def, fields)), id, Number.MAX_SAFE_INTEGER, ORDER_MAX);
        values[def.orderColumn] = writes.find((w) => w.id === id)?.order as string;
        renumber = writes.filter((w) => w.id !== id);
      }
      if (def.createdAtColumn !== null && !live) values[def.createdAtColumn] = now();
      // The row first, in one write that the sync client checks whole: a value that does not
      // fit the schema refuses it before anything is stored.
      await client.update(name, id, values);
      await writeOrders(def, renumber);
      const created = row(name, id);
      if (!created) throw new Error(`the new ${def.noun} is not readable`);
      return created;
    },

    async update(name, id, fields) {
      await client.update(name, id, fields);
    },

    async move(name, id, toIndex) {
      const { def } = get(name);
      const current = row(name, id);
      if (!current || def.orderColumn === null) return;
      const writes = moveWrites(name, def, current, toIndex) ?? placeAt(ordered(def, siblings(def, current)), id, toIndex, ORDER_MAX);
      await writeOrders(def, writes);
    },

    async delete(name, id) {
      await client.delete(name, id);
    },

    deleted: (name, id) => get(name).queries.deleted(id),

    async restore(name, id) {
      // Per field, the newer write wins: this one over the delete's.
      await client.set(name, id, TOMBSTONE_COLUMN, false);
      return row(name, id);
    },
  };
}
