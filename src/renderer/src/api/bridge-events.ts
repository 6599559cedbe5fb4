/**
 * The bridge's events (ws-bridge.ts) to the page's listeners: the host's pushed events and
 * the bridge's own (reconnecting, refresh after a reconnection, the host gone), the newest
 * sync status seen (what the sync panel shows while the socket is down), and why the page
 * stopped for good, for a listener that comes later. Separate from the connection's life,
 * which only says what happened.
 */
import type { AppEvent, SyncView } from '../../../shared/app-api.ts';

export function createBridgeEvents() {
  const listeners = new Set<(event: AppEvent) => void>();
  /** The newest sync status seen, to say "reconnecting" in the sync panel while the socket is down. */
  let lastSync: SyncView | null = null;
  /** Why the page stopped for good, for listeners that come later (see onEvent). */
  let gone: AppEvent | null = null;

  const emit = (event: AppEvent): void => {
    if (event.type === 'sync') lastSync = event.sync;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (err) {
        console.error('fieldsync: an event listener failed', err);
      }
    }
  };

  return {
    emit,
    lastSync: (): SyncView | null => lastSync,
    /** A `syncStatus` call's answer: the newest status, though no event carried it. */
    syncSeen(sync: SyncView): void {
      lastSync = sync;
    },
    /** The page stopped for good: every listener learns why, now or when it comes. */
    stopped(event: AppEvent): void {
      gone = event;
      emit(event);
    },
    onEvent(listener: (event: AppEvent) => void): () => void {
      listeners.add(listener);
      // A page opened without a session stops as its socket opens, which may be before the UI
      // listens: it still learns why (the banner), not only "Something went wrong".
      const why = gone;
      if (why) queueMicrotask(() => listeners.has(listener) && listener(why));
      return () => void listeners.delete(listener);
    },
  };
}
