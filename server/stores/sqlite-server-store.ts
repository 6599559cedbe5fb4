/**
 * The SQLite server store (WAL): the server's default database, one file, no set-up. It
 * implements the server-store contract of `src/sync/server/server-store.ts` with the
 * in-memory reference store's exact semantics, compaction included.
 *
 * It runs on Node's own SQLite driver (`node:sqlite`, synchronous like better-sqlite3, which
 * the client store uses): each statement call costs about 0.6 µs less there (issue 12,
 * ingest: 3.2 -> 2.4 µs per message for the push loop of the ingest benchmark's data, then
 * one call per message). The push loop writes 64 or 16 messages per call (push-writer.ts).
 *
 * A push or a pull runs start to end without yielding, so within one process transactions
 * never interleave, ids are assigned in commit order and become visible in id order. Other
 * processes on the same file are serialized by SQLite's write lock (`BEGIN IMMEDIATE` plus
 * a busy timeout).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StoreError, ValidationError, type Message } from 'fieldsync';
import { checkServerStoreCall, newEpoch, type PullOptions, type PullResult, type PushResult, type ServerStore } from 'fieldsync/server';
import { ensurePrivateDatabaseFile } from 'fieldsync/sqlite';
import { migrate, newerSchemaCheck, prepareCellIndex, refuseNewer } from './sqlite-schema.ts';
import { sqlitePull, type PullLimits } from './sqlite-pull.ts';
import { transactions } from './sqlite-transaction.ts';
import { createPushWriter, RedoRowByRow } from './push-writer.ts';

export interface SqliteServerStoreOptions {
  /** The database file; its folder is created when missing. `:memory:` works for tests. */
  readonly file: string;
  /** Drop messages that lost their cell (docs/protocol.md §4). Default true. */
  readonly compaction?: boolean;
  /**
   * The widest range of ids one pull examines, so that one request's work stays bounded even
   * when a client's own messages (left out of its pulls) pile up after its cursor. A pull
   * that stops at the end of this range answers `more: true` with the range's end as its
   * cursor: the client asks again at once and goes on from there. Default 50 000.
   */
  readonly maxScanIds?: number;
  /**
   * The most bytes of message values one page returns (at least one message is always
   * returned): 5000 messages of 64 KiB would otherwise make a 320 MB response.
   */
  readonly maxPageBytes?: number;
  /** How long to wait for another process's write lock, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Whether each commit waits for the disk (fsync of the WAL) before it returns. Default
   * true. False only for a caller that makes the WAL durable itself before it acknowledges
   * anything it committed or read (the store's thread does, off the writer: see
   * wal-sync-worker.ts); a commit is still all or nothing.
   */
  readonly syncEachCommit?: boolean;
}

/** One push of `pushMany`. */
export interface PushItem {
  readonly userId: string;
  readonly messages: readonly Message[];
}

export interface SqliteServerStore extends ServerStore {
  push(userId: string, messages: readonly Message[]): PushResult;
  /**
   * Several pushes committed together (group commit): each is all or nothing on its own,
   * and none is durable before all are. Each result is the push's, or the error that undid it.
   */
  pushMany(items: readonly PushItem[]): (PushResult | Error)[];
  pull(userId: string, options: PullOptions): PullResult;
  renewEpoch(userId: string, current: string): string;
  close(): void;
}

/**
 * The WAL pages after which a commit checkpoints (SQLite's automatic checkpoint, in the one
 * writer; its default is 1,000). A checkpoint copies each page once however often it changed
 * since the last, and syncs the WAL and the database: the ingest's commits rewrite the same
 * B-tree pages (each index's right edge), so fewer, larger checkpoints cost the writer less
 * (issue 12, ingest: its CPU per message 3.70 → 3.15 µs, the server's 8.08 → 7.58, medians of
 * 14 pairs run alternately; 8,000 pages was no better). The WAL file then holds up to about 16 MiB (4 KiB pages), and a
 * look-up in its index still reads one hash table (4,096 frames).
 */
export const WAL_CHECKPOINT_PAGES = 4000;

export const DEFAULT_MAX_SCAN_IDS = 50_000;
export const DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** The bounds of one pull, from the options (the pull thread reads with the same). */
export function pullLimits(options: Pick<SqliteServerStoreOptions, 'maxScanIds' | 'maxPageBytes'>): PullLimits {
  return { maxScanIds: Math.max(1, options.maxScanIds ?? DEFAULT_MAX_SCAN_IDS), maxPageBytes: Math.max(1, options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES) };
}

/**
 * Why one push of `pushMany` is refused, as its result (the others go on), or null. Its user
 * and its list are checked, not each message: `pushMany` is the store thread's, whose pushes
 * the sync handler has checked message by message already, and a check per message costs the
 * one writer about a tenth of its time (0.33 of 3.15 µs per message). A message that is not
 * one still stores nothing: its push fails in its savepoint and is undone alone.
 */
