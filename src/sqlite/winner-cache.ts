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
 * table, then row, then column. The commonest write (one cell it knew) is looked up once:
 * `committed` sets that cell in the columns `newest` found, instead of walking the maps again.
 */
import type { Cell, CellWrite } from '../sync/index.ts';

export type WinnerCache = ReturnType<typeof createWinnerCache>;

export function createWinnerCache(limit = 4096) {
  /** table → row → column → the hlc kept with the cell's value, or null when it has none. */
  let known = new Map<string, Map<string, Map<string, string | null>>>();
  let size = 0;
  /**
   * The one cell `newest` last found, and its row's columns: a local write of that cell then
   * commits it there (the row's lookup in a map of every row was about a third of this
   * file's cost per write). Dropped by `clear`, by `committed`, and by any other `newest`.
   */
  let found: Map<string, string | null> | null = null;
  let foundTable = '';
  let foundRow = '';
  let foundColumn = '';

  return {
    get size(): number {
      return size;
    },
    clear(): void {
      if (size > 0) known = new Map();
      size = 0;
      found = null;
    },
    /** The greatest winner of `cells` (null when none has one), or undefined when one of them is not known. */
    newest(cells: readonly Cell[]): string | null | undefined {
      found = null;
      if (size === 0) return undefined;
      if (cells.length === 1) {
        const c = cells[0] as Cell;
        const columns = known.get(c.table)?.get(c.row);
        const hlc = columns?.get(c.column);
        if (columns === undefined || hlc === undefined) return undefined;
        found = columns;
        foundTable = c.table;
        foundRow = c.row;
        foundColumn = c.column;
        return hlc;
      }
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
      const columns = found;
      found = null;
      const w = writes[0];
      if (columns !== null && writes.length === 1 && w !== undefined && w.row === foundRow && w.column === foundColumn && w.table === foundTable) {
        columns.set(w.column, w.hlc); // a cell it knows: no count to change, no start over
        return;
      }
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
