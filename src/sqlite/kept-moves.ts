/**
 * A pulled message kept only in its data row (mark 2, pulled-in-row.ts) goes to the message
 * log before anything but a newer kept message replaces it: a local write the server refuses
 * falls back to it, and the history shows it. The store moves it itself, in SQL (the JSON of
 * the value is built from the row, no read into JavaScript and back), in the commit that
 * replaces it, before the row is written.
 *
 * Until store version 5, a trigger per column did this. It ran its program on every UPDATE
 * that set the mark, so every local write of a cell whose message the server held (mark
 * NULL to 1) paid for one: about 0.45 µs of a 9.5 µs write, and every pulled row one per
 * column. Now a write whose cells are known to hold no kept message (the store's winner
 * cache answered, or the winner read saw their marks) runs nothing.
 *
 * Every write of a cell goes through the row writer or the one-cell write, and both call
 * this first; the app must not write the data tables itself (see SqliteStore.db).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database.ts';
import { KEPT_MARK, jsonSql } from './pulled-in-row.ts';
import { isKept, type CommitRows } from './row-writer.ts';
import { MESSAGES_TABLE, type SqlColumn, type SqlTable } from './sql-columns.ts';

export type KeptMoves = ReturnType<typeof createKeptMoves>;

export function createKeptMoves(db: Db) {
  /** Per column: the statement for one row (bound: its id) and for many (bound: their ids as a JSON array). */
  const statements = new Map<SqlColumn, { one: Statement<[string]>; many: Statement<[string]> } | null>();

  function statementsOf(table: SqlTable, column: SqlColumn): { one: Statement<[string]>; many: Statement<[string]> } | null {
    let entry = statements.get(column);
    if (entry === undefined) {
      // A column whose values have no exact JSON text in SQL (`number`) never keeps a message.
      const json = jsonSql(column, column.sql);
      // Names are declared identifiers (sql-columns.ts): safe as SQL string literals. The
      // WHERE also settles the grammar of INSERT ... SELECT ... ON CONFLICT.
      const move = (where: string): Statement<[string]> => db.prepare<[string]>(`INSERT INTO ${MESSAGES_TABLE} (hlc, tbl, row, col, value, local, synced, applied, error)
        SELECT ${column.hlcSql}, '${table.name}', id, '${column.name}', ${json}, 0, 1, 1, NULL FROM ${table.sql}
        WHERE ${where} AND ${column.pendingSql} = ${KEPT_MARK} AND ${column.hlcSql} IS NOT NULL ON CONFLICT(hlc) DO NOTHING`);
      entry = json === null ? null : { one: move('id = ?'), many: move('id IN (SELECT value FROM json_each(?))') };
      statements.set(column, entry);
    }
    return entry;
  }

  return {
    /** Call inside the commit's transaction, before the cell is written: moves its kept message, if any. */
    cell(table: SqlTable, column: SqlColumn, row: string): void {
      statementsOf(table, column)?.one.run(row);
    },

    /**
     * Call inside the commit's transaction, before the row writer writes `rows`: every cell
     * it gives anything but a newer kept message (mark 1 or NULL) has its kept message
     * moved, one statement per column. A pulled page whose messages are all kept runs none.
     * Returns how many moved.
     */
    replaced(rows: CommitRows): number {
      let byColumn: Map<SqlColumn, { table: SqlTable; ids: string[] }> | null = null;
      for (let i = 0; i < rows.list.length; i++) {
        const r = rows.list[i] as CommitRows['list'][number];
        if (r.keptCount === r.written) continue; // every cell it writes keeps its new message
        for (const column of r.table.columns.values()) {
          if (r.cells[column.position] === undefined || isKept(r, column.position)) continue;
          byColumn ??= new Map();
          const entry = byColumn.get(column);
          if (entry) entry.ids.push(r.row);
          else byColumn.set(column, { table: r.table, ids: [r.row] });
        }
      }
      if (byColumn === null) return 0;
      let moved = 0;
      for (const [column, { table, ids }] of byColumn) {
        const st = statementsOf(table, column);
        if (st) moved += (ids.length === 1 ? st.one.run(ids[0] as string) : st.many.run(JSON.stringify(ids))).changes;
      }
      return moved;
    },

    /** Forgets the prepared statements (the schema's tables may have changed). */
    clear(): void {
      statements.clear();
    },
  };
}
