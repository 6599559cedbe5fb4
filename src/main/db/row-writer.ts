/**
 * Writes cells into the data tables: the cells of one commit are grouped by row, and each
 * row is one upsert of the columns it sets, each with its hidden `_hlc_` column
 * (`INSERT ... ON CONFLICT(id) DO UPDATE`), so a row that does not exist yet is created and
 * the other columns of one that does are kept. Statements are prepared once per (table,
 * set of columns) and reused.
 */
import type { Statement } from 'better-sqlite3';
import type { CellWrite } from '../../sync/index.ts';
import type { Db } from './open-database.ts';
import { toSql, type SqlColumn, type SqlTable, type SqlValue } from './sql-columns.ts';

export interface RowWriter {
  /** Call inside a transaction, with writes already checked against the schema. */
  write(writes: readonly CellWrite[]): void;
}

export function createRowWriter(db: Db, tables: ReadonlyMap<string, SqlTable>): RowWriter {
  const statements = new Map<string, Statement<SqlValue[]>>();

  function upsert(table: SqlTable, columns: readonly SqlColumn[]): Statement<SqlValue[]> {
    let key = table.name;
    for (const c of columns) key += `\u0000${c.name}`;
    let stmt = statements.get(key);
    if (!stmt) {
      const names = columns.flatMap((c) => [c.sql, c.hlcSql]);
      const sql = `INSERT INTO ${table.sql} (id, ${names.join(', ')}) VALUES (?${', ?'.repeat(names.length)})
        ON CONFLICT(id) DO UPDATE SET ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`;
      statements.set(key, (stmt = db.prepare<SqlValue[]>(sql)));
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
      for (const { table, row, cells } of rows.values()) {
        const columns: SqlColumn[] = [];
        const values: SqlValue[] = [row];
        for (const [name, w] of cells) {
          const column = table.columns.get(name) as SqlColumn;
          columns.push(column);
          values.push(toSql(column.type, w.value), w.hlc);
        }
        upsert(table, columns).run(...values);
      }
    },
  };
}
