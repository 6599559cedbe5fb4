/**
 * Keyboard model shared by the sidebar's lists, the todo rows and the inspector's messages.
 * Each list is one tab stop
 * (a roving tabindex); inside it:
 *   ArrowUp/ArrowDown, Home/End   move focus between rows
 *   Alt+ArrowUp/Alt+ArrowDown     move the row itself
 *   Enter or F2                   rename            Delete or Backspace   delete
 *   Space                         the row's own action (toggle a todo)
 * Keys only count when the row itself has focus, never while typing in one of its inputs.
 *
 * A windowed list (use-list-window.ts) renders only some rows: a row the focus goes to may
 * not be in the DOM yet. It gets the tab stop at once (the list keeps that row rendered), takes
 * the focus when it mounts, and `reveal` scrolls it into view.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { focusLost, focusParked } from '../lib/focus-lost.ts';
import { isTextEntry } from '../lib/text-entry.ts';
import { useStableHandlers } from './use-stable-handlers.ts';

/** A row's focus and key handlers (`useRowKeys().handlers`), the same on every render. */
export interface RowKeyHandlers {
  register(id: string, el: HTMLElement | null): void;
  focus(id: string): void;
  keyDown(id: string, event: KeyboardEvent<HTMLElement>): void;
}

/** A list whose rows cannot be moved, renamed or deleted (the inspector's messages) leaves those out. */
export interface RowKeyActions {
  move?(id: string, delta: -1 | 1): void;
  rename?(id: string): void;
  remove?(id: string): void;
  activate?(id: string): void;
  /** Bring a row that takes the focus into view (a windowed list, which may not render it yet). */
  reveal?(id: string): void;
}

