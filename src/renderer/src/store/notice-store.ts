/** Toasts: errors that have no input to sit next to, and "Deleted … Undo" offers. */
import type { SyncView } from '../../../shared/app-api.ts';
import { HOST_GONE_CODE } from '../lib/sync-label.ts';
import type { Message } from '../lib/display-text.ts';
import type { NoticeSlice, SliceContext, Toast } from './app-state.ts';
import { errorMessage } from './errors.ts';

/** Older toasts give way: a burst of failures must not cover the window. */
const MAX_TOASTS = 4;

export function createNoticeSlice({ set, get }: SliceContext): NoticeSlice {
  let nextId = 1;
  return {
    toasts: [],
    stoppedRepeats: 0,

    sayStoppedAgain() {
      set((s) => ({ stoppedRepeats: s.stoppedRepeats + 1 }));
    },

    reportError(error) {
      const message = errorMessage(error);
      // Every call fails the same way once the page has stopped for good: the banner says it.
      if (saidByBanner(message, get().sync)) return;
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

/**
 * Whether an error toast's words are the banner's (HostLostBanner): the page stopped for good,
 * and every call it had waiting, or makes after, fails with the reason the banner gives.
 */
export function saidByBanner(message: Message, sync: SyncView | null): boolean {
  const gone = sync?.error?.code === HOST_GONE_CODE ? sync.error.message : null;
  return gone !== null && typeof message === 'string' && message.endsWith(gone);
}
