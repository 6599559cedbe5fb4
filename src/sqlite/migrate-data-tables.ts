/**
 * The app's data tables follow the declared schema, in the open transaction:
 * - a declared name that differs only in case from one the file holds is refused before
 *   anything changes (name-case.ts);
 * - a missing table is created and a missing column is added (`ALTER TABLE ADD COLUMN`)
 *   when a later schema version declares it, each with its hidden `_hlc_<column>` and
 *   `_pending_<column>`; each table has one hidden `_unpushed` (unpushed-in-row.ts);
 * - a column whose type changed is converted (retype-column.ts), with the type its values
 *   were written with (column-types.ts);
 * - columns and tables are never dropped, so data written by any version stays readable;
 *   the unpushed writes of those the schema no longer declares move to the outbox
 *   (stranded-marks.ts).
 *
 * Every column of a data table is nullable: the library may write `null` into any cell (a
 * cell whose only message the server refused falls back to null).
 */
import { columnTypes } from './column-types.ts';
import { fileTables } from './file-tables.ts';
import { refuseCaseOnlyRenames } from './name-case.ts';
import type { Db } from './open-database.ts';
import { retypeColumn } from './retype-column.ts';
import { SQL_TYPES, UNPUSHED_SQL, type SqlTable } from './sql-columns.ts';
import { moveStrandedMarks } from './stranded-marks.ts';

/** Brings the data tables to the declared schema. Call inside the open transaction, after `migrateStore`. */
export function migrateDataTables(db: Db, tables: ReadonlyMap<string, SqlTable>): void {
  const file = fileTables(db);
  refuseCaseOnlyRenames(tables, file);
  const types = columnTypes(db, file, tables);
  for (const table of tables.values()) {
    const held = file.get(table.name);
    if (held === undefined) {
      const columns = [...table.columns.values()].map((c) => `${c.sql} ${SQL_TYPES[c.type]}, ${c.hlcSql} TEXT, ${c.pendingSql} INTEGER`);
      db.exec(`CREATE TABLE ${table.sql} (id TEXT PRIMARY KEY NOT NULL, ${columns.join(', ')}, ${UNPUSHED_SQL} TEXT)`);
      for (const c of table.columns.values()) types.set(table.name, c.name, c.type);
      continue;
    }
    const add = (name: string, sql: string, type: string): void => {
      if (!held.names.has(name)) db.exec(`ALTER TABLE ${table.sql} ADD COLUMN ${sql} ${type}`);
    };
    for (const c of table.columns.values()) {
      const was = types.get(table.name, c.name);
      if (held.columns.has(c.name) && was !== undefined && was !== c.type) retypeColumn(db, table, c, was);
      add(c.name, c.sql, SQL_TYPES[c.type]);
      add(`_hlc_${c.name}`, c.hlcSql, 'TEXT');
      add(`_pending_${c.name}`, c.pendingSql, 'INTEGER'); // store version 1 had none
      types.set(table.name, c.name, c.type);
    }
    add('_unpushed', UNPUSHED_SQL, 'TEXT'); // store version 3 had none
  }
  moveStrandedMarks(db, file, tables, types);
}
