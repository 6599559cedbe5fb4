/**
 * The SQLite store with each method that may write reporting, once it returns, that a
 * commit happened and whose data it wrote (issue 12, ingest): the store's thread tells the
 * WAL's sync thread at once (wal-sync-worker.ts), so that the sync starts while the writer
 * goes on, and no answer of those users that follows the commit goes out before it. Every
 * method but `pull` (a read transaction) counts as one that writes, so that a method added
 * later is synced before its answer, not forgotten; one this file does not know the users of
 * reports `null`, anyone's data, which holds every answer back. A method that threw reports
 * too (a sync too many costs a millisecond at most).
 */
import type { SqliteServerStore } from './sqlite-server-store.ts';

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

export function reportingCommits(store: SqliteServerStore, report: (users: readonly string[] | null) => void): SqliteServerStore {
  const reporting: Record<string, unknown> = { ...store };
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function' || name === 'pull') continue;
    const usersOf = USERS_OF[name];
    reporting[name] = (...args: unknown[]) => {
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } finally {
        report(usersOf ? usersOf(args) : null);
      }
    };
  }
  return reporting as unknown as SqliteServerStore;
}
