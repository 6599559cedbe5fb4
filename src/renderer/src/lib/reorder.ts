/** Index arithmetic shared by keyboard moves, move buttons and drag-and-drop. */

/** The gap (0..n) the pointer is over: before the first row whose middle lies below it. */
export function gapAt(y: number, middles: readonly number[]): number {
  let gap = 0;
  while (gap < middles.length && (middles[gap] as number) < y) gap++;
  return gap;
}

/** The index an item ends up at when dropped into `gap` (its own place counts once). */
export function indexForGap(from: number, gap: number): number {
  return gap > from ? gap - 1 : gap;
}

/**
 * The API moves an item to an index among all items, but a filtered view shows only some.
 * Moving to visible index `to` means taking the place of the item shown there now, which is
 * that item's index in the full list, whichever direction the move goes.
 */
export function toFullIndex(all: readonly string[], visible: readonly string[], id: string, to: number): number {
  const neighbour = visible[to];
  return all.indexOf(neighbour === undefined ? id : neighbour);
}
