/**
 * Checkpoints of the SQLite store's WAL, in a thread and a connection of their own (issue 12,
 * a small sync among max-size pushes).
 *
 * Why: SQLite's automatic checkpoint runs inside the commit that crosses its threshold, in
 * the one writer. Copying 4,000 pages (16 MiB) into the database file made that commit take
 * 50-150 ms on our 2-core machine, and every request queued behind it waited: in a burst of
 * max-size pushes those commits were the small syncs over 100 ms (a traced run without
 * checkpoints had none). Here a second connection copies what the commits wrote, with a
 * PASSIVE checkpoint, which never blocks the writer or a reader, at most every
 * `CHECKPOINT_EVERY_MS` while commits come and never while none do.
 *
 * The writer keeps its automatic checkpoint (sqlite-server-store.ts) as the bound on the WAL:
 * SQLite starts the WAL over from its beginning only in the writer, after a checkpoint that
 * copied every page, and with this thread ahead of it that checkpoint has little left to copy.
 *
 * Nothing here is needed for durability (the WAL has every commit, synced by
 * wal-sync-worker.ts before any answer): a checkpoint that fails is reported for the log, and
 * the writer's own checkpoints go on.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { CHECKPOINT_EVERY_MS } from '../limits.ts';

export interface CheckpointWorkerData {
  /** The database file. */
  readonly file: string;
  /** Where the store's thread reports each commit. */
  readonly commits: MessagePort;
}

/** What the store's thread posts on `commits`. */
export interface CommitReport {
  readonly type: 'committed';
}

/** What this thread posts to its parent: a checkpoint that failed, or that it closed. */
export type CheckpointMessage = { readonly type: 'checkpoint-failed'; readonly message: string } | { readonly type: 'closed' };

/** What its parent posts: close the connection (before the store's own closes). */
export interface CheckpointControl {
  readonly type: 'close';
}

const port = parentPort;
if (port) {
  const data = workerData as CheckpointWorkerData;
  let db: DatabaseSync | null = null;
  let statements: { readonly read: StatementSync; readonly checkpoint: StatementSync } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  let closed = false;

  const checkpoint = (): void => {
    timer = null;
    if (closed) return;
    last = performance.now();
    try {
      // Opened at the first commit: the store's thread has made the file a WAL database by then.
      const open = (db ??= new DatabaseSync(data.file));
      statements ??= { read: open.prepare('SELECT 1 FROM sqlite_schema LIMIT 1'), checkpoint: open.prepare('PRAGMA wal_checkpoint(PASSIVE)') };
      // A read first: a connection that has not read the file since it became a WAL database
      // does not checkpoint it (it answers -1).
      statements.read.get();
      statements.checkpoint.get();
    } catch (err) {
      port.postMessage({ type: 'checkpoint-failed', message: err instanceof Error ? err.message : String(err) } satisfies CheckpointMessage);
    }
  };

  data.commits.on('message', () => {
    if (timer !== null || closed) return;
    timer = setTimeout(checkpoint, Math.max(0, last + CHECKPOINT_EVERY_MS - performance.now()));
  });
  port.on('message', (control: CheckpointControl) => {
    if (control.type !== 'close') return;
    closed = true;
    if (timer !== null) clearTimeout(timer);
    // Closed before the store's connection, so that the store's close is the last: it then
    // checkpoints everything and deletes the WAL, as it did with no second connection.
    db?.close();
    data.commits.close();
    port.postMessage({ type: 'closed' } satisfies CheckpointMessage);
  });
}
