/**
 * `fieldsync/sqlite`: the client store on SQLite, through better-sqlite3 (a peer
 * dependency). Every synced column is a native SQLite column, so an app reads its data with
 * plain SQL; it writes through the sync client.
 *
 * ```ts
 * import { createSyncClient } from 'fieldsync';
 * import { createSqliteStore, openDatabase } from 'fieldsync/sqlite';
 *
 * const db = openDatabase('data/app.db');       // WAL, a busy timeout, foreign keys off
 * const client = await createSyncClient({ schema, store: createSqliteStore(db), remote });
 * db.prepare('SELECT id, title FROM todos WHERE "_deleted" IS NOT 1').all(); // reads are plain SQL
 * ```
 */
export { createSqliteStore } from './sqlite-store.ts';
export type { DataRow, SqliteStore, SqliteStoreOptions } from './sqlite-store.ts';
export type { CheckpointOptions } from './checkpoints.ts';
export { openDatabase } from './open-database.ts';
export { StoreVersionError } from './migrations.ts';
export { fitsType, fromSql } from './sql-values.ts';
export { ensurePrivateDatabaseFile, ensurePrivateDir } from './private-files.ts';
export { ensureOwnDir, refuseForeignOwner, type ForeignOwnerError } from './own-dir.ts';
export type { Db } from './open-database.ts';
