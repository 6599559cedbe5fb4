/**
 * Order within a list, as fractional index keys: an item sorts by `order`, then by `id`, so
 * moving one item writes one cell (a key between its new neighbours) instead of renumbering
 * the list, and concurrent moves on two devices merge like any other field.
 *
 * Two devices can still produce equal keys, and another client may write keys this library
 * does not understand; then there is no key strictly between the neighbours, and the list
 * is renumbered instead (one write per item whose key changes).
 */
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import type { Ordered } from '../../shared/row-order.ts';

// Sorting is shared with the renderer, which places a re-read row itself.
export { byOrder, type Ordered } from '../../shared/row-order.ts';

export interface OrderWrite {
  readonly id: string;
  readonly order: string;
}

/**
 * A key strictly between `before` and `after` (null: that end of the list) of at most
 * `maxLength` characters, or null: equal or foreign keys around the gap, or no key short
 * enough, where the list is renumbered instead.
 */
export function keyBetween(before: string | null, after: string | null, maxLength: number): string | null {
  try {
    const key = generateKeyBetween(before, after);
    return key.length <= maxLength ? key : null;
  } catch {
    return null;
  }
}

/**
 * The order writes that put `id` at position `toIndex` (clamped to the ends) among `items`,
 * which are sorted by `byOrder`. `id` may be among them (a move) or not (a new item).
 * An item already at that position needs no write.
 */
export function placeAt(items: readonly Ordered[], id: string, toIndex: number, maxLength: number): OrderWrite[] {
  const others = items.filter((i) => i.id !== id);
  const at = Math.max(0, Math.min(Math.trunc(toIndex), others.length));
  const current = items.findIndex((i) => i.id === id);
  if (current !== -1 && current === at) return [];
  const before = others[at - 1]?.order ?? null;
  const after = others[at]?.order ?? null;
  const key = keyBetween(before, after, maxLength);
  if (key !== null) return [{ id, order: key }];
  const ids = others.map((o) => o.id);
  ids.splice(at, 0, id);
  const keys = generateNKeysBetween(null, null, ids.length);
  const old = new Map(items.map((i) => [i.id, i.order]));
  return ids.map((rowId, i) => ({ id: rowId, order: keys[i] as string })).filter((w) => old.get(w.id) !== w.order);
}
