/**
 * Order reads that use the `(parent, order, id)` index instead of reading, decoding and
 * sorting a whole list (35-50 ms at 10,000 rows): the greatest key (a new row goes after it)
 * and the two neighbours at a position (a moved row goes between them).
 *
 * SQLite must then sort the keys exactly as `byOrder` does, which holds only when every key
 * is TEXT and every key and id is ASCII: SQLite compares UTF-8 bytes, JavaScript UTF-16
 * units, and the two orders differ for characters outside the BMP; a number or a misfit
 * BLOB decodes to a string too. Otherwise the reads answer null and the caller sorts the
 * decoded rows, as it always did.
 */
import type { AppTable } from '../../shared/app-schema-kit.ts';
import type { Db } from 'fieldsync/sqlite';

const q = (name: string): string => `"${name}"`;

/** An order key and its row, as the index holds them. */
export interface OrderedKey {
  readonly id: string;
  readonly order: string;
}

/** The rows around position `at` among the siblings without the moved row. */
export interface Neighbours {
  readonly before: OrderedKey | null;
  readonly after: OrderedKey | null;
}

export interface OrderQueries {
  /** See `TableQueries.lastOrder`. */
  lastOrder(parentId?: string): { key: string | null } | null;
  /**
   * The live siblings that would be at `toIndex - 1` and `toIndex` (clamped to the ends)
   * once `id` is taken out of its list: those placeAt puts it between. Null when SQLite's
   * order could differ from byOrder's (see above).
   */
  neighbours(parentId: string | undefined, id: string, toIndex: number): Neighbours | null;
}

/** The index's name and columns: the parent first, so that one list is one range. */
export function orderIndex(table: AppTable): { name: string; columns: string[] } | null {
  const order = table.orderColumn;
  if (order === null) return null;
  const parent = table.parent?.column;
  return { name: `${table.name}_by_${parent ? `${parent}_` : ''}${order}_id`, columns: [...(parent ? [parent] : []), order, 'id'] };
}

/** The neighbour query's SQL (exported for its EXPLAIN QUERY PLAN test). */
export function neighboursSql(table: AppTable, dir: 'ASC' | 'DESC' = 'ASC'): string {
  const order = q(table.orderColumn as string);
  // Only the row's own conditions of liveness: the moved row is live, so its parents are,
  // and they are every sibling's parents too.
  const where = [`"_deleted" IS NOT 1`, ...table.required.map((c) => `${q(c)} IS NOT NULL`), 'id <> ?'];
  if (table.parent) where.push(`${q(table.parent.column)} = ?`);
  return `SELECT id, ${order} AS o FROM ${q(table.name)} WHERE ${where.join(' AND ')} ORDER BY ${order} ${dir}, id ${dir} LIMIT ? OFFSET ?`;
}

export function orderQueries(db: Db, table: AppTable, from: string, where: readonly string[]): OrderQueries {
  const index = orderIndex(table);
  if (index === null) return { lastOrder: () => null, neighbours: () => null };
  const order = q(table.orderColumn as string);
  const parent = table.parent?.column;
  // The app adds the indexes its queries need (the store creates the tables). This one
  // replaces the `(parent, order)` index of earlier versions: the id makes it whole.
  db.exec(`DROP INDEX IF EXISTS ${q(index.name.slice(0, -'_id'.length))}`);
  db.exec(`CREATE INDEX IF NOT EXISTS ${q(index.name)} ON ${q(table.name)} (${index.columns.map(q).join(', ')})`);
  const args = (parentId: string | undefined): unknown[] => (parent ? [parentId] : []);

  const filter = [...where, ...(parent ? [`t0.${q(parent)} = ?`] : [])].join(' AND ');
  // SQLite sorts NULL < numbers < TEXT < BLOB: when both ends are TEXT, every key is.
  const end = (dir: 'ASC' | 'DESC') => db.prepare<unknown[], { o: unknown }>(`SELECT t0.${order} AS o FROM ${from} WHERE ${filter} ORDER BY t0.${order} ${dir} LIMIT 1`);
  const first = end('ASC');
  const last = end('DESC');
  const lastOrder = (parentId?: string): { key: string | null } | null => {
    const hi = last.get(...args(parentId));
    if (!hi) return { key: null };
    const lo = first.get(...args(parentId));
    if (typeof hi.o !== 'string' || typeof lo?.o !== 'string' || /[\uD800-\uDFFF]/.test(hi.o)) return null;
    return { key: hi.o };
  };

  // Every key of the list (deleted rows too: it only makes the check stricter) TEXT and
  // ASCII, every id ASCII: a length in characters equal to the length in bytes.
  const odd = db.prepare<unknown[], { n: number }>(`SELECT 1 AS n FROM ${q(table.name)} WHERE ${parent ? `${q(parent)} = ? AND ` : ''}(typeof(${order}) <> 'text' OR length(${order}) <> octet_length(${order}) OR length(id) <> octet_length(id)) LIMIT 1`);
  const forward = db.prepare<unknown[], { id: string; o: string }>(neighboursSql(table));
  const backward = db.prepare<unknown[], { id: string; o: string }>(neighboursSql(table, 'DESC'));
  const key = (r: { id: string; o: string } | undefined): OrderedKey | null => (r ? { id: r.id, order: r.o } : null);

  return {
    lastOrder,
    neighbours(parentId, id, toIndex) {
      if (odd.get(...args(parentId))) return null;
      const at = Math.max(0, Math.trunc(toIndex));
      if (at === 0) return { before: null, after: key(forward.get(id, ...args(parentId), 1, 0)) };
      const [a, b] = forward.all(id, ...args(parentId), 2, at - 1);
      if (b) return { before: key(a), after: key(b) };
      if (a) return { before: key(a), after: null };
      // Past the end: after the last sibling.
      return { before: key(backward.get(id, ...args(parentId), 1, 0)), after: null };
    },
  };
}
