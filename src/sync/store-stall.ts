/**
 * Store calls that never settle. A custom store's call may hang for good (an IndexedDB upgrade
 * blocked by another tab, a database locked by another process, a driver that lost its
 * callback): writes then queue behind it and syncs wait for it, silently. Each asynchronous
 * store call gets one timer: past `ms`, the call is reported stalled (the client's status
 * shows a StoreStalledError), and reported again when it settles. Not a timeout: the call is
 * neither abandoned nor failed (a commit may still land), and nothing polls.
 */
import { StoreStalledError } from './errors.ts';

export interface StallWatch {
  /** Watches `call`, a store call just started (`what`: `commit()`, `messages(pending)`), until it settles. */
  watch(what: string, call: Promise<unknown>): void;
  /** The oldest stall of the calls still outstanding, or null. */
  stalled(): StoreStalledError | null;
}

/** `onChange` runs when a call stalls and when a stalled call settles. */
export function createStallWatch(ms: number, onChange: () => void): StallWatch {
  const stalled = new Set<StoreStalledError>();
  return {
    watch(what, call) {
      let mine: StoreStalledError | undefined;
      const timer = setTimeout(() => {
        stalled.add((mine = new StoreStalledError(what, ms)));
        onChange();
      }, ms);
      // A stalled call is no reason to keep a process alive (Node; browsers' timers are numbers).
      (timer as { unref?: () => void }).unref?.();
      const settled = (): void => {
        clearTimeout(timer);
        if (mine && stalled.delete(mine)) onChange();
      };
      call.then(settled, settled);
    },
    stalled: () => stalled.values().next().value ?? null,
  };
}
