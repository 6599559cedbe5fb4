/**
 * WAL checkpoints out of the write path. SQLite's automatic checkpoint runs inside the
 * commit that crosses its threshold, so one local write in a few hundred paid for copying
 * the whole log back into the database (and two fsyncs): the p99 of a local write. The
 * store turns it off and checkpoints itself:
 *
 * - at idle: once no commit has happened for `idleMs`, on a timer that never keeps the
 *   process alive (after a sync, a burst of typing, an import). Not inside a sync: a sync
 *   that pulls many pages would checkpoint after each;
 * - bounded: an app that never pauses still gets a checkpoint after about `maxPages` pages
 *   of commits (estimated from the rows they wrote), inside that commit, as SQLite would, so
 *   the log cannot grow without end;
 * - on close: SQLite checkpoints and removes the log when the last connection closes.
 *
 * Checkpoints are PASSIVE: they never wait for, or block, a reader on another connection.
 * Once a checkpoint has copied every frame, the next commit starts the log over from its
 * beginning, so the file stays about as large as the bound.
 *
 * A checkpoint that fails (a full disk, a file that turned read-only) never fails anything:
 * the commits are in the log, which stays valid and is read as the database, and the next
 * commit or idle period tries again. Thrown from the idle timer, the error ended the process
 * (an Electron app's main process); thrown after a commit, it reported a write that was saved
 * as failed, "nothing written". A full disk still shows at the next write, which fails whole.
 */
import { delayError } from '../sync/backoff.ts';
import type { Db } from './open-database.ts';

export interface CheckpointOptions {
  /** How long without commits counts as idle. Default 250 ms. */
  readonly idleMs?: number;
  /** Estimated pages of commits after which a commit checkpoints itself. Default 8000 (about 32 MB). */
  readonly maxPages?: number;
}

export interface Checkpoints {
  /** After each commit: `rows` is how many rows it wrote (messages and data rows). */
  committed(rows: number): void;
  /** A checkpoint now (PASSIVE). */
  run(): void;
  /** Stops the idle timer. */
  stop(): void;
}

/** Why `o` is not checkpoint options, or null: a NaN maxPages would never checkpoint, and the WAL would grow without end. */
export function checkpointOptionsError(o: unknown): string | null {
  if (o === undefined) return null;
  if (typeof o !== 'object' || o === null) return 'checkpoints must be an object: { idleMs?, maxPages? }';
  const { idleMs, maxPages } = o as CheckpointOptions;
  if (maxPages !== undefined && !(typeof maxPages === 'number' && maxPages >= 1)) return 'checkpoints.maxPages must be a number >= 1';
  return delayError('checkpoints.idleMs', idleMs, 0);
}

/** About how many rows of a message or data table fit in one 4 KiB page; each commit writes at least one. */
const ROWS_PER_PAGE = 16;

export function createCheckpoints(db: Db, options: CheckpointOptions = {}): Checkpoints {
  const idleMs = options.idleMs ?? 250;
  const maxPages = options.maxPages ?? 8000;
  // Only a file in WAL mode has a log to checkpoint (':memory:' has none).
  const wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
  if (wal) db.pragma('wal_autocheckpoint = 0');
  let pages = 0;
  let commits = 0;
  let seen = -1;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const run = (): void => {
    if (!wal || !db.open) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      pages = 0;
    } catch {
      // Tried again after the next commit or idle period (the pages still count): see above.
    }
  };

  const onTimer = (): void => {
    timer = null;
    if (!db.open) return;
    if (commits !== seen) {
      // Commits since the timer was set: not idle yet.
      seen = commits;
      arm();
      return;
    }
    if (pages > 0 && !db.inTransaction) run();
  };

  function arm(): void {
    timer = setTimeout(onTimer, idleMs);
    // An idle checkpoint is never a reason to keep the process running.
    if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
  }

  return {
    committed(rows) {
      if (!wal) return;
      commits++;
      pages += 2 + Math.floor(rows / ROWS_PER_PAGE);
      if (pages >= maxPages) {
        run();
        return;
      }
      if (timer === null) {
        seen = commits;
        arm();
      }
    },
    run,
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
