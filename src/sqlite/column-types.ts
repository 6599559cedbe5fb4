/**
 * The type each data column's values were written with, in the store's own table
 * `fieldsync_columns` (store version 6). The declared schema says what a column holds from
 * now on; this says what the file holds. A native SQLite type cannot tell: a boolean and an
 * integer are both INTEGER, a string and JSON text both TEXT. Without it, a schema that
 * changed a column's type read the values written before with the new type ('007' became 7,
 * the integer 1 was pushed as '1'), and an unpushed write of a column the schema no longer
 * declares could not be read back as the value it was.
 *
 * Written in the open transaction, in step with the columns (migrate-data-tables.ts).
 */
import type { ColumnType } from '../sync/index.ts';
import type { FileTable } from './file-tables.ts';
import type { Db } from './open-database.ts';
import { SQL_TYPES, type SqlTable } from './sql-columns.ts';

export const COLUMNS_TABLE = 'fieldsync_columns';

const TYPES: ReadonlySet<string> = new Set<ColumnType>(['string', 'integer', 'number', 'boolean', 'json']);

export interface ColumnTypes {
  /** The type the column's values were written with; undefined for a column the file lacks. */
  get(table: string, column: string): ColumnType | undefined;
  /** Call inside the transaction that makes the column hold values of `type`. */
  set(table: string, column: string, type: ColumnType): void;
}

/** The native type's usual column type: the best guess for a column of a file written before this table. */
function guessed(sqlType: string): ColumnType {
  return sqlType === 'INTEGER' ? 'integer' : sqlType === 'REAL' ? 'number' : 'string';
}

/**
 * Reads the table, and enters every column of the file it lacks: columns of a file written
 * before store version 6. For those the types cannot be known; the declared type is taken
 * when its native type is the column's (the schema that wrote them most likely declared the
 * same), else the native type's usual one. `_deleted` is the library's own, always boolean.
 */
export function columnTypes(db: Db, file: ReadonlyMap<string, FileTable>, declared: ReadonlyMap<string, SqlTable>): ColumnTypes {
  const known = new Map<string, ColumnType>();
  const key = (table: string, column: string): string => `${table}\u0000${column}`;
  for (const r of db.prepare<[], { tbl: string; col: string; type: string }>(`SELECT tbl, col, type FROM ${COLUMNS_TABLE}`).all()) {
    if (TYPES.has(r.type)) known.set(key(r.tbl, r.col), r.type as ColumnType);
  }
  const put = db.prepare<[string, string, string]>(`INSERT INTO ${COLUMNS_TABLE} (tbl, col, type) VALUES (?, ?, ?)
    ON CONFLICT(tbl, col) DO UPDATE SET type = excluded.type`);
  const set = (table: string, column: string, type: ColumnType): void => {
    if (known.get(key(table, column)) === type) return;
    put.run(table, column, type);
    known.set(key(table, column), type);
  };
  for (const t of file.values()) {
    for (const [column, sqlType] of t.columns) {
      if (known.has(key(t.name, column))) continue;
      const now = declared.get(t.name)?.columns.get(column)?.type;
      set(t.name, column, column === '_deleted' ? 'boolean' : now !== undefined && SQL_TYPES[now] === sqlType ? now : guessed(sqlType));
    }
  }
  return { get: (table, column) => known.get(key(table, column)), set };
}

/**
 * Why the file's column types are no longer those `tables` declare, or null. Another
 * connection that opened the file with a schema of other types (an app update while an older
 * background syncer still runs) has converted the columns: this connection would write and
 * read them with the wrong type. Asked only once another connection has committed.
 */
export function typesChanged(db: Db, tables: ReadonlyMap<string, SqlTable>): string | null {
  for (const r of db.prepare<[], { tbl: string; col: string; type: string }>(`SELECT tbl, col, type FROM ${COLUMNS_TABLE}`).all()) {
    const declared = tables.get(r.tbl)?.columns.get(r.col)?.type;
    if (declared !== undefined && declared !== r.type) {
      return `another connection opened this database with a schema in which ${r.tbl}.${r.col} is ${r.type}, not ${declared}: open it again with the current schema`;
    }
  }
  return null;
}
