/**
 * Opens the client's SQLite file with the settings the store relies on.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FieldsyncError, StoreError } from '../sync/index.ts';
import { invalidArgument, reading } from '../sync/errors.ts';
import { isObject } from '../sync/option-keys.ts';
import { refuseNewerStore } from './migrations.ts';
import { checkPath, makePrivateDatabaseFile, PRIVATE_DIR_MODE } from './private-files.ts';

export type Db = Database.Database;

/**
 * `busyTimeoutMs`: how long a statement waits for another connection's lock before failing.
 * A file that cannot be opened (damaged, not a database, a folder that cannot be written) is
 * a `StoreError` that names it, with SQLite's or the system's error as its `cause`.
 */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): Db {
  // Bad arguments are the app's, not the file's: a ValidationError, before anything is created.
  checkPath('openDatabase', file);
  if (!isObject(options)) throw invalidArgument('openDatabase: options must be an object');
  const { busyTimeoutMs } = reading('openDatabase: reading the options', () => ({ busyTimeoutMs: options.busyTimeoutMs }));
  if (busyTimeoutMs !== undefined && (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > 0x7fffffff)) {
    throw invalidArgument('openDatabase: busyTimeoutMs must be an integer from 0 to 2147483647 (ms)');
  }
  try {
    return open(file, options);
  } catch (err) {
    if (err instanceof FieldsyncError) throw err;
    throw new StoreError(`cannot open the database ${file}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

function open(file: string, options: { busyTimeoutMs?: number }): Db {
  if (file !== ':memory:') {
    // Folders it creates and the database file are the user's alone (0700, 0600).
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    makePrivateDatabaseFile(file);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    // First, before any PRAGMA that writes: switching a newer app's file restored from a
    // backup (rollback journal) to WAL would rewrite its header, and a refused file is left as it was.
    refuseNewerStore(db);
    // WAL: readers never block the writer, and a commit is one append to the log.
    switchToWal(db, busyTimeoutMs);
    // NORMAL is enough for a client in WAL mode: the database is never corrupted, and a
    // crash of the app or of its process loses nothing. Only an OS crash or a power cut can
    // roll back the last few commits, which the protocol tolerates: a lost sync is repeated
    // (the server deduplicates on hlc), and a lost local write was never sent. FULL would
    // fsync on every keystroke-sized commit for no gain a todo app can see.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = OFF'); // the data model has no SQL constraints: rows arrive in any order
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

const isBusy = (err: unknown): boolean => err instanceof Error && String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY');

/**
 * Switches a file not yet in WAL mode (a new one) to it, waiting up to `busyTimeoutMs` for
 * another connection's lock. SQLite reads the header, then upgrades that read to a write, and
 * it never calls the busy handler for such an upgrade (two readers that both upgrade would
 * deadlock): beside another process that holds the file's write lock (an app and its syncer
 * opening a new profile together, each switching it) the pragma failed at once with
 * "database is locked", 5 s of busy timeout or not. So it is retried here, as the busy
 * handler would, until the timeout; a file already in WAL mode takes no lock for it.
 */
function switchToWal(db: Db, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let ms = 1; ; ms = Math.min(ms * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      const left = deadline - Date.now();
      if (!isBusy(err) || left <= 0) throw err;
      Atomics.wait(pause, 0, 0, Math.min(ms, left)); // a synchronous sleep, as SQLite's busy handler
    }
  }
}
