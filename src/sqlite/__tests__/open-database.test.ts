/**
 * A client database that cannot be opened (damaged, not a database at all, a path that
 * cannot be a file) is a StoreError that names the file, with SQLite's or the system's error
 * as its cause: it was SQLite's own untyped error, thrown at the first query for a file that
 * is not a database. A file whose data pages are damaged opens; the store's reads report it.
 */
import { writeFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../sync/index.ts';
import { openDatabase } from '../open-database.ts';
import { tempDir } from '../../../test-support/temp-dir.ts';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});
const folder = (): string => {
  const d = tempDir('fieldsync-open-');
  dirs.push(d);
  return d.path;
};

function openError(file: string): StoreError {
  let caught: unknown = null;
  try {
    openDatabase(file).close();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StoreError);
  const err = caught as StoreError;
  expect(err.code).toBe('store');
  expect(err.message.startsWith(`cannot open the database ${file}: `)).toBe(true);
  expect(err.cause).toBeInstanceOf(Error);
  return err;
}

describe('a client database that cannot be opened', () => {
  it('a file that is not a database', () => {
    const file = join(folder(), 'client.db');
    writeFileSync(file, 'this is not a SQLite database, but a text file long enough to look like a header '.repeat(100));
    expect(openError(file).message).toMatch(/not a database/);
  });

  it('a database cut short (its header names pages it no longer has)', () => {
    const file = join(folder(), 'client.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(100));
    db.close();
    truncateSync(file, 50);
    openError(file);
  });

  it('a path under a file, which cannot be a folder', () => {
    const dir = folder();
    writeFileSync(join(dir, 'plain'), 'x');
    expect(['ENOTDIR', 'EEXIST']).toContain((openError(join(dir, 'plain', 'client.db')).cause as { code?: string }).code);
  });

  it('a good file opens, and an empty one becomes a database', () => {
    const file = join(folder(), 'client.db');
    writeFileSync(file, '');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x TEXT)');
    db.close();
    expect(statSync(file).size).toBeGreaterThan(0);
  });
});
