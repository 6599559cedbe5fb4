/** Toasts: errors that have no input to sit next to, and "Deleted … Undo" offers. */
import type { NoticeSlice, SliceContext, Toast } from './app-state.ts';
import { errorMessage } from './errors.ts';

/** Older toasts give way: a burst of failures must not cover the window. */
const MAX_TOASTS = 4;

export function createNoticeSlice({ set, get }: SliceContext): NoticeSlice {
  let nextId = 1;
  return {
    toasts: [],

    reportError(error) {
      const message = errorMessage(error);
      if (get().toasts.some((t) => t.kind === 'error' && t.message === message)) return;
      get().notify({ kind: 'error', message });
    },

    notify(toast) {
      const others = (s: { toasts: readonly Toast[] }) => (toast.key === undefined ? s.toasts : s.toasts.filter((t) => t.key !== toast.key));
      set((s) => ({ toasts: [...others(s), { ...toast, id: nextId++ }].slice(-MAX_TOASTS) }));
    },

    dismissToast(id) {
      set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
    },
  };
}
