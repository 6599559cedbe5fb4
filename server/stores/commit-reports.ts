/**
 * The SQLite store with each method that may write reporting, once it returns, that a
 * commit happened (issue 12, ingest): the store's thread tells the WAL's sync thread at once
 * (wal-sync-worker.ts), so that the sync starts while the writer goes on, and no answer that
 * follows the commit goes out before it. Every method but `pull` (a read transaction) counts
 * as one that writes, so that a method added later is synced before its answer, not
 * forgotten; a method that threw reports too (a sync too many costs a millisecond at most).
 */
import type { SqliteServerStore } from './sqlite-server-store.ts';

export function reportingCommits(store: SqliteServerStore, report: () => void): SqliteServerStore {
  const reporting: Record<string, unknown> = { ...store };
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function' || name === 'pull') continue;
    reporting[name] = (...args: unknown[]) => {
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } finally {
        report();
      }
    };
  }
  return reporting as unknown as SqliteServerStore;
}
