/**
 * The SQLite store's schema and its migrations, versioned with `PRAGMA user_version`.
 * Each migration runs once, in a transaction, in order; a database written by a newer
 * server (a greater version than this code knows) is refused instead of being misread.
 */
import type { DatabaseSync } from 'node:sqlite';
import { NewerSchemaError } from './newer-schema.ts';
import { transactions } from './sqlite-transaction.ts';

const MIGRATIONS: readonly string[] = [
  // 1: users with their id counter, and every stored message. `seq` is SQLite's rowid;
  // the protocol's id is `id`, per user, assigned inside the write transaction. Pulls read
  // messages_by_id, which also holds client_id so that a caller's own messages are skipped
  // without reading their rows.
  `CREATE TABLE users (
     uid     INTEGER PRIMARY KEY,
     name    TEXT NOT NULL UNIQUE,
     last_id INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE messages (
     seq       INTEGER PRIMARY KEY,
     uid       INTEGER NOT NULL,
     id        INTEGER NOT NULL,
     hlc       TEXT NOT NULL,
     tbl       TEXT NOT NULL,
     row       TEXT NOT NULL,
     col       TEXT NOT NULL,
     value     TEXT NOT NULL,
     client_id TEXT NOT NULL
   );
   CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
   CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);`,
  // 2: each user's log has an epoch (docs/protocol.md, "Epochs"): random, renewed when a
  // client shows a cursor beyond the log's end (the database was restored from a backup).
  `ALTER TABLE users ADD COLUMN epoch TEXT NOT NULL DEFAULT '';
   UPDATE users SET epoch = lower(hex(randomblob(8)));`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown when the database cannot be used by this version of the server. */
export class StoreSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreSchemaError';
  }
}

/** Runs `fn` in an IMMEDIATE transaction, rolled back if it throws. */
const immediate = (db: DatabaseSync, fn: () => void): void => transactions(db).run('immediate', fn);

/**
 * Throws StoreSchemaError for a database a newer server wrote; returns its version otherwise.
 * The store calls it first, before any PRAGMA that writes: switching a file restored from a
 * backup (rollback journal) to WAL rewrites its header, and a refused database is left as it was.
 */
export function refuseNewer(db: DatabaseSync): number {
  const version = Number(db.prepare('PRAGMA user_version').get()?.user_version);
  if (version > SCHEMA_VERSION) {
    throw new StoreSchemaError(
      `the database has schema version ${version}, newer than this server knows (${SCHEMA_VERSION}); upgrade the server`,
    );
  }
  return version;
}

/**
 * The check of each transaction, once the store is open (round 63): another process may have
 * migrated the file since (newer-schema.ts). Called inside the transaction, first: the version
 * comes from the same snapshot as what the transaction then reads or writes, from the file's
 * header, which SQLite reads as each transaction starts anyway (a statement step, no I/O).
 * Once a newer version is seen, every later call throws at once.
 */
export function newerSchemaCheck(db: DatabaseSync): () => void {
  const read = db.prepare('PRAGMA user_version');
  let newer: NewerSchemaError | null = null;
  return () => {
    if (newer !== null) throw newer;
    const version = Number(read.get()?.user_version);
    if (version > SCHEMA_VERSION) throw (newer = new NewerSchemaError(version, SCHEMA_VERSION));
  };
}

/**
 * The version is read again under the write lock (BEGIN IMMEDIATE): another process opening
 * the file at the same moment may have migrated it since the first read, and would otherwise
 * see each migration run twice (the second ALTER TABLE failing). All of them in one transaction.
 */
export function migrate(db: DatabaseSync): void {
  if (refuseNewer(db) === SCHEMA_VERSION) return; // up to date: no write lock taken
  immediate(db, () => {
    for (let v = refuseNewer(db); v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    }
  });
}

/**
 * Compaction of a database that ran without it: each cell's messages ranked by one sort,
 * newest first, and all but the first dropped. (Until round 61 a correlated EXISTS, which
 * without the cell index (this runs only when the index is missing) scanned the table once
 * per message: 20,000 messages took 8 s, 30,000 97 s. killed-start-sqlite.test.ts checks the
 * plan: one scan of the table, no correlated subquery.)
 */
export const DROP_LOST_MESSAGES = `DELETE FROM messages WHERE seq IN (
  SELECT seq FROM (
    SELECT seq, row_number() OVER (PARTITION BY uid, tbl, row, col ORDER BY hlc DESC) AS rank
    FROM messages)
  WHERE rank > 1)`;

/**
 * Puts the cell index in the shape the compaction mode needs. With compaction, every cell
 * holds at most one message, enforced by a unique index; a database that ran without
 * compaction is compacted first (every message that lost its cell is dropped). Without
 * compaction the index would only slow writes down, so it is dropped.
 */
export function prepareCellIndex(db: DatabaseSync, compaction: boolean): void {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'messages_by_cell'`);
  const exists = (): boolean => has.get() !== undefined;
  // Checked again under the write lock, as in migrate: another process may have done it since.
  if (compaction && !exists()) {
    immediate(db, () => {
      if (exists()) return;
      db.exec(DROP_LOST_MESSAGES);
      db.exec('CREATE UNIQUE INDEX messages_by_cell ON messages (uid, tbl, row, col)');
    });
  } else if (!compaction && exists()) {
    db.exec('DROP INDEX IF EXISTS messages_by_cell');
  }
}
