/**
 * Transactions for the SQLite server store over Node's own driver (`node:sqlite`), which
 * has no transaction helper: a transaction, and a savepoint inside one (group commit: each
 * push of a round undone alone). The statements are prepared once; SQLite keeps no
 * transaction open after a failure here.
 */
import type { DatabaseSync } from 'node:sqlite';

export interface Transactions {
  /** Runs `fn` between BEGIN (IMMEDIATE or DEFERRED) and COMMIT; rolls back if either throws. */
  run<R>(mode: 'immediate' | 'deferred', fn: () => R): R;
  /**
   * Runs `fn` in a savepoint of the open transaction. If it throws, its changes alone are
   * undone and the error is returned. If SQLite rolled back the whole transaction meanwhile
   * (SQLITE_FULL, SQLITE_IOERR: the savepoint is gone with it), the error is thrown: what
   * follows would otherwise commit outside the transaction.
   */
  savepoint<R>(fn: () => R): R | Error;
}

export function transactions(db: DatabaseSync): Transactions {
  const begin = { immediate: db.prepare('BEGIN IMMEDIATE'), deferred: db.prepare('BEGIN DEFERRED') };
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT push');
  const release = db.prepare('RELEASE push');
  const rollbackTo = db.prepare('ROLLBACK TO push');
  return {
    run(mode, fn) {
      begin[mode].run();
      try {
        const result = fn();
        commit.run();
        return result;
      } catch (err) {
        try {
          rollback.run();
        } catch {
          // SQLite already rolled the transaction back (a failed COMMIT, SQLITE_FULL).
        }
        throw err;
      }
    },
    savepoint(fn) {
      savepoint.run();
      try {
        const result = fn();
        release.run();
        return result;
      } catch (err) {
        try {
          rollbackTo.run();
          release.run();
        } catch {
          throw err; // no such savepoint: the whole transaction was rolled back
        }
        return err instanceof Error ? err : new Error(String(err));
      }
    },
  };
}
