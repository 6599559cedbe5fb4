/**
 * The client's sync counters (cursor and its epoch, pending, rejected, last sync), with one
 * owner. Each change that the store must remember goes through a method that commits it to
 * the store and only then changes the counter, in that order: the cursor in memory is never
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

type Committer = Pick<SyncStore, 'commit'>;

/** The counters, and the only ways to change them. */
export interface SyncCounters extends CounterValues {
  /** A local write committed `n` new messages (pending is counted, not stored). */
  wrote(n: number): void;
  /**
   * Commits one answered round trip together with the cursor it moves to (never backwards),
   * the epoch it belongs to (when the server names one) and the time of the sync; then
   * counts the `pushed` messages as no longer pending.
   */
  commitRound(store: Committer, commit: Commit, round: { cursor: number; epoch: string | undefined; syncedAt: number; pushed: number }): Promise<void>;
  /** Commits setting one pending message aside; it then counts as rejected. */
  commitRejection(store: Committer, commit: Commit): Promise<void>;
  /**
   * Commits starting over with the server's log of epoch `epoch`: the cursor goes back to 0
   * (both saved in the same commit) and `repending` messages are pending again.
   */
  commitRestart(store: Committer, commit: Commit, restart: { epoch: string; repending: number }): Promise<void>;
}

/** The counters, from what the store holds. Read-only outside: each is a getter. */
export function createCounters(initial: CounterValues): SyncCounters {
  let { cursor, epoch, pending, rejected, lastSyncAt } = initial;
  return {
    get cursor() {
      return cursor;
    },
    get epoch() {
      return epoch;
    },
    get pending() {
      return pending;
    },
    get rejected() {
      return rejected;
    },
    get lastSyncAt() {
      return lastSyncAt;
    },
    wrote(n) {
      pending += n;
    },
    async commitRound(store, commit, round) {
      const nextCursor = Math.max(cursor, round.cursor);
      const nextEpoch = round.epoch ?? epoch;
      await store.commit({
        ...commit,
        meta: { ...commit.meta, [META.cursor]: String(nextCursor), [META.epoch]: nextEpoch, [META.lastSyncAt]: String(round.syncedAt) },
      });
      cursor = nextCursor;
      epoch = nextEpoch;
      lastSyncAt = round.syncedAt;
      pending = Math.max(0, pending - round.pushed);
    },
    async commitRejection(store, commit) {
      await store.commit(commit);
      pending = Math.max(0, pending - 1);
      rejected += 1;
    },
    async commitRestart(store, commit, restart) {
      await store.commit({ ...commit, meta: { ...commit.meta, [META.cursor]: '0', [META.epoch]: restart.epoch } });
      cursor = 0;
      epoch = restart.epoch;
      pending += restart.repending;
    },
  };
}
