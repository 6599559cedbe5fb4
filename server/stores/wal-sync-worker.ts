/**
 * The SQLite store's answers go through this thread, which makes the WAL durable before
 * handing them on to the event loop (issue 12, ingest: "find what the idle is").
 *
 * Why: with `synchronous = FULL` the one writer waited for the disk at every commit, 15 to
 * 25 % of its time in the ingest benchmark, while every push of the 8 clients sat in its
 * queue, so that neither core had anything else to do. Now the writer commits with
 * `synchronous = NORMAL` (still all or nothing: SQLite's WAL) and goes straight on to the next
 * round, and this thread fsyncs the WAL (fdatasync) as soon as a commit is reported and
 * releases the answers, with the rule of durable-answers.ts: an answer goes out only after a
 * sync that started after every commit before it of its user's data, so a push is
 * acknowledged, and a pull shows messages, only once they would survive a power loss, as
 * before. SQLite still syncs the WAL and the database itself around checkpoints.
 *
 * A failed sync stops the store (store-thread.ts rejects every request): after a failed
 * fsync the kernel may have dropped pages that never reached the disk.
 */
import { fdatasync, openSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createDurableAnswers } from './durable-answers.ts';
import type { StoreAnswer } from './store-worker.ts';
import type { WireError } from './wire-error.ts';

export interface WalSyncWorkerData {
  /** The WAL file: the database file's name and `-wal`. */
  readonly walFile: string;
  /** Where the store's thread reports its write transactions and posts its answers, in order. */
  readonly answers: MessagePort;
  /** Where the pull thread posts its answers (pull-worker.ts), each with `afterStarted`. */
  readonly pullAnswers?: MessagePort | undefined;
}

/**
 * What the store's thread posts on `answers`: an answer (with the user whose data it shows,
 * when it is one user's), a write transaction that starts (with the users whose data it may
 * write; null: anyone's), or one that returned. The pull thread posts answers only, each with
 * the number of write transactions started when its read ended (durable-answers.ts).
 */
export type WalSyncReport =
  | { readonly type: 'answered'; readonly answer: StoreAnswer; readonly user?: string | undefined; readonly afterStarted?: number | undefined }
  | { readonly type: 'started'; readonly users: readonly string[] | null }
  | { readonly type: 'committed' };

/** What this thread posts to the event loop: a batch of answers, or the sync that failed. */
export type WalSyncMessage = readonly StoreAnswer[] | { readonly type: 'sync-failed'; readonly error: WireError };

const port = parentPort;
if (port) {
  const data = workerData as WalSyncWorkerData;
  // Opened at the first answer: the store's thread has opened the WAL by then (it migrated
  // the schema), and it stays the same file while the store is open. SQLite deletes it only
  // when it closes the database, after copying it into the database file and syncing that:
  // with no WAL, there is nothing to sync.
  let fd: number | null = null;
  const openWal = (): number | null => {
    try {
      return openSync(data.walFile, 'r+');
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return null;
      throw err;
    }
  };
  const durable = createDurableAnswers<StoreAnswer>({
    // On libuv's pool, not this thread: an answer that waits for no commit (another user's
    // pull, see durable-answers.ts) goes out while a long sync is under way.
    sync: (done) => {
      fd ??= openWal();
      if (fd === null) done();
      else fdatasync(fd, (err) => done(err));
    },
    forward: (batch) => port.postMessage(batch satisfies WalSyncMessage),
    fail: (_batch, err) => {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = (e as { code?: unknown }).code;
      port.postMessage({ type: 'sync-failed', error: { name: e.name, message: `the database could not be made durable: ${e.message}`, code: code === undefined ? undefined : String(code) } } satisfies WalSyncMessage);
    },
  });
  const onReport = (report: WalSyncReport): void => {
    if (report.type === 'started') durable.started(report.users);
    else if (report.type === 'committed') durable.committed();
    else durable.add(report.answer, report.user, report.afterStarted);
  };
  data.answers.on('message', onReport);
  data.pullAnswers?.on('message', onReport);
}
