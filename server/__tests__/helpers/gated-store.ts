/**
 * A memory store whose large pushes (more than 10 messages) wait at a gate the test opens, and
 * which counts the pushes that reached it: to hold large pushes in the store while the test
 * watches what the server does with everything else.
 */
import { createMemoryServerStore, type ServerStore } from 'fieldsync/server';

export interface GatedStore {
  readonly store: ServerStore;
  /** Pushes that reached the store, waiting or not. */
  reached(): number;
  /** Lets every waiting push, and every later one, through. */
  open(): void;
}

export function gatedStore(): GatedStore {
  const inner = createMemoryServerStore();
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => (open = r));
  let reached = 0;
  return {
    store: {
      async push(user, messages) {
        reached++;
        if (messages.length > 10) await gate;
        return inner.push(user, messages);
      },
      pull: (user, options) => inner.pull(user, options),
      renewEpoch: (user, current) => inner.renewEpoch(user, current),
    },
    reached: () => reached,
    open: () => open(),
  };
}
