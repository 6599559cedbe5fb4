/**
 * Unpushed local writes of columns the schema no longer declares. The store finds the
 * pending messages kept in data rows (pending-cells.ts) by the declared columns only, so
 * those of a column or table that a later schema version dropped would never be pushed:
 * the pending count fell on open, and other devices (the server, and devices still on the
 * older version, know the column) never got them. Every local change must reach the server
 * exactly once, whatever the schema does later: on open, they move to the outbox, read with
 * the type they were written with (column-types.ts), and are pushed like any other.
 *
 * Pulled messages kept in those rows (mark 2) stay: they are on the server already, nothing
 * writes an undeclared cell, and a later version that declares the column again finds them
 * as they were. The other connections to the file find the moved messages when they next
 * read the marks (the store reads them again once another connection has committed).
 */
import type { ColumnTypes } from './column-types.ts';
import { PENDING_MARK, evictMarks } from './evict-marks.ts';
import type { FileTable } from './file-tables.ts';
import type { Db } from './open-database.ts';
import type { SqlTable } from './sql-columns.ts';

/** Call inside the open transaction. Returns how many messages moved to the outbox. */
export function moveStrandedMarks(db: Db, file: ReadonlyMap<string, FileTable>, declared: ReadonlyMap<string, SqlTable>, types: ColumnTypes): number {
  let moved = 0;
  for (const t of file.values()) {
    const columns = declared.get(t.name)?.columns;
    for (const column of t.columns.keys()) {
      if (columns?.has(column) === true || !t.names.has(`_pending_${column}`)) continue; // store version 1 had no marks
      moved += evictMarks(db, t.name, column, types.get(t.name, column) ?? 'string', [PENDING_MARK]);
    }
  }
  return moved;
}
