/**
 * The winners (`_hlc_<column>` of every column) of rows read or written lately, so that the
 * lookup before a local write, of a row the app is working on, needs no read of its own:
 * in WAL mode every statement outside a transaction opens and closes a read transaction,
 * which cost more than a quarter of a raw upsert.
 *
 * It holds what the database holds: filled from a read, kept in step with each committed
 * write, emptied when a commit fails or the schema changes. That needs the store to be the
 * only writer of its file, as pending-cells.ts does. Bounded: the oldest rows go first.
 */
import type { CellWrite } from '../sync/index.ts';
import type { SqlTable } from './sql-columns.ts';

/** Each column's winner, in the table's column order (null: none). */
export type RowWinners = (string | null)[];

export function createWinnersCache(limit = 4096) {
  /** Per table: row id → its winners. Insertion order is age. */
  const tables = new Map<SqlTable, Map<string, RowWinners>>();
  const positions = new Map<SqlTable, Map<string, number>>();
  let size = 0;

  const positionsOf = (table: SqlTable): Map<string, number> => {
    let p = positions.get(table);
    if (!p) positions.set(table, (p = new Map([...table.columns.keys()].map((name, i) => [name, i]))));
    return p;
  };

  return {
    positionsOf,
    get: (table: SqlTable, row: string): RowWinners | undefined => tables.get(table)?.get(row),

    /** A row as just read (all nulls for a row that does not exist). */
    set(table: SqlTable, row: string, winners: RowWinners): void {
      let rows = tables.get(table);
      if (!rows) tables.set(table, (rows = new Map()));
      if (!rows.has(row)) size++;
      rows.set(row, winners);
      while (size > limit) {
        // The oldest row of the first table that has any.
        for (const [t, list] of tables) {
          const oldest = list.keys().next();
          if (oldest.done) continue;
          list.delete(oldest.value);
          size--;
          if (list.size === 0) tables.delete(t);
          break;
        }
      }
    },

    /** After a commit: its writes, in order (a later write of a cell replaces an earlier one). */
    wrote(resolve: (name: string) => SqlTable | undefined, writes: readonly CellWrite[]): void {
      if (size === 0) return;
      for (const w of writes) {
        const table = resolve(w.table);
        const entry = table ? tables.get(table)?.get(w.row) : undefined;
        if (entry) entry[positionsOf(table as SqlTable).get(w.column) as number] = w.hlc;
      }
    },

    clear(): void {
      tables.clear();
      positions.clear();
      size = 0;
    },
  };
}
