/** SQLite files for the benchmarks: the app's client store, and raw tables to compare with. */
import { join } from 'node:path';
import { defineSchema } from 'fieldsync';
import { createSqliteStore, openDatabase, type Db, type SqliteStore } from 'fieldsync/sqlite';
import { tempDir as baseTempDir, type TempDir } from '../../test-support/temp-dir.ts';

/** The todos table of the benchmarks (the app's own columns). */
export const benchSchema = defineSchema({
  version: 1,
  tables: { todos: { listId: 'string', title: 'string', done: 'boolean', order: 'string', createdAt: 'integer' } },
});

export interface BenchDir extends TempDir {
  file(name: string): string;
}

export function tempDir(name: string): BenchDir {
  const dir = baseTempDir(`fieldsync-bench-${name}-`);
  return { ...dir, file: (file) => join(dir.path, file) };
}

/** The client store on a fresh file, opened with the benchmark schema. */
export function openStore(file: string): SqliteStore {
  const store = createSqliteStore(openDatabase(file));
  store.open(benchSchema);
  return store;
}

/**
 * The raw database the comparisons are made against: the same file settings (WAL,
 * synchronous=NORMAL) and a todos table with the same native columns, written directly.
 */
export function openRawTodos(file: string): Db {
  const db = openDatabase(file);
  db.exec(`CREATE TABLE todos (id TEXT PRIMARY KEY NOT NULL, listId TEXT, title TEXT, done INTEGER, "order" TEXT, createdAt INTEGER)`);
  return db;
}
