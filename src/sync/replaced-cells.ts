/**
 * The `replaced` event's cells (docs/api.md): the cells a pulled page's writes replace, with
 * their values before and after, and the report of those that still hold the pulled value
 * once the page is committed. Read only while someone listens.
 */
import { readCells } from './cell-values.ts';
import { cellKey } from './message.ts';
import type { planMerge } from './merge.ts';
import type { Cell, CellValue, SyncStore } from './store.ts';
import type { SyncRunContext } from './sync-run.ts';

/** A cell whose value a pulled message replaced: what it held, and what it holds now. */
export interface ReplacedCell extends Cell {
  readonly previous: CellValue;
  readonly next: CellValue;
}

/**
 * Reports the replaced cells that hold the pulled value after the commit. Another connection
 * to the store (a second process) may have written a cell again between the merge's read and
 * its commit; the store then kept that newer write (docs/api.md, `transact`), and the pulled
 * value never showed: naming it as what the cell holds would be false. One read of the
 * reported cells' winners, only while someone listens.
 */
export async function reportReplaced(ctx: SyncRunContext, replaced: readonly ReplacedCell[]): Promise<void> {
  const held = await ctx.store.winners(replaced);
  const still = replaced.filter((c) => held.get(cellKey(c.table, c.row, c.column)) === c.next.hlc);
  if (still.length > 0) ctx.onReplaced(still);
}

/** The cells a merge's writes replace (those that had a winner), with their values before and after. */
export async function replacedCells(store: SyncStore, writes: ReturnType<typeof planMerge>['writes'], winners: ReadonlyMap<string, string>): Promise<ReplacedCell[]> {
  // `get`, not `has`: a store's map-like has what the guard asks of it only (store-guard.ts).
  const replacing = writes.filter((w) => w.hlc !== null && winners.get(cellKey(w.table, w.row, w.column)) !== undefined);
  if (replacing.length === 0) return [];
  const before = await readCells(store, replacing);
  const out: ReplacedCell[] = [];
  for (const w of replacing) {
    const previous = before.get(cellKey(w.table, w.row, w.column));
    if (previous) out.push({ table: w.table, row: w.row, column: w.column, previous, next: { value: w.value, hlc: w.hlc as string } });
  }
  return out;
}
