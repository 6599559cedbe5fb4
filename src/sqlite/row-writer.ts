/**
 * Writes cells into the data tables: the cells of one commit are grouped by row, and each
 * row is an upsert of the columns it sets, each with its hidden `_hlc_` column
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
  /** Call inside a transaction, with writes already checked against the schema. */
  write(writes: readonly CellWrite[]): void;
}

const BATCH = 32;

interface Group {
  readonly table: SqlTable;
  readonly columns: SqlColumn[];
  /** The rows' parameters, one after the other: id, then value and hlc of each column. */
  readonly params: SqlValue[];
  count: number;
}

export function createRowWriter(db: Db, tables: ReadonlyMap<string, SqlTable>): RowWriter {
  // better-sqlite3 binds an array argument as the statement's parameters, in order.
  const statements = new Map<string, Statement<[readonly SqlValue[]]>>();

  function upsert(table: SqlTable, columns: readonly SqlColumn[], key: string, rows: number): Statement<[readonly SqlValue[]]> {
    const id = `${key}\u0000${rows}`;
    let stmt = statements.get(id);
    if (!stmt) {
      const names = columns.flatMap((c) => [c.sql, c.hlcSql]);
      const tuple = `(?${', ?'.repeat(names.length)})`;
      const sql = `INSERT INTO ${table.sql} (id, ${names.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}
        ON CONFLICT(id) DO UPDATE SET ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`;
      statements.set(id, (stmt = db.prepare<[readonly SqlValue[]]>(sql)));
    }
    return stmt;
  }

  return {
    write(writes) {
      // One entry per row, in first-write order; a later write of a cell replaces an earlier one.
      const rows = new Map<string, { table: SqlTable; row: string; cells: Map<string, CellWrite> }>();
      for (const w of writes) {
        const key = `${w.table}\u0000${w.row}`;
        let entry = rows.get(key);
        if (!entry) rows.set(key, (entry = { table: tables.get(w.table) as SqlTable, row: w.row, cells: new Map() }));
        entry.cells.set(w.column, w);
      }
      // Rows that set the same columns share a statement.
      const groups = new Map<string, Group>();
      for (const { table, row, cells } of rows.values()) {
        let key = table.name;
        for (const name of cells.keys()) key += `\u0000${name}`;
        let group = groups.get(key);
        if (!group) {
          const columns = [...cells.keys()].map((name) => table.columns.get(name) as SqlColumn);
          groups.set(key, (group = { table, columns, params: [], count: 0 }));
        }
        group.params.push(row);
        for (const column of group.columns) {
          const w = cells.get(column.name) as CellWrite;
          group.params.push(toSql(column.type, w.value), w.hlc);
        }
        group.count++;
      }
      for (const [key, { table, columns, params, count }] of groups) {
        const width = 1 + 2 * columns.length;
        let i = 0;
        if (count >= BATCH) {
          const batch = upsert(table, columns, key, BATCH);
          for (; i + BATCH <= count; i += BATCH) batch.run(params.slice(i * width, (i + BATCH) * width));
        }
        if (i < count) {
          const one = upsert(table, columns, key, 1);
          for (; i < count; i++) one.run(params.slice(i * width, (i + 1) * width));
        }
      }
    },
  };
}
