/**
 * The client's sync counters (cursor and its epoch, pending, rejected, last sync), with one
 * owner. Each change that the store must remember goes through `commit`, which commits it to
 * the store and only then changes the counters, in that order: the cursor in memory is never
 * ahead of the cursor saved, and moving the cursor without saving it is not possible.
 */
import { META, type Commit, type SyncStore } from './store.ts';

export interface CounterValues {
  readonly cursor: number;
  /** The epoch of the server's log that the cursor belongs to; '' before the first answer that has one. */
  readonly epoch: string;
  readonly pending: number;
  readonly rejected: number;
  readonly lastSyncAt: number | null;
}

/** The counters, and the only ways to change them. Read-only outside (the fields are `readonly`). */
export interface SyncCounters extends CounterValues {
  /** A local write committed `n` new messages (pending is counted, not stored). */
  wrote(n: number): void;
  /**
   * Commits `commit` together with the counters that `next` sets (the cursor, its epoch and
   * the last sync time are saved in the store's meta, in the same commit); then sets them.
   */
  commit(store: Pick<SyncStore, 'commit'>, commit: Commit, next: Partial<CounterValues>): Promise<void>;
}

/** The counters, from what the store holds. */
export function createCounters(initial: CounterValues): SyncCounters {
  const counters: { -readonly [K in keyof CounterValues]: CounterValues[K] } & Omit<SyncCounters, keyof CounterValues> = {
    ...initial,
    wrote(n) {
      counters.pending += n;
    },
    async commit(store, commit, next) {
      const { cursor, epoch, lastSyncAt } = next;
      await store.commit({
        ...commit,
        meta: {
          ...commit.meta,
          ...(cursor !== undefined ? { [META.cursor]: String(cursor) } : {}),
          ...(epoch !== undefined ? { [META.epoch]: epoch } : {}),
          ...(lastSyncAt != null ? { [META.lastSyncAt]: String(lastSyncAt) } : {}),
        },
      });
      Object.assign(counters, next);
    },
  };
  return counters;
}
