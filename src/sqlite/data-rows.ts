/**
 * Reads of the SQLite store's data tables, decoded to JSON values: `values(cells)` of the
 * store contract (a cell's value and the hlc in its hidden `_hlc_<column>`), and the store's
 * own `readRow(table, row)` and `rows(table)` for an app. Separate from the store
 * (sqlite-store.ts) because none of them touches the messages or the marks: they read rows
 * as SQLite holds them, through statements prepared per table and forgotten on open().
 */
import type { Statement } from 'better-sqlite3';
import { SchemaError, cellKey, type Cell, type JsonValue } from '../sync/index.ts';
import { errorText, invalidArgument } from '../sync/errors.ts';
import { readsDeleted, type CellValue } from '../sync/store.ts';
import type { SqlTable } from './sql-columns.ts';
import { fromSql } from './sql-values.ts';
import type { StoreParts } from './store-parts.ts';

export type DataRow = Readonly<Record<string, JsonValue>>;

function decodeRow(table: SqlTable, raw: Record<string, unknown>): DataRow {
  const out: Record<string, JsonValue> = {};
  for (const c of table.columns.values()) out[c.name] = fromSql(c.type, raw[c.name]);
  return out;
}

export function createDataRows({ db, ready }: Pick<StoreParts, 'db' | 'ready'>) {
  const rowStatements = new Map<string, Statement<[string]>>();

  /** A data table for a read: one the schema does not declare is a SchemaError (a misspelt name read as empty before). */
  const readTable = (table: string): SqlTable => {
    const t = ready().tables.get(table);
    if (!t) throw new SchemaError(`no table ${errorText(table).slice(0, 100)} in the schema`);
    return t;
  };

  /** A data row as SQLite holds it, hidden `_hlc_` columns included. */
  function readRaw(t: SqlTable, row: string): Record<string, unknown> | undefined {
    let stmt = rowStatements.get(t.name);
    if (!stmt) rowStatements.set(t.name, (stmt = db.prepare<[string]>(`SELECT * FROM ${t.sql} WHERE id = ?`)));
    return stmt.get(row) as Record<string, unknown> | undefined;
  }

  return {
    /** open(): statements prepared for the previous schema may name other columns. */
    clear(): void {
      rowStatements.clear();
    },

    /** `values(cells)`, its arguments already checked. */
    values(cells: readonly Cell[]): Map<string, CellValue> {
      // Only for what the library reports (replaced values, device names): one row read per cell.
      const out = new Map<string, CellValue>();
      for (const c of cells) {
        const t = ready().tables.get(c.table);
        const column = t?.columns.get(c.column);
        if (!t || !column) continue;
        const raw = readRaw(t, c.row);
        const hlc = raw?.[`_hlc_${c.column}`];
        if (typeof hlc === 'string') out.set(cellKey(c.table, c.row, c.column), { value: fromSql(column.type, raw?.[c.column]), hlc });
      }
      return out;
    },

    readRow(table: string, row: string): DataRow | undefined {
      const t = readTable(table);
      if (typeof row !== 'string') throw invalidArgument('readRow(table, row): row must be a string');
      const raw = readRaw(t, row);
      return raw ? decodeRow(t, raw) : undefined;
    },

    rows(table: string, options?: { includeDeleted?: boolean }): Map<string, DataRow> {
      const out = new Map<string, DataRow>();
      const t = readTable(table);
      const withDeleted = readsDeleted('rows(table, options)', options);
      for (const raw of db.prepare(`SELECT * FROM ${t.sql}`).iterate() as IterableIterator<Record<string, unknown>>) {
        const decoded = decodeRow(t, raw);
        if (decoded._deleted === true && !withDeleted) continue;
        out.set(raw.id as string, decoded);
      }
      return out;
    },
  };
}
