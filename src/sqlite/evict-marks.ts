/**
 * Moves the messages kept in one column's data rows to the log: this client's unpushed ones
 * (mark 1, pending-cells.ts) to the outbox, pulled ones (mark 2, pulled-in-row.ts) to the
 * messages table, and clears their marks. A kept message is its cell's value and hlc, read
 * with the column's type; the store moves them out before that stops holding (the schema
 * retypes the column, retype-column.ts) or when nothing would read them any more (the schema
 * no longer declares the column, stranded-marks.ts). The cell keeps its value and winner:
 * a cell whose message is in the log is what every write that is not kept leaves.
 *
 * In JavaScript, not in SQL: the value is decoded as any read decodes it, whatever its type
 * (a `number` column's has no exact JSON text in SQL). It runs when a store opens, rarely.
 */
import type { ColumnType } from '../sync/index.ts';
import type { Db } from './open-database.ts';
import { KEPT_MARK } from './pulled-in-row.ts';
import { MESSAGES_TABLE, OUTBOX_TABLE, quoteIdent } from './sql-columns.ts';
import { fromSql } from './sql-values.ts';

/** The mark of a pending local message kept in its row. */
export const PENDING_MARK = 1;

/**
 * Call inside a write transaction, with names the file holds. Moves the messages of
 * `table.column` whose mark is one of `marks`, read as `type`. Returns how many moved.
 */
export function evictMarks(db: Db, table: string, column: string, type: ColumnType, marks: readonly number[]): number {
  const [t, c, hlc, mark] = [quoteIdent(table), quoteIdent(column), quoteIdent(`_hlc_${column}`), quoteIdent(`_pending_${column}`)];
  const which = marks.map((m) => Number(m)).join(', ');
  const rows = db.prepare(`SELECT id, ${c}, ${hlc}, ${mark} FROM ${t} WHERE ${mark} IN (${which}) AND ${hlc} IS NOT NULL`).raw().all() as [string, unknown, string, number][];
  if (rows.length === 0) return 0;
  // As message-log.ts stores them: a pending one never beside its acknowledged self.
  const toOutbox = db.prepare<[string, string, string, string, string, string]>(`INSERT INTO ${OUTBOX_TABLE} (hlc, tbl, row, col, value, applied, error)
    SELECT ?, ?, ?, ?, ?, 1, NULL WHERE NOT EXISTS (SELECT 1 FROM ${MESSAGES_TABLE} WHERE hlc = ?) ON CONFLICT(hlc) DO NOTHING`);
  const toMessages = db.prepare<[string, string, string, string, string]>(`INSERT INTO ${MESSAGES_TABLE} (hlc, tbl, row, col, value, local, synced, applied, error)
    VALUES (?, ?, ?, ?, ?, 0, 1, 1, NULL) ON CONFLICT(hlc) DO NOTHING`);
  for (const [id, raw, at, m] of rows) {
    const json = JSON.stringify(fromSql(type, raw));
    if (m === KEPT_MARK) toMessages.run(at, table, id, column, json);
    else toOutbox.run(at, table, id, column, json, at);
  }
  db.prepare(`UPDATE ${t} SET ${mark} = NULL WHERE ${mark} IN (${which})`).run();
  return rows.length;
}
