/**
 * Writes cells into the data tables: the cells of one commit are grouped by row, and each
 * row is an upsert of the columns it sets, each with its hidden `_hlc_` and `_pending_` columns
 * (`INSERT ... ON CONFLICT(id) DO UPDATE`), so a row that does not exist yet is created and
 * the other columns of one that does are kept. Rows that set the same columns (a pulled page
 * is mostly such rows) go in batches, several rows per statement: fewer calls into SQLite.
 * Statements are prepared once per (table, set of columns, rows per statement) and reused.
 */
import type { Statement } from 'better-sqlite3';
import type { CellWrite } from '../sync/index.ts';
import type { Db } from './open-database.ts';
import { toSql, type SqlColumn, type SqlTable, type SqlValue } from './sql-columns.ts';

export interface RowWriter {
  /**
   * Call inside a transaction, with writes already checked against the schema. The writes in
   * `marked` keep their message in the row (see pending-cells.ts); every other written cell
   * loses its mark. With `marked` null, no cell has or gets a mark (a pull while nothing is
   * pending): the marks are left out of the statements, which then bind a third fewer values.
   * The writes in `kept` keep their pulled message in the row (mark 2, see pulled-in-row.ts);
   * with `kept` given, marks are always written.
   */
  write(writes: readonly CellWrite[], marked: ReadonlySet<CellWrite> | null, kept?: ReadonlySet<CellWrite>): void;
}

const BATCH = 32;
const NO_WRITES: ReadonlySet<CellWrite> = new Set();

/** The cells one commit sets in one row, one write per column (a later one replaces an earlier one). */
interface RowWrites {
  readonly table: SqlTable;
  readonly row: string;
  readonly cells: CellWrite[];
}

/** Rows that set the same columns of one table: they share a statement. */
interface Group {
  readonly table: SqlTable;
  readonly columns: readonly SqlColumn[];
  readonly rows: RowWrites[];
}

export function createRowWriter(db: Db, tables: ReadonlyMap<string, SqlTable>): RowWriter {
  // better-sqlite3 binds an array argument as the statement's parameters, in order.
  const statements = new Map<string, Statement<[readonly SqlValue[]]>>();

  function upsert(table: SqlTable, columns: readonly SqlColumn[], key: string, rows: number, marks: boolean): Statement<[readonly SqlValue[]]> {
    const id = `${key}\u0000${rows}\u0000${marks ? 1 : 0}`;
    let stmt = statements.get(id);
    if (!stmt) {
      const names = columns.flatMap((c) => (marks ? [c.sql, c.hlcSql, c.pendingSql] : [c.sql, c.hlcSql]));
      const tuple = `(?${', ?'.repeat(names.length)})`;
      const sql = `INSERT INTO ${table.sql} (id, ${names.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}
        ON CONFLICT(id) DO UPDATE SET ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`;
      statements.set(id, (stmt = db.prepare<[readonly SqlValue[]]>(sql)));
    }
    return stmt;
  }

  /** Binds one row's parameters at `params[at...]`: id, then value, hlc (and mark) of each column. */
  function bind(params: SqlValue[], at: number, columns: readonly SqlColumn[], r: RowWrites, marked: ReadonlySet<CellWrite> | null, kept?: ReadonlySet<CellWrite>): void {
    params[at] = r.row;
    const step = marked ? 3 : 2;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as SqlColumn;
      const w = r.cells[i] as CellWrite;
      params[at + 1 + step * i] = toSql(column.type, w.value);
      params[at + 2 + step * i] = w.hlc;
      if (marked) params[at + 3 + step * i] = marked.has(w) ? 1 : kept?.has(w) ? 2 : null;
    }
  }

  const groupKey = (r: RowWrites): string => {
    let key = r.table.name;
    for (const w of r.cells) key += `\u0000${w.column}`;
    return key;
  };

  // One cell of one row (most local writes): its statement found by its column, no grouping.
  const single = new Map<SqlColumn, Statement<[readonly SqlValue[]]>>();
  const singleParams: SqlValue[] = [null, null, null, null];
  const singleParamsUnmarked: SqlValue[] = [null, null, null];

  return {
    write(writes, markedOnly, kept) {
      // Kept pulled messages are marks too: the statements then write every cell's mark.
      const marked = markedOnly ?? (kept ? NO_WRITES : null);
      if (writes.length === 1) {
        const w = writes[0] as CellWrite;
        const table = tables.get(w.table) as SqlTable;
        const column = table.columns.get(w.column) as SqlColumn;
        if (marked) {
          let stmt = single.get(column);
          if (!stmt) single.set(column, (stmt = upsert(table, [column], `${table.name}\u0000${column.name}`, 1, true)));
          bind(singleParams, 0, [column], { table, row: w.row, cells: [w] }, marked, kept);
          stmt.run(singleParams);
        } else {
          bind(singleParamsUnmarked, 0, [column], { table, row: w.row, cells: [w] }, null);
          upsert(table, [column], `${table.name}\u0000${column.name}`, 1, false).run(singleParamsUnmarked);
        }
        return;
      }
      // One entry per row, in first-write order.
      const rows = new Map<string, RowWrites>();
      for (const w of writes) {
        const key = `${w.table}\u0000${w.row}`;
        const entry = rows.get(key);
        if (!entry) {
          rows.set(key, { table: tables.get(w.table) as SqlTable, row: w.row, cells: [w] });
          continue;
        }
        const i = entry.cells.findIndex((c) => c.column === w.column);
        if (i < 0) entry.cells.push(w);
        else entry.cells[i] = w;
      }
      // Rows that set the same columns share a statement (a pulled page is mostly such rows).
      const groups = new Map<string, Group>();
      for (const r of rows.values()) {
        const key = groupKey(r);
        const group = groups.get(key);
        if (group) group.rows.push(r);
        else groups.set(key, { table: r.table, columns: r.cells.map((w) => r.table.columns.get(w.column) as SqlColumn), rows: [r] });
      }
      for (const [key, { table, columns, rows: list }] of groups) {
        const width = 1 + (marked ? 3 : 2) * columns.length;
        let i = 0;
        if (list.length >= BATCH) {
          const batch = upsert(table, columns, key, BATCH, marked !== null);
          const params = new Array<SqlValue>(BATCH * width);
          for (; i + BATCH <= list.length; i += BATCH) {
            for (let j = 0; j < BATCH; j++) bind(params, j * width, columns, list[i + j] as RowWrites, marked, kept);
            batch.run(params);
          }
        }
        if (i < list.length) {
          const one = upsert(table, columns, key, 1, marked !== null);
          const params = new Array<SqlValue>(width);
          for (; i < list.length; i++) {
            bind(params, 0, columns, list[i] as RowWrites, marked, kept);
            one.run(params);
          }
        }
      }
    },
  };
}
