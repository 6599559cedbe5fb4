/**
 * Pointer drag-and-drop for a vertical list. A row's grip starts the drag; the row follows
 * the pointer, a line shows where it will land, and dropping calls `onDrop(id, toIndex)`.
 * Escape cancels. Keyboard users have Alt+Arrow and the move buttons instead.
 *
 * Places are indexes in the whole list. A windowed list renders only some rows: each row
 * then says its index in `data-index`, and the gaps between rendered rows map to those.
 */
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { gapAt, indexForGap } from '../lib/reorder.ts';
import { useStableHandlers } from './use-stable-handlers.ts';

interface Drag {
  readonly id: string;
  readonly from: number;
  readonly gap: number;
  readonly dy: number;
}

/** A grip's pointer handlers (`useDragReorder().grip`), the same on every render. */
export type GripHandlers = ReturnType<typeof useDragReorder>['grip'];

export function useDragReorder(onDrop: (id: string, toIndex: number) => void) {
  const [drag, setDrag] = useState<Drag | null>(null);
  const session = useRef<{ startY: number; middles: number[]; indexes: number[] } | null>(null);
  const dragging = drag !== null;

  useEffect(() => {
    if (!dragging) return;
    const cancel = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      session.current = null;
      setDrag(null);
    };
    window.addEventListener('keydown', cancel);
    return () => window.removeEventListener('keydown', cancel);
  }, [dragging]);

  const grip = useStableHandlers({
    /** `index` omitted: the row's place among its siblings, as the DOM has it. */
    down(id: string, event: PointerEvent<HTMLElement>, index?: number) {
      if (event.button !== 0) return;
      const row = event.currentTarget.closest('[data-reorder-row]');
      const rows = row?.parentElement ? [...row.parentElement.querySelectorAll<HTMLElement>(':scope > [data-reorder-row]')] : [];
      // Each rendered row's index in the list: its data-index, else its place in the DOM.
      const indexes = rows.map((r, i) => (r.dataset.index === undefined ? i : Number(r.dataset.index)));
      const at = row ? rows.indexOf(row as HTMLElement) : -1;
      const from = index ?? (at === -1 ? -1 : (indexes[at] as number));
      if (from === -1) return;
      session.current = {
        startY: event.clientY,
        indexes,
        middles: rows.map((r) => {
          const box = r.getBoundingClientRect();
          return box.top + box.height / 2;
        }),
      };
      event.currentTarget.setPointerCapture?.(event.pointerId);
      event.preventDefault();
      setDrag({ id, from, gap: from, dy: 0 });
    },
    move(event: PointerEvent<HTMLElement>) {
      const s = session.current;
      if (!s) return;
      // The gap before rendered row g is the gap before that row's index; past the last, after it.
      const g = gapAt(event.clientY, s.middles);
      const gap = g < s.indexes.length ? (s.indexes[g] as number) : (s.indexes[s.indexes.length - 1] ?? -1) + 1;
      setDrag((d) => d && { ...d, gap, dy: event.clientY - s.startY });
    },
    up() {
      if (!session.current || !drag) return;
      session.current = null;
      setDrag(null);
      const to = indexForGap(drag.from, drag.gap);
      if (to !== drag.from) onDrop(drag.id, to);
    },
    cancel() {
      session.current = null;
      setDrag(null);
    },
  });

  const gripProps = (id: string, index: number) => ({
    onPointerDown: (event: PointerEvent<HTMLElement>) => grip.down(id, event, index),
    onPointerMove: grip.move,
    onPointerUp: grip.up,
    onPointerCancel: grip.cancel,
  });

  /** Where the drop line shows: before row `gap`, or after the last row. */
  const dropGap = drag && indexForGap(drag.from, drag.gap) !== drag.from ? drag.gap : null;
  return { drag, dropGap, gripProps, grip };
}
