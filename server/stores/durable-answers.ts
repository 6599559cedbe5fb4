/**
 * Answers of the SQLite store's thread held back until the disk has what they speak of
 * (issue 12, ingest): the rule behind wal-sync-worker.ts, apart from threads and files so
 * that it can be tested alone.
 *
 * The store's thread reports each commit (`committed`) as soon as it returns, and each answer
 * (`add`) once its work is done, in the order they happened. An answer is handed on only
 * after a `sync` that started after every commit reported before it, so what it speaks of
 * (its own push, whatever its pull read) would survive a power loss by the time the client
 * hears of it. The sync starts at the commit, while the store's thread goes on with the
 * answers and the next round; commits reported together share one sync. An answer that
 * follows no new commit (a pull after a synced push) goes out at once.
 *
 * A failed sync is final: after a failed fsync the kernel may have dropped pages that were
 * never written, so no later sync can vouch for them. The answers waiting and every later
 * one are handed to `fail` instead, never on.
 */

export interface DurableAnswersOptions<T> {
  /** Makes everything written so far durable (fdatasync of the WAL); throws on failure. */
  sync(): void;
  /** Answers whose commits are durable, in the order they were added. */
  forward(batch: T[]): void;
  /** Answers that can never be vouched for, with the error of the sync that failed. */
  fail(batch: T[], error: unknown): void;
  /** Runs a sync later, once the reports already queued have arrived. Default setImmediate. */
  schedule?(run: () => void): void;
}

export interface DurableAnswers<T> {
  /** A write transaction has committed. */
  committed(): void;
  /** An answer whose work is done: it goes on once every commit reported before it is synced. */
  add(answer: T): void;
}

export function createDurableAnswers<T>(o: DurableAnswersOptions<T>): DurableAnswers<T> {
  const schedule = o.schedule ?? ((run: () => void) => void setImmediate(run));
  /** Commits reported, and how many of them a completed sync covers. */
  let commits = 0;
  let durable = 0;
  const waiting: { readonly answer: T; readonly after: number }[] = [];
  let scheduled = false;
  let failed: { readonly error: unknown } | null = null;

  const release = (): void => {
    let n = 0;
    while (n < waiting.length && (waiting[n] as { after: number }).after <= durable) n++;
    if (n > 0) o.forward(waiting.splice(0, n).map((w) => w.answer));
  };
  const run = (): void => {
    scheduled = false;
    if (failed) return;
    const target = commits; // commits reported after this point need a later sync
    if (target > durable) {
      try {
        o.sync();
      } catch (error) {
        failed = { error };
        o.fail(waiting.splice(0).map((w) => w.answer), error);
        return;
      }
      durable = target;
    }
    release();
    if (commits > durable) later();
  };
  const later = (): void => {
    if (scheduled) return;
    scheduled = true;
    schedule(run);
  };
  return {
    committed() {
      commits++;
      later();
    },
    add(answer) {
      if (failed) {
        o.fail([answer], failed.error);
        return;
      }
      waiting.push({ answer, after: commits });
      if (commits <= durable) release();
      else later();
    },
  };
}
