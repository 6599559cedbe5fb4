/**
 * A column whose type a later schema version changed (`code: 'integer'`, then `'string'`).
 * Its values were written with the earlier type and its SQL column has that type's
 * affinity, which converts what is written into it: left as it was, `'007'` was stored as 7
 * and a long digit string lost digits, and the values written before read as the new type
 * (the integer 1 as '1'), in the rows and in the unpushed messages pushed from them.
 *
 * In the open transaction, before anything reads the column with its new type:
 * 1. the messages kept in its rows (evict-marks.ts) move to the log, read with the type they
 *    were written with: every message keeps its exact value;
 * 2. the column is made again with the new type's affinity when that differs (SQLite cannot
 *    change a column's type): the app's indexes on the table are dropped and created again;
 *    a view or trigger of the app that names the column makes it fail with a SchemaError,
 *    and the open changes nothing;
 * 3. each value is written back with the new type: natively when it is of that type (an
 *    integer in a `number` column, a string in a `json` one), else as the exact BLOB of its
 *    JSON text (sql-values.ts): a cell keeps the value it had, whatever the schema says now.
 *    The winners do not change, and nothing is pushed: the cells' messages are as they were.
 */
import { SchemaError, type ColumnType } from '../sync/index.ts';
import { evictMarks, PENDING_MARK } from './evict-marks.ts';
import type { Db } from './open-database.ts';
import { KEPT_MARK } from './pulled-in-row.ts';
import { SQL_TYPES, type SqlColumn, type SqlTable } from './sql-columns.ts';
import { fromSql, toSql, type SqlValue } from './sql-values.ts';

/** Call inside the open transaction, with the type the column's values were written with. */
export function retypeColumn(db: Db, table: SqlTable, column: SqlColumn, was: ColumnType): void {
  evictMarks(db, table.name, column.name, was, [PENDING_MARK, KEPT_MARK]);
  const rows = db.prepare(`SELECT id, ${column.sql} FROM ${table.sql} WHERE ${column.sql} IS NOT NULL`).raw().all() as [string, unknown][];
  const values: [SqlValue, string][] = rows.map(([id, raw]) => [toSql(column.type, fromSql(was, raw)), id]);
  if (SQL_TYPES[was] !== SQL_TYPES[column.type]) remake(db, table, column);
  const write = db.prepare<[SqlValue, string]>(`UPDATE ${table.sql} SET ${column.sql} = ? WHERE id = ?`);
  for (const [value, id] of values) write.run(value, id);
}

/** The column again, empty, with the new type's affinity (at the end of the table: reads go by name). */
function remake(db: Db, table: SqlTable, column: SqlColumn): void {
  const indexes = db.prepare<[string], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(table.name);
  try {
    for (const i of indexes) db.exec(`DROP INDEX "${i.name.replaceAll('"', '""')}"`);
    db.exec(`ALTER TABLE ${table.sql} DROP COLUMN ${column.sql}`);
    db.exec(`ALTER TABLE ${table.sql} ADD COLUMN ${column.sql} ${SQL_TYPES[column.type]}`);
    for (const i of indexes) db.exec(i.sql);
  } catch (err) {
    throw new SchemaError(`cannot change the type of ${table.name}.${column.name} to ${column.type}: ${(err as Error).message}`);
  }
}
