/**
 * Where the focus goes when a toast that held it goes: its Undo, Restore or Dismiss closed it,
 * Escape did, or a newer toast pushed it out. Without this it fell to <body>: a screen reader
 * went to the top of the page, and the next Tab started over from the skip link. It goes to
 * the toast that took its place (or the one before), else back to where it was before the
 * user went to the toasts, else (that is gone too) to the main pane's list or heading
 * (`focusMainPane`).
 */
import { useEffect, useRef, type RefObject } from 'react';
import { focusLost, focusMainPane } from '../lib/focus-lost.ts';

export function useToastFocus(container: RefObject<HTMLElement | null>, toasts: readonly unknown[]): void {
  // Where the focus last went, as focusin says: an element removed with the focus in it
  // fires no focusin, so `inside` still holds after its toast has gone.
  const inside = useRef(false);
  const before = useRef<HTMLElement | null>(null);
  const index = useRef(-1);
  useEffect(() => {
    const onFocusIn = (event: FocusEvent) => {
      const target = event.target as HTMLElement;
      const box = container.current;
      inside.current = box?.contains(target) ?? false;
      if (!inside.current) before.current = target;
      else index.current = [...(box?.children ?? [])].findIndex((toast) => toast.contains(target));
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, [container]);

  useEffect(() => {
    if (!inside.current || !focusLost()) return;
    const left = [...(container.current?.children ?? [])];
    const next = left[Math.min(index.current, left.length - 1)]?.querySelector<HTMLElement>('button');
    if (next) next.focus();
    else if (before.current?.isConnected) before.current.focus();
    else focusMainPane();
  }, [container, toasts]);
}
