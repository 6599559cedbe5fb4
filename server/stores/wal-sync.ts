/**
 * Durability for the SQLite store's answers without holding its one writer in fsync (issue
 * 12, ingest). With `synchronous = FULL`, every commit waits for the WAL to reach the disk
 * in the writer's own thread: a millisecond or more per round in which it stores nothing.
 * Instead the store commits with `synchronous = NORMAL` (the WAL is written, not synced) and
 * this syncs the WAL file from libuv's thread pool after each commit, while the writer goes
 * on with the next round. An answer leaves the store's thread only once everything committed
 * before it was computed is on disk (`durable()`): a push is acknowledged only when stored
 * durably, and no answer shows a message that a power loss could still take back.
 *
 * One sync covers every commit made before it started, so commits that arrive while a sync
 * runs share the next one (a second group commit, for the disk). A failed sync fails every
 * answer waiting and every later one: after a failed fsync the kernel may have dropped the
 * pages it could not write, and a later fsync that succeeds would say nothing about them.
 */

export interface WalSync {
  /** A write transaction has committed (its pages are in the WAL, maybe not yet on disk). */
  committed(): void;
  /** Resolves once every commit made so far is on disk; rejects if that cannot be known. */
  durable(): Promise<void>;
}

/** `sync(done)` makes everything written to the WAL so far durable, then calls `done`. */
export function createWalSync(sync: (done: (err: Error | null) => void) => void): WalSync {
  let committed = 0;
  let durableUpTo = 0;
  let syncing = false;
  let failed: Error | null = null;
  const waiting: { readonly upTo: number; resolve(): void; reject(err: Error): void }[] = [];

  const start = (): void => {
    if (syncing || failed !== null || durableUpTo >= committed) return;
    syncing = true;
    const covers = committed; // written before the sync starts: it makes them durable
    sync((err) => {
      syncing = false;
      if (err) {
        failed = err;
        for (const w of waiting.splice(0)) w.reject(err);
        return;
      }
      durableUpTo = covers;
      let n = 0;
      while (n < waiting.length && (waiting[n] as (typeof waiting)[number]).upTo <= covers) n++;
      for (const w of waiting.splice(0, n)) w.resolve();
      start();
    });
  };

  return {
    committed() {
      committed++;
      start();
    },
    durable() {
      if (failed !== null) return Promise.reject(failed);
      if (durableUpTo >= committed) return Promise.resolve();
      // `committed` only grows, so the list stays in order of `upTo`.
      return new Promise((resolve, reject) => waiting.push({ upTo: committed, resolve, reject }));
    },
  };
}