function pushItemError(item: unknown): Error | null {
  const { userId, messages } = (typeof item === 'object' && item !== null ? item : {}) as Partial<PushItem>;
  const why = typeof userId !== 'string' || userId === '' ? 'userId must be a non-empty string' : Array.isArray(messages) ? null : 'messages must be an array';
  return why === null ? null : new ValidationError('invalid_argument', `pushMany: ${why}`);
}

export function createSqliteServerStore(options: SqliteServerStoreOptions): SqliteServerStore {
  const compaction = options.compaction ?? true;
  if (options.file !== ':memory:') {
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
    // Readable by the server's user only, even if an older version left it looser; SQLite
    // gives its -wal and -shm files the same mode.
    ensurePrivateDatabaseFile(options.file);
  }
  const db = new DatabaseSync(options.file);
  try {
    refuseNewer(db); // before WAL mode, which would rewrite a refused file's header
    if (options.file !== ':memory:') {
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
      if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (got ${String(mode)})`);
    }
    // "Durable before the response": in WAL mode, synchronous=NORMAL syncs only at
    // checkpoints, so a power loss can undo the last commits after they were acknowledged.
    // FULL syncs the WAL on every commit: one fsync per group of pushes. NORMAL only where
    // the caller syncs the WAL itself before it answers (`syncEachCommit: false`).
    db.exec(`PRAGMA synchronous = ${options.syncEachCommit === false ? 'NORMAL' : 'FULL'}`);
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.exec('PRAGMA temp_store = MEMORY');
    db.exec('PRAGMA cache_size = -32000'); // 32 MB of page cache
    db.exec(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    migrate(db);
    prepareCellIndex(db, compaction);
  } catch (err) {
    db.close();
    throw err;
  }

  const tx = transactions(db);
  // Every transaction checks, first, that no newer process migrated the file since it opened.
  const checkSchema = newerSchemaCheck(db);
  const run = <R>(mode: 'immediate' | 'deferred', fn: () => R): R => tx.run(mode, () => {
    checkSchema();
    return fn();
  });
  const { selectUser, pull: pullBody } = sqlitePull(db, pullLimits(options));
  const insertUser = db.prepare('INSERT INTO users (name, last_id, epoch) VALUES (?, 0, ?)');
  const renewUserEpoch = db.prepare('UPDATE users SET epoch = ? WHERE name = ? AND epoch = ?');
  const updateLastId = db.prepare('UPDATE users SET last_id = ? WHERE uid = ?');
  const writer = createPushWriter(db, compaction);
  const pushBody = (userId: string, messages: readonly Message[], rowByRow = false): PushResult => {
    let user = selectUser(userId);
    if (!user) {
      const epoch = newEpoch();
      user = { uid: Number(insertUser.run(userId, epoch).lastInsertRowid), last_id: 0, epoch };
    }
    const lastId = writer.write(user.uid, user.last_id, messages, rowByRow);
    if (lastId !== user.last_id) updateLastId.run(lastId, user.uid);
    return { accepted: messages.length, stored: lastId - user.last_id, maxId: lastId };
  };

  // Several pushes in one transaction (one commit, one fsync), each in a savepoint of its
  // own: a push that fails is undone alone. SQLITE_FULL, SQLITE_IOERR and the like roll back
  // the whole transaction, not the savepoint: the pushes after it would then commit one by
  // one outside the round. The whole round fails with the real error instead, and nothing
  // of it is stored (see Transactions.savepoint).
  const pushManyBody = (items: readonly PushItem[]): (PushResult | Error)[] =>
    items.map((item) => {
      const refused = pushItemError(item);
      if (refused !== null) return refused;
      const result = tx.savepoint(() => pushBody(item.userId, item.messages));
      return result instanceof RedoRowByRow ? tx.savepoint(() => pushBody(item.userId, item.messages, true)) : result;
    });

  const renewBody = (userId: string, current: string): string => {
    renewUserEpoch.run(newEpoch(), userId, current);
    return selectUser(userId)?.epoch ?? '';
  };
  let closed = false;
  /** Every call after close() fails, with better-sqlite3's words (a finalized statement would say less), as a StoreError. */
  const open = (): void => {
    if (closed) throw new StoreError('The database connection is not open');
  };

  return {
    push(userId, messages) {
      open();
      checkServerStoreCall('push', userId, messages); // before anything is written
      // IMMEDIATE takes the write lock up front: no deadlock between two writing processes.
      try {
        return run('immediate', () => pushBody(userId, messages));
      } catch (err) {
        if (!(err instanceof RedoRowByRow)) throw err;
        return run('immediate', () => pushBody(userId, messages, true));
      }
    },
    pushMany(items) {
      open();
      if (!Array.isArray(items)) throw new ValidationError('invalid_argument', 'pushMany: items must be an array of { userId, messages }');
      return run('immediate', () => pushManyBody(items));
    },
    pull(userId, options) {
      open();
      checkServerStoreCall('pull', userId, options);
      // One read transaction: the page and the user's greatest id come from one snapshot.
      return run('deferred', () => pullBody(userId, options));
    },
    renewEpoch(userId, current) {
      open();
      checkServerStoreCall('renewEpoch', userId, current);
      return run('immediate', () => renewBody(userId, current));
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
