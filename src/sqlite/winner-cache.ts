/**
 * The winners of the cells this connection's local writes wrote, so that the next local
 * write of one of them (typing, ticking a box, renaming: most local writes rewrite a cell
 * written a moment ago) needs no read before its upsert. The read it saves is about a
 * sixth of a whole local write.
 *
 * It is only ever asked inside a local write's own IMMEDIATE transaction (`transact`), after
 * `PRAGMA data_version` was read there, so it cannot miss a commit:
 * - another connection's commit (a background syncer, a second process) moves the data
 *   version, and the store empties the cache before asking it;
 * - this connection's other commits that write cells (pulls, repairs) empty it;
 * - a local write teaches it its cells' winners only once it has committed.
 * Bounded: once it knows `limit` cells, it starts over. Lookups build no key strings:
 * table, then row, then column.
 */
import type { Cell, CellWrite } from '../sync/index.ts';

export type WinnerCache = ReturnType<typeof createWinnerCache>;

export function createWinnerCache(limit = 4096) {
  /** table → row → column → the hlc kept with the cell's value, or null when it has none. */
  let known = new Map<string, Map<string, Map<string, string | null>>>();
  let size = 0;

  return {
    get size(): number {
      return size;
    },
    clear(): void {
      if (size > 0) known = new Map();
      size = 0;
    },
    /** The greatest winner of `cells` (null when none has one), or undefined when one of them is not known. */
    newest(cells: readonly Cell[]): string | null | undefined {
      if (size === 0) return undefined;
      let newest: string | null = null;
      for (const c of cells) {
        const hlc = known.get(c.table)?.get(c.row)?.get(c.column);
        if (hlc === undefined) return undefined;
        if (hlc !== null && (newest === null || hlc > newest)) newest = hlc;
      }
      return newest;
    },
    /** After a local write committed: the winners its writes set. */
    committed(writes: readonly CellWrite[]): void {
      for (const w of writes) {
        if (size >= limit && known.get(w.table)?.get(w.row)?.has(w.column) !== true) {
          known = new Map();
          size = 0;
        }
        let rows = known.get(w.table);
        if (!rows) known.set(w.table, (rows = new Map()));
        let columns = rows.get(w.row);
        if (!columns) rows.set(w.row, (columns = new Map()));
        if (!columns.has(w.column)) size++;
        columns.set(w.column, w.hlc);
      }
    },
  };
}
