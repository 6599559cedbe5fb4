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

export class SyncCounters implements CounterValues {
  #cursor: number;
  #epoch: string;
  #pending: number;
  #rejected: number;
  #lastSyncAt: number | null;

  constructor(initial: CounterValues) {
    this.#cursor = initial.cursor;
    this.#epoch = initial.epoch;
    this.#pending = initial.pending;
    this.#rejected = initial.rejected;
    this.#lastSyncAt = initial.lastSyncAt;
  }

  get cursor(): number {
    return this.#cursor;
  }

  get epoch(): string {
    return this.#epoch;
  }

  get pending(): number {
    return this.#pending;
  }

  get rejected(): number {
    return this.#rejected;
  }

  get lastSyncAt(): number | null {
    return this.#lastSyncAt;
  }

  /** A local write committed `n` new messages (pending is counted, not stored). */
  wrote(n: number): void {
    this.#pending += n;
  }

  /**
   * Commits one answered round trip together with the cursor it moves to (never backwards),
   * the epoch it belongs to (when the server names one) and the time of the sync; then
   * counts the `pushed` messages as no longer pending.
   */
  async commitRound(
    store: Committer,
    commit: Commit,
    round: { cursor: number; epoch: string | undefined; syncedAt: number; pushed: number },
  ): Promise<void> {
    const cursor = Math.max(this.#cursor, round.cursor);
    const epoch = round.epoch ?? this.#epoch;
    await store.commit({
      ...commit,
      meta: { ...commit.meta, [META.cursor]: String(cursor), [META.epoch]: epoch, [META.lastSyncAt]: String(round.syncedAt) },
    });
    this.#cursor = cursor;
    this.#epoch = epoch;
    this.#lastSyncAt = round.syncedAt;
    this.#pending = Math.max(0, this.#pending - round.pushed);
  }

  /** Commits setting one pending message aside; it then counts as rejected. */
  async commitRejection(store: Committer, commit: Commit): Promise<void> {
    await store.commit(commit);
    this.#pending = Math.max(0, this.#pending - 1);
    this.#rejected += 1;
  }

  /**
   * Commits starting over with the server's log of epoch `epoch`: the cursor goes back to 0
   * (both saved in the same commit) and `repending` messages are pending again.
   */
  async commitRestart(store: Committer, commit: Commit, restart: { epoch: string; repending: number }): Promise<void> {
    await store.commit({ ...commit, meta: { ...commit.meta, [META.cursor]: '0', [META.epoch]: restart.epoch } });
    this.#cursor = 0;
    this.#epoch = restart.epoch;
    this.#pending += restart.repending;
  }
}

