/**
 * Per user, this process's queue of the PostgreSQL statements that lock the user's counter row
 * (postgres-server-store.ts: pushes and epoch renewals). One user's statements would only
 * queue on that lock, each holding a pool connection meanwhile: a burst of one user, or a lock
 * held long by a process that froze mid-push, could take the whole pool and stall every other
 * user. So within a process they queue here, in memory, and take one connection at a time
 * (across processes, at most one connection per process waits on the lock).
 */
import { DatabaseTimeoutError } from './postgres-transaction.ts';

/** Runs `run` once the user's statements queued before it are done. */
export type UserQueues = <T>(userId: string, run: () => Promise<T>) => Promise<T>;

/**
 * A statement waits for the ones before it at most `waitMs`, then fails as a lock wait past
 * statement_timeout does (503). Unbounded, as until round 57, the n-th of a user's requests
 * queued behind a lock held long (by an operator's session, say) waited n times
 * statement_timeout: the 16th, 8 minutes.
 */
export function createUserQueues(waitMs: number): UserQueues {
  const tails = new Map<string, Promise<void>>();
  const waitFor = (previous: Promise<void>): Promise<void> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DatabaseTimeoutError(undefined, "the user's earlier statements did not finish in time")), waitMs);
    void previous.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return async (userId, run) => {
    const previous = tails.get(userId);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    // The next one waits for this one and for every one before it, even when this one gives up.
    const tail = previous ? previous.then(() => mine) : mine;
    tails.set(userId, tail);
    try {
      if (previous) await waitFor(previous);
      return await run();
    } finally {
      done();
      void tail.then(() => {
        if (tails.get(userId) === tail) tails.delete(userId);
      });
    }
  };
}
