/**
 * Answers of the SQLite store's thread held back until the disk has what they speak of
 * (issue 12, ingest): the rule behind wal-sync-worker.ts, apart from threads and files so
 * that it can be tested alone.
 *
 * The store's thread reports each write transaction as it starts (`started`), with the users
 * whose data it may write, and again once it returned (`committed`, committed or undone: one
 * at a time, in order); and each answer (`add`) once its work is done, with the user whose
 * data it shows, in the order they happened. An answer is handed on only after a `sync` that
 * started after every commit before it that concerns its user (all of them, for an answer of
 * no user or a commit of unknown users), so what it speaks of (its own push, whatever its pull
 * read) would survive a power loss by the time the client hears of it.
 *
 * The pull thread's answers (pull-worker.ts) come on another port, so they are not in that
 * order: each says how many write transactions had started when its read ended
 * (`afterStarted`, from a counter the store's thread raises before each). Whatever it read was
 * written by one of those, so it waits until their reports are in, then for its user's as any
 * answer does: not for a long transaction of another user still under way.
 *
 * Why per user (issue 12, "a small sync among max-size pushes"): a pull reads its own user's
 * messages only, and each user's ids are their own. Held behind the sync of other users' 4 MiB
 * pushes, a small sync waited tens of milliseconds for data it never shows. Answers of one
 * user still go out in order: the commit an answer waits for only grows, answer to answer.
 *
 * The sync runs off this thread (`sync` calls back), so an answer that waits for nothing goes
 * out while a sync is under way. It starts at the commit, while the store's thread goes on
 * with the answers and the next round; commits reported together share one sync.
 *
 * A failed sync is final: after a failed fsync the kernel may have dropped pages that were
 * never written, so no later sync can vouch for them. The answers waiting and every later
 * one are handed to `fail` instead, never on.
 */

export interface DurableAnswersOptions<T> {
  /** Makes everything written so far durable (fdatasync of the WAL); calls back with the error if it failed. */
  sync(done: (error?: unknown) => void): void;
  /** Answers whose commits are durable, each user's in the order they were added. */
  forward(batch: T[]): void;
  /** Answers that can never be vouched for, with the error of the sync that failed. */
  fail(batch: T[], error: unknown): void;
  /** Runs a sync later, once the reports already queued have arrived. Default setImmediate. */
  schedule?(run: () => void): void;
}

export interface DurableAnswers<T> {
  /** A write transaction starts: it may write the data of `users`, or of anyone (null). */
  started(users?: readonly string[] | null): void;
  /** The oldest write transaction started has returned (committed, or undone). */
  committed(): void;
  /**
   * An answer whose work is done, showing `user`'s data (undefined: anyone's). With
   * `afterStarted`, it is one whose read ended after that many write transactions had started.
   */
  add(answer: T, user?: string, afterStarted?: number): void;
}

export function createDurableAnswers<T>(o: DurableAnswersOptions<T>): DurableAnswers<T> {
  const schedule = o.schedule ?? ((run: () => void) => void setImmediate(run));
  /** Write transactions started, those returned, and how many of them a completed sync covers. */
  let started = 0;
  let commits = 0;
  let durable = 0;
  /** The last write of unknown users, and each user's last write not yet durable (by the order they started in). */
  let lastOfAnyone = 0;
  const lastOf = new Map<string, number>();
  const waiting: { readonly answer: T; readonly after: number }[] = [];
  /** The pull thread's answers whose write transactions have not all been reported yet. */
  const early: { readonly answer: T; readonly user: string | undefined; readonly afterStarted: number }[] = [];
  let scheduled = false;
  let syncing = false;
  let failed: { readonly error: unknown } | null = null;

  const release = (): void => {
    const ready: T[] = [];
    let kept = 0;
    for (const w of waiting) {
      if (w.after <= durable) ready.push(w.answer);
      else waiting[kept++] = w;
    }
    waiting.length = kept;
    if (ready.length > 0) o.forward(ready);
  };
  const synced = (target: number, error: unknown): void => {
    syncing = false;
    if (error !== undefined && error !== null) {
      failed = { error };
      o.fail([...waiting.splice(0).map((w) => w.answer), ...early.splice(0).map((e) => e.answer)], error);
      return;
    }
    durable = target;
    for (const [user, last] of lastOf) if (last <= durable) lastOf.delete(user);
    release();
    if (commits > durable) later();
  };
  const run = (): void => {
    scheduled = false;
    if (failed || syncing || commits <= durable) return;
    const target = commits; // commits reported after this point need a later sync
    syncing = true;
    try {
      o.sync((error) => synced(target, error));
    } catch (error) {
      synced(target, error);
    }
  };
  const later = (): void => {
    if (scheduled) return;
    scheduled = true;
    schedule(run);
  };
  const add = (answer: T, user: string | undefined): void => {
    const after = user === undefined ? started : Math.max(lastOfAnyone, lastOf.get(user) ?? 0);
    if (after <= durable) o.forward([answer]);
    else waiting.push({ answer, after });
  };
  return {
    started(users) {
      started++;
      if (users) for (const user of users) lastOf.set(user, started);
      else lastOfAnyone = started;
      while (early.length > 0 && (early[0] as (typeof early)[number]).afterStarted <= started) {
        const e = early.shift() as (typeof early)[number];
        add(e.answer, e.user);
      }
    },
    committed() {
      if (commits >= started) throw new Error('durable answers: a commit reported that never started');
      commits++;
      later();
    },
    add(answer, user, afterStarted) {
      if (failed) {
        o.fail([answer], failed.error);
        return;
      }
      if (afterStarted !== undefined && (afterStarted > started || early.length > 0)) early.push({ answer, user, afterStarted });
      else add(answer, user);
    },
  };
}
