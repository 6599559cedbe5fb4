/**
 * Store calls that never settle. A custom store's call may hang for good (an IndexedDB upgrade
 * blocked by another tab, a database locked by another process, a driver that lost its
 * callback): writes then queue behind it and syncs wait for it, silently. Each asynchronous
 * store call gets one timer: past `ms`, the call is reported stalled (the client's status
 * shows a StoreStalledError), and reported again when it settles. Nothing polls.
 *
 * The two waits that have no status to show it, opening (inside createSyncClient) and
 * close(), give up instead (`bound`): they reject with the StoreStalledError. The stalled
 * call is not abandoned (it cannot be: a commit may still land, whole or not at all), but
 * nothing after it is started: every later store call of the client is refused (store-guard.ts),
 * and the next client on the same store object waits until it has settled (`leftOver`), so
 * that a late commit cannot land over what that client read, or stamp an hlc it stamps too.
 */
import { StoreStalledError } from './errors.ts';

export interface StallWatch {
  /** Watches `call`, a store call just started (`what`: `commit()`, `messages(pending)`), until it settles. */
  watch(what: string, call: Promise<unknown>): void;
  /** The oldest stall of the calls still outstanding, or null. */
  stalled(): StoreStalledError | null;
  /** True once `bound` gave up: every store call is refused from then on. */
  shut: boolean;
  /** `p`, unless a call stalls (or has) first: then it rejects with that stall, and shuts. */
  bound<T>(p: T | Promise<T>): Promise<T>;
  /** Resolves once every call under way has settled. */
  idle(): Promise<unknown>;
  /** Resolves once what an earlier client on this store gave up waiting for has settled (watched as a call). */
  leftOver(): Promise<unknown>;
}

/** By store object: the call an earlier client gave up on, and when its calls have all settled. */
const gaveUp = new WeakMap<object, readonly [string, Promise<unknown>]>();

/** `onChange` runs when a call stalls and when a stalled call settles. */
export function createStallWatch(ms: number, onChange: () => void, store: object): StallWatch {
  const stalled = new Set<StoreStalledError>();
  const calls = new Set<Promise<void>>();
  let giveUp: ((err: StoreStalledError) => void) | null = null;
  const self: StallWatch = {
    shut: false,
    watch(what, call) {
      let mine: StoreStalledError | undefined;
      const timer = setTimeout(() => {
        stalled.add((mine = new StoreStalledError(what, ms)));
        giveUp?.(mine);
        onChange();
      }, ms);
      // A stalled call is no reason to keep a process alive (Node; browsers' timers are numbers).
      (timer as { unref?: () => void }).unref?.();
      const settled = (): void => {
        clearTimeout(timer);
        calls.delete(done);
        if (mine && stalled.delete(mine)) onChange();
      };
      const done = call.then(settled, settled);
      calls.add(done);
    },
    stalled: () => stalled.values().next().value ?? null,
    bound: (p) => new Promise((resolve, reject) => {
      giveUp = (err) => {
        giveUp = null;
        self.shut = true;
        gaveUp.set(store, [err.call, self.idle()]);
        reject(err);
      };
      const now = self.stalled();
      if (now) giveUp(now);
      // Settled, it gives up no more (a timer cannot fire between this and `finally`).
      Promise.resolve(p).then(resolve, reject).finally(() => (giveUp = null));
    }),
    idle: () => Promise.all(calls),
    leftOver() {
      const left = gaveUp.get(store);
      if (left) self.watch(...left);
      return Promise.resolve(left?.[1]);
    },
  };
  return self;
}
