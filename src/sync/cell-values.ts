/**
 * Reads the current value of cells through the store contract: the store's `values()` when
 * it has one, otherwise each cell's winning message (its `hlc` from `winners()`, its value
 * from `messages({ kind: 'cell' })`). Used for what the library reports (the values a pull
 * replaced, device names), never while merging.
 */
import { cellKey } from './message.ts';
import type { Cell, CellValue, SyncStore } from './store.ts';

export async function readCells(store: SyncStore, cells: readonly Cell[]): Promise<ReadonlyMap<string, CellValue>> {
  if (cells.length === 0) return new Map();
  // Read with `get` only: a store's map-like has no more than the guard asks of it (store-guard.ts).
  if (store.values) return store.values(cells);
  const winners = await store.winners(cells);
  const out = new Map<string, CellValue>();
  for (const c of cells) {
    const key = cellKey(c.table, c.row, c.column);
    const hlc = winners.get(key);
    if (hlc === undefined || out.has(key)) continue;
    const found = (await store.messages({ kind: 'cell', table: c.table, row: c.row, column: c.column })).find((m) => m.hlc === hlc);
    if (found) out.set(key, { value: found.value, hlc });
  }
  return out;
}
