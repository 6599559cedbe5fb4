/**
 * Windowing for a long list of rows (TanStack Virtual): only the rows in view, plus a few
 * either side, are in the DOM. A list of 10,000 todos rendered every row (200,000 DOM nodes, an
 * 11 s first paint, audit-big 1); windowed, it renders a few dozen whatever its length.
 *
 * The list scrolls with the pane around it (`scrollRef`), below the pane's header: rows are
 * placed absolutely inside the list element, whose height is the whole list's. Rows are
 * measured as they render (a long title wraps), so every place is exact once seen.
 *
 * `keep` names rows that stay rendered wherever the view is: the row with the keyboard focus
 * or the tab stop (unmounting it would drop the focus to the page, and Tab into the list must
 * find it), the row being renamed (its input holds unsaved text) and the row being dragged.
 */
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useState, type RefObject } from 'react';

/** A row's height before it is measured: a one-line title (rows.css min-height, padding, border). */
const ESTIMATE_PX = 46;
/** Rows rendered past each edge of the view: what a fast wheel or PageDown shows before the next render. */
const OVERSCAN = 8;
/** The space between rows (was the list's grid gap). */
const GAP_PX = 2;

interface Options {
  readonly ids: readonly string[];
  /** The element that scrolls (the pane); the list is somewhere in its content. */
  readonly scrollRef: RefObject<HTMLElement | null>;
  /** The list element the rows are placed in. */
  readonly listRef: RefObject<HTMLElement | null>;
  /** Indexes always rendered (see above); -1 is ignored. */
  readonly keep: readonly number[];
}

export function useListWindow({ ids, scrollRef, listRef, keep }: Options) {
  // Where the list starts in the pane's scrolled content: below the heading, New todo (whose
  // error line comes and goes) and the filter tabs. Measured again whenever one of them resizes.
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const pane = scrollRef.current;
    const list = listRef.current;
    if (!pane || !list) return;
    const measure = () => setMargin(Math.round(list.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop));
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    for (let el: HTMLElement | null = list; el && el !== pane; el = el.parentElement) {
      for (let before = el.previousElementSibling; before; before = before.previousElementSibling) observer.observe(before);
    }
    return () => observer.disconnect();
  }, [scrollRef, listRef]);

  const keepKey = [...new Set(keep.filter((i) => i >= 0))].join(',');
  const rangeExtractor = useCallback(
    (range: Range) => {
      const shown = defaultRangeExtractor(range);
      const extra = keepKey === '' ? [] : keepKey.split(',').map(Number).filter((i) => i < range.count && !shown.includes(i));
      return extra.length === 0 ? shown : [...shown, ...extra].sort((a, b) => a - b);
    },
    [keepKey],
  );
  // Measurements follow a row by its id, not its place: a move or a delete keeps them.
  const getItemKey = useCallback((index: number) => ids[index] ?? index, [ids]);

  // The React Compiler lint warns that this library's functions cannot be memoised: nothing
  // here is (the project does not use the compiler), and what rows receive (`measure`) is a
  // method bound once per virtualizer.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATE_PX,
    overscan: OVERSCAN,
    gap: GAP_PX,
    scrollMargin: margin,
    getItemKey,
    rangeExtractor,
  });

  return {
    rows: virtualizer.getVirtualItems(),
    /** The whole list's height, rendered or not. */
    height: virtualizer.getTotalSize(),
    /** Where rows are placed: a row's `start` is in the pane's content, the list starts at `margin`. */
    margin,
    /** Ref for each row element (it must carry `data-index`): measures it, and again when it resizes. */
    measure: virtualizer.measureElement,
    /** Scrolls the pane just enough for row `index` to be in view (nothing when it is). */
    reveal: (index: number) => {
      if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
    },
  };
}
