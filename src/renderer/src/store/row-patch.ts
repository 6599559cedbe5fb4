/**
 * Puts re-read rows into a list held on screen, without reading the list again: after a
 * toggle in a list of 10,000 todos the renderer reads one row, not the 10,000 (1.2 MB of
 * JSON, parsed and compared row by row). The list is sorted as the core sorts it
 * (shared/row-order.ts), so a row whose order changed (a move, here or elsewhere) lands
 * where a whole re-read would have put it.
 *
 * Structural sharing as share-rows.ts: a row equal to the one held keeps the held object,
 * and a list where nothing changed keeps its array, so memoised rows do not re-render.
 */
import type { AnyRow } from '../../../shared/app-api.ts';
import { sameRow } from './share-rows.ts';

export type Compare = (a: AnyRow, b: AnyRow) => number;

/** `rows` with row `id` replaced by `row` in its sorted place, or removed (`row` null). */
export function placeRow(rows: readonly AnyRow[], id: string, row: AnyRow | null, compare: Compare): readonly AnyRow[] {
  const at = rows.findIndex((r) => r.id === id);
  if (row === null) return at === -1 ? rows : rows.filter((_, i) => i !== at);
  const old = rows[at];
  if (old !== undefined && sameRow(old, row)) return rows;
  const out = rows.slice();
  // Still between its neighbours (a rename, a toggle): it keeps its place.
  const before = out[at - 1];
  const after = out[at + 1];
  if (at !== -1 && (before === undefined || compare(before, row) <= 0) && (after === undefined || compare(row, after) <= 0)) {
    out[at] = row;
    return out;
  }
  if (at !== -1) out.splice(at, 1);
  // After every row that sorts before it or equal (binary search: the list is sorted).
  let lo = 0;
  let hi = out.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(out[mid] as AnyRow, row) <= 0) lo = mid + 1;
    else hi = mid;
  }
  out.splice(lo, 0, row);
  return out;
}

/** `placeRow` for each change in turn. */
export function patchRows(rows: readonly AnyRow[], changes: Iterable<readonly [string, AnyRow | null]>, compare: Compare): readonly AnyRow[] {
  let out = rows;
  for (const [id, row] of changes) out = placeRow(out, id, row, compare);
  return out;
}
