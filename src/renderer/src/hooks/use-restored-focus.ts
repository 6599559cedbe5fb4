/**
 * After an Undo (or a deleted edit's Restore) the row comes back where it was: the focus goes
 * to it, where a sighted user looks, and a screen reader says its name, so the user hears
 * that it is back. Without this the focus stayed on the neighbour the delete had sent it to.
 * Only when the row shows in this list (not under a filter that hides it, nor in a list no
 * longer open) and the focus is in the list or lost (`focusIfHere` in use-row-keys.ts).
 */
import { useEffect, useRef } from 'react';
import { useAppStore } from '../store/store-context.ts';

export function useRestoredFocus(table: string, ids: readonly string[], focusIfHere: (id: string) => void): void {
  const restored = useAppStore((s) => s.restored);
  // Once per restore: a row that shows later (a filter changed) does not take the focus then.
  const handled = useRef(restored?.seq ?? 0);
  useEffect(() => {
    if (restored === null || restored.seq === handled.current) return;
    handled.current = restored.seq;
    if (restored.table === table && ids.includes(restored.id)) focusIfHere(restored.id);
  }, [restored, table, ids, focusIfHere]);
}