/** `preferredId` is the row that takes the tab stop before any row has had focus. */
export function useRowKeys(ids: readonly string[], actions: RowKeyActions, preferredId: string | null = null) {
  const [activeId, setActiveId] = useState<string | null>(null);
  const rows = useRef(new Map<string, HTMLElement>());
  // A row to focus once the list has re-rendered: a moved row's element may have been
  // re-inserted (which drops focus), and a deleted row's focus goes to its neighbour.
  const pendingFocus = useRef<string | null>(null);
  const current =
    activeId !== null && ids.includes(activeId) ? activeId : preferredId !== null && ids.includes(preferredId) ? preferredId : (ids[0] ?? null);
  const idsKey = ids.join('\n');
  // The rows as last rendered, and the row that had the focus (or an input in it): when that
  // row goes (deleted on another device, its rename open), its neighbour takes the focus
  // rather than the page.
  const before = useRef({ ids, activeId });
  const later = useStableHandlers({
    reveal: (id: string) => actions.reveal?.(id),
    // With `reveal` the list scrolls the row into view itself: the browser's own scroll to a
    // focused row, placed where the list first estimated it, would cut that scroll short.
    focus: (el: HTMLElement) => el.focus(actions.reveal ? { preventScroll: true } : undefined),
  });

  const focusRow = useCallback(
    (id: string) => {
      setActiveId(id);
      pendingFocus.current = id;
      const el = rows.current.get(id);
      if (el) later.focus(el);
      later.reveal(id);
    },
    [later],
  );

  useEffect(() => {
    const id = pendingFocus.current;
    const el = id === null ? undefined : rows.current.get(id);
    const active = document.activeElement;
    const lost = focusParked();
    if (!el) {
      const { ids: previous, activeId: had } = before.current;
      const at = had === null ? -1 : previous.indexOf(had);
      // The next row that is still there, rendered or not (a windowed list renders few).
      const left = new Set(ids);
      const next = previous.slice(at + 1).find((i) => left.has(i)) ?? previous.slice(0, Math.max(at, 0)).reverse().find((i) => left.has(i));
      if (at === -1 || left.has(had as string) || next === undefined) return;
      // Focus elsewhere (a toast the user went to from that row) stays there, but the tab
      // stop goes to the neighbour: what the focus comes back to (use-toast-focus.ts).
      if (lost) focusRow(next);
      else setActiveId(next);
      return;
    }
    pendingFocus.current = null;
    if (lost || [...rows.current.values()].includes(active as HTMLElement)) {
      later.focus(el);
      later.reveal(id as string);
    }
    // Only when the rows change; `ids` is read as it is then.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [idsKey]);
  // After the effect above, which reads the previous render's.
  useEffect(() => {
    before.current = { ids, activeId };
  });

  /**
   * A row came back (an Undo): the focus goes to it if it is in this list, or fell to the
   * page (the toast it was in has gone), and is not in a text field (a rename in a row).
   * Elsewhere (typing a new entry, the sync column) the user is busy: it stays there.
   */
  const focusIfHere = useCallback(
    (id: string) => {
      const active = document.activeElement;
      const inList = active !== null && !isTextEntry(active) && [...rows.current.values()].some((row) => row.contains(active));
      if (focusParked() || inList) focusRow(id);
    },
    [focusRow],
  );

  /** After an inline edit: back to the row, unless the user has clicked somewhere else. */
  const refocusRow = useCallback(
    (id: string) => {
      const active = document.activeElement;
      const row = rows.current.get(id);
      if (focusLost() || (active && row?.contains(active))) focusRow(id);
    },
    [focusRow],
  );

  const rowRef = useCallback(
    (id: string) => (el: HTMLElement | null) => {
      if (!el) {
        rows.current.delete(id);
        return;
      }
      rows.current.set(id, el);
      // The row the focus was sent to has just mounted (a windowed list renders it once it is
      // the tab stop): it takes the focus, unless the user has put the focus elsewhere.
      if (pendingFocus.current === id && (focusParked() || [...rows.current.values()].includes(document.activeElement as HTMLElement))) {
        pendingFocus.current = null;
        later.focus(el);
      }
    },
    [later],
  );

  const onKeyDown = (id: string, event: KeyboardEvent<HTMLElement>) => {
    if (event.target !== event.currentTarget) return;
    const index = ids.indexOf(id);
    const go = (to: number) => {
      const target = ids[Math.max(0, Math.min(ids.length - 1, to))];
      if (target !== undefined) focusRow(target);
    };
    let handled = true;
    if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown') && actions.move) {
      const delta = event.key === 'ArrowUp' ? -1 : 1;
      if (ids[index + delta] !== undefined) {
        pendingFocus.current = id;
        actions.move(id, delta);
      }
    } else if (event.key === 'ArrowUp') go(index - 1);
    else if (event.key === 'ArrowDown') go(index + 1);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(ids.length - 1);
    else if ((event.key === 'Enter' || event.key === 'F2') && actions.rename) actions.rename(id);
    else if ((event.key === 'Delete' || event.key === 'Backspace') && actions.remove) {
      pendingFocus.current = ids[index + 1] ?? ids[index - 1] ?? null;
      actions.remove(id);
    } else if (event.key === ' ' && actions.activate) actions.activate(id);
    else handled = false;
    if (handled) event.preventDefault();
  };

  // The same as rowProps, for a memoised row: stable functions that take the row's id.
  const handlers = useStableHandlers({
    register: (id: string, el: HTMLElement | null) => rowRef(id)(el),
    focus: (id: string) => {
      // The user focused another row: a focus still waiting for its row is dropped.
      if (pendingFocus.current !== id) pendingFocus.current = null;
      setActiveId(id);
    },
    keyDown: onKeyDown,
  });

  return {
    activeId: current,
    focusRow,
    refocusRow,
    focusIfHere,
    handlers,
    rowProps: (id: string) => ({
      ref: rowRef(id),
      tabIndex: id === current ? 0 : -1,
      onFocus: () => setActiveId(id),
      onKeyDown: (event: KeyboardEvent<HTMLElement>) => onKeyDown(id, event),
    }),
  };
}
