/**
 * The names of the server's worker threads, as the operating system shows them (`top -H`,
 * `ps -L`, /proc/<pid>/task/<tid>/comm on Linux; Node 24 names a worker's thread after its
 * `name`). Without them every worker is "WorkerThread", and which thread is the one SQLite
 * writer, the bottleneck of ingest (issue 12), could only be told by the order they started
 * in. Linux keeps 15 characters of a thread's name: these fit.
 */
export const THREAD_NAMES = {
  /** The SQLite store's thread: the one writer (stores/store-thread.ts). */
  store: 'fieldsync-store',
  /** The thread that syncs the WAL before answers go out (stores/wal-sync-worker.ts). */
  walSync: 'fieldsync-wal',
  /** The thread that checkpoints the WAL beside the writer (stores/checkpoint-worker.ts). */
  checkpoint: 'fieldsync-ckpt',
  /** The thread that answers pull-only syncs from a read-only connection (stores/pull-worker.ts). */
  pull: 'fieldsync-pull',
  /** A parse worker (ingest/parse-worker.ts), of the store's thread or of the parse pool. */
  parse: 'fieldsync-parse',
} as const;
