/**
 * Structural sharing for re-read rows: a row equal to the one already held keeps the held
 * object, and an unchanged list keeps the held array. A memoised row (TodoRow) compares its
 * props by identity, so after a toggle, a rename or a remote change only the rows that
 * changed re-render, not the thousands around them.
 */
import type { AnyRow } from '../../../shared/app-api.ts';
import type { JsonValue } from 'fieldsync';

const sameValue = (a: JsonValue | undefined, b: JsonValue | undefined): boolean =>
  a === b || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && JSON.stringify(a) === JSON.stringify(b));

/** Same id and same values: the held object can stay. */
export function sameRow(a: AnyRow, b: AnyRow): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => sameValue(a[k], b[k]));
}

/** `next`, with every row equal to a row of `held` (by id and content) replaced by that row. */
export function shareRows(held: readonly AnyRow[], next: AnyRow[]): AnyRow[] {
  if (held.length === 0) return next;
  const byId = new Map(held.map((r) => [r.id, r]));
  let changed = held.length !== next.length;
  const out = next.map((row, i) => {
    const old = byId.get(row.id);
    const kept = old !== undefined && sameRow(old, row) ? old : row;
    if (kept !== held[i]) changed = true;
    return kept;
  });
  return changed ? out : (held as AnyRow[]);
}
