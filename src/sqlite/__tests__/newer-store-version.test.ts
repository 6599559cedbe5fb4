/**
 * A client file that a newer version of the app wrote (a store version greater than this code
 * knows): an app rolled back, or a profile copied to a machine with an older app. It must be
 * refused with a typed error (StoreVersionError, a StoreError) that says what happened, and
 * left byte for byte as it was: it holds the newer app's unpushed writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, defineSchema } from '../../sync/index.ts';
import { STORE_VERSION, StoreVersionError } from '../migrations.ts';
import { openDatabase } from '../open-database.ts';
import { createSqliteStore } from '../sqlite-store.ts';
import { tempDir, type TempDir } from '../../../test-support/temp-dir.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const refusal = `this database was written by a newer version of the app (store version ${STORE_VERSION + 1}, this app knows ${STORE_VERSION})`;

let dir: TempDir | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

/** This app's file with a local write, then what a newer app did: a table, and its version. `backup`: a copy in rollback-journal mode (VACUUM INTO, `.backup`). */
function newerFile(backup: boolean): string {
  dir = tempDir('fieldsync-newer-');
  const file = join(dir.path, 'app.db');
  const db = openDatabase(file);
  const store = createSqliteStore(db);
  store.open(schema);
  store.commit({ writes: [{ table: 'todos', row: 't1', column: 'title', value: 'Milk', hlc: '2026-01-01T00:00:00.000Z-0000-me' }] });
  db.close();
  const raw = new Database(file);
  raw.exec(`CREATE TABLE fieldsync_future (x TEXT); PRAGMA user_version = ${STORE_VERSION + 1}`);
  if (backup) raw.pragma('journal_mode = DELETE');
  raw.close();
  return file;
}

describe.each([['as the newer app left it (WAL)', false], ['restored from a backup (rollback journal)', true]])('a client file of a newer store version, %s', (_, backup) => {
  it('openDatabase throws StoreVersionError, a StoreError, and changes nothing', () => {
    const file = newerFile(backup);
    const before = readFileSync(file);
    let caught: unknown;
    try {
      openDatabase(file).close();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreVersionError);
    expect(caught).toBeInstanceOf(StoreError);
    expect(caught).toMatchObject({ code: 'store', message: refusal, version: STORE_VERSION + 1, known: STORE_VERSION });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a connection opened before the newer app wrote: store.open throws StoreVersionError, and changes nothing', () => {
    const file = newerFile(backup);
    const db = new Database(file); // as a caller's own connection: no check of its own
    try {
      const before = readFileSync(file);
      expect(() => createSqliteStore(db).open(schema)).toThrow(StoreVersionError);
      expect(readFileSync(file).equals(before)).toBe(true);
    } finally {
      db.close();
    }
  });
});
