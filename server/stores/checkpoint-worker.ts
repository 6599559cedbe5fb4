/**
 * Checkpoints the SQLite store's WAL in a thread of its own (issue 12, ingest). SQLite's
 * automatic checkpoint runs in the writer, right after a commit, every 1,000 WAL pages: it
 * copies them into the database file and syncs both files, and the one writer stores nothing
 * meanwhile (about a tenth of its time under a stream of pushes). Here a connection of its
 * own copies the pages after each commit it is told of, with a PASSIVE checkpoint, which
 * never waits for the writer nor holds it up (WAL lets it run beside the writer).
 *
 * The writer keeps its own automatic checkpoint, rarer (sqlite-server-store.ts,
 * `backgroundCheckpoints`): SQLite can only start the WAL over when a checkpoint has copied
 * every page before a write begins, which a checkpoint beside a busy writer seldom manages;
 * the writer's own then finds most pages already copied, and bounds the WAL's size. A failed
 * checkpoint here only leaves the work to that one.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointWorkerData {
  readonly file: string;
  /** The store's thread posts on it after each commit. */
  readonly commits: MessagePort;
}

const data = workerData as CheckpointWorkerData | null;
if (parentPort && data) {
  let db: Database.Database | null = null;
  const checkpoint = (): void => {
    try {
      if (!db) {
        db = new Database(data.file, { fileMustExist: true });
        db.pragma('synchronous = FULL'); // the WAL synced before copying, the database file after
      }
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Left to the writer's own checkpoint; the connection is made again next time.
      try {
        db?.close();
      } catch {
        // already unusable
      }
      db = null;
    }
  };
  // The commits told of while a checkpoint runs share the next one.
  let scheduled = false;
  const onCommit = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      checkpoint();
    });
  };
  // Its connection is closed when the thread is terminated (better-sqlite3 closes every
  // database of a thread that ends), after the writer's: the last one checkpoints the rest.
  data.commits.on('message', onCommit);
}
