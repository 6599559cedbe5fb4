/**
 * Per user, this process's queue of the PostgreSQL statements that lock the user's counter row
 * (postgres-server-store.ts: pushes and epoch renewals). One user's statements would only
 * queue on that lock, each holding a pool connection meanwhile: a burst of one user, or a lock
 * held long by a process that froze mid-push, could take the whole pool and stall every other
 * user. So within a process they queue here, in memory, and take one connection at a time
 * (across processes, at most one connection per process waits on the lock).
 */
import { DatabaseTimeoutError } from './postgres-transaction.ts';

export interface UserQueues {
  /** Runs `run` once the user's statements queued before it are done. */
  <T>(userId: string, run: () => Promise<T>): Promise<T>;
  /**
   * Fails every statement waiting in a queue now, and every one queued later, with `reason()`
   * (the store is shutting down): until round 58 they ran once the one before them was done,
   * on a pool that had ended meanwhile, and were answered 500 and logged as internal errors.
   */
  close(reason: () => Error): void;
}

/**
 * A statement waits for the ones before it at most `waitMs`, then fails as a lock wait past
 * statement_timeout does (503). Unbounded, as until round 57, the n-th of a user's requests
 * queued behind a lock held long (by an operator's session, say) waited n times
 * statement_timeout: the 16th, 8 minutes.
 */
export function createUserQueues(waitMs: number): UserQueues {
  const tails = new Map<string, Promise<void>>();
  let closedWith: (() => Error) | null = null;
  const waiting = new Set<(err: Error) => void>();
  const refuseIfClosed = (): void => {
    if (closedWith) throw closedWith();
  };
  const waitFor = (previous: Promise<void>): Promise<void> => new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      waiting.delete(fail);
      reject(err);
    };
    const timer = setTimeout(() => fail(new DatabaseTimeoutError(undefined, "the user's earlier statements did not finish in time")), waitMs);
    waiting.add(fail);
    void previous.then(() => {
      clearTimeout(timer);
      waiting.delete(fail);
      resolve();
    });
  });
  const queues = async <T>(userId: string, run: () => Promise<T>): Promise<T> => {
    refuseIfClosed();
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
      refuseIfClosed(); // closed while this one waited: it must not start on an ended pool
      return await run();
    } finally {
      done();
      void tail.then(() => {
        if (tails.get(userId) === tail) tails.delete(userId);
      });
    }
  };
  return Object.assign(queues, {
    close(reason: () => Error) {
      closedWith = reason;
      for (const fail of [...waiting]) fail(reason());
    },
  });
}
