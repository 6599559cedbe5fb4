/**
 * The SQLite store with each method that may write reporting, before it starts, whose data
 * it may write, and once it returns, that it did (issue 12, ingest): the store's thread tells
 * the WAL's sync thread at once (wal-sync-worker.ts), so that the sync starts while the writer
 * goes on, and no answer of those users that follows the commit goes out before it. The
 * report before is what lets the pull thread's answers (pull-worker.ts) wait for the
 * transactions of their own user only, even those still under way (durable-answers.ts). Every
 * method but `pull` (a read transaction) counts as one that writes, so that a method added
 * later is synced before its answer, not forgotten; one this file does not know the users of
 * reports `null`, anyone's data, which holds every answer back. A method that threw reports
 * too (a sync too many costs a millisecond at most).
 */
import type { SqliteServerStore } from './sqlite-server-store.ts';
import type { WalSyncReport } from './wal-sync-worker.ts';

/** The user of a method whose first argument is one. */
const firstUser = ([userId]: readonly unknown[]): readonly string[] | null => (typeof userId === 'string' ? [userId] : null);

/** The users whose data a call writes, for the methods that say so in their arguments. */
const USERS_OF: Readonly<Record<string, (args: readonly unknown[]) => readonly string[] | null>> = {
  push: firstUser,
  renewEpoch: firstUser,
  pushMany: ([items]) => {
    if (!Array.isArray(items)) return null;
    const users = items.map((item) => (item as { userId?: unknown } | null)?.userId);
    return users.every((u) => typeof u === 'string') ? (users as string[]) : null;
  },
};

export interface CommitReporter {
  /** Before a method that may write: the users whose data it may write (null: anyone's). */
  started(users: readonly string[] | null): void;
  /** Once it returned or threw. */
  committed(): void;
}

export function reportingCommits(store: SqliteServerStore, report: CommitReporter): SqliteServerStore {
  const reporting: Record<string, unknown> = { ...store };
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function' || name === 'pull') continue;
    const usersOf = USERS_OF[name];
    reporting[name] = (...args: unknown[]) => {
      report.started(usersOf ? usersOf(args) : null);
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } finally {
        report.committed();
      }
    };
  }
  return reporting as unknown as SqliteServerStore;
}

/**
 * The store's thread's reporter: each report posted to the WAL's sync thread, and each start
 * counted in `started` (shared with the pull thread) before it is posted, so that a pull that
 * read a transaction's data reads a count that includes it, and its answer waits for this
 * report (durable-answers.ts). `returned` hears of each transaction's end too (checkpoints).
 */
export function walSyncReporter(started: BigInt64Array | null, post: (report: WalSyncReport) => void, returned?: () => void): CommitReporter {
  return {
    started(users) {
      if (started) Atomics.add(started, 0, 1n);
      post({ type: 'started', users });
    },
    committed() {
      post({ type: 'committed' });
      returned?.();
    },
  };
}
