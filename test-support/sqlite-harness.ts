/**
 * The SQLite store on a real file, as the conformance and convergence suites want it.
 * `reopen` opens a NEW connection on the same file without closing the old one, as after a
 * crash: the old process's connection is simply abandoned. `connect` opens another beside it,
 * as a second process does (the suite's shared-store cases).
 */
import { join } from 'node:path';
import { createSqliteStore, openDatabase, type Db, type SqliteStore } from 'fieldsync/sqlite';
import type { Schema } from 'fieldsync';
import type { StoreHarness } from 'fieldsync/testing';
import { tempDir } from './temp-dir.ts';

export interface SqliteFile {
  readonly file: string;
  /** A store on a new connection to the file. */
  open(): SqliteStore;
  /** Closes every connection opened here and removes the folder. */
  dispose(): void;
}

export function sqliteFile(name = 'store.db'): SqliteFile {
  const dir = tempDir('fieldsync-store-');
  const file = join(dir.path, name);
  const connections: Db[] = [];
  return {
    file,
    open() {
      const db = openDatabase(file);
      connections.push(db);
      return createSqliteStore(db);
    },
    dispose() {
      for (const db of connections) if (db.open) db.close();
      dir.remove();
    },
  };
}

export interface SchemaStores {
  /** A store on a new file, opened on the schema. */
  open(): SqliteStore;
  /** The file of the last `open()`. */
  last(): SqliteFile;
  /** Another connection to that file, opened on the schema too (its statements are its own). */
  again(): SqliteStore;
  /** Closes every connection and removes every file: a test file's `afterEach`. */
  dispose(): void;
}

/** Stores opened on `schema`, each on a file of its own: what most store tests begin with. */
export function schemaStores(schema: Schema): SchemaStores {
  const files: SqliteFile[] = [];
  const opened = (file: SqliteFile): SqliteStore => {
    const store = file.open();
    store.open(schema);
    return store;
  };
  const last = (): SqliteFile => {
    const file = files.at(-1);
    if (!file) throw new Error('schemaStores: no store opened yet');
    return file;
  };
  return {
    open() {
      const file = sqliteFile();
      files.push(file);
      return opened(file);
    },
    last,
    again: () => opened(last()),
    dispose() {
      for (const file of files.splice(0)) file.dispose();
    },
  };
}

export function sqliteHarness(file: SqliteFile = sqliteFile(), owner = true): StoreHarness {
  const store = file.open();
  return {
    store,
    readRow: (table, row) => store.readRow(table, row),
    reopen: () => sqliteHarness(file, owner),
    // Another connection to the file, as a second process opens it (closed by dispose()).
    connect: () => file.open(),
    dispose: () => {
      if (owner) file.dispose();
    },
  };
}

/** Counts the WAL checkpoints run on `db` (each `wal_checkpoint` pragma), from now on. */
export function countCheckpoints(db: Db): { checkpoints: number } {
  const pragma = db.pragma.bind(db);
  const calls = { checkpoints: 0 };
  db.pragma = ((source: string, o?: { simple?: boolean }) => {
    if (source.startsWith('wal_checkpoint')) calls.checkpoints++;
    return pragma(source, o);
  }) as typeof db.pragma;
  return calls;
}
