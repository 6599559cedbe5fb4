/**
 * In a browser, the page's own news for the scheduler (sync-scheduler.ts): the network is back
 * ('online': sync now, even with a retry due, which after a minute offline was up to 30 s
 * away, and the page's `setOnline(true)` did nothing, since the client never went offline by
 * it), and a hidden tab is shown again ('visibilitychange': a hidden tab's timers are
 * throttled; a sync unless a retry is due). Runtimes without page events (Node) have no
 * `addEventListener` on globalThis.
 */
type PageEvents = (type: string, listener: () => void) => void;

/** Starts (`on`) or stops listening: the same two listeners both times, or they stay. */
export function listenToPage(on: boolean, onNetworkBack: () => void, onShown: () => void): void {
  const page = globalThis as { addEventListener?: PageEvents; removeEventListener?: PageEvents };
  const method = on ? page.addEventListener : page.removeEventListener;
  if (typeof method !== 'function') return;
  method.call(globalThis, 'online', onNetworkBack);
  method.call(globalThis, 'visibilitychange', onShown);
}
