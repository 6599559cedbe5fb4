/**
 * Bad arguments to `fieldsync/sqlite`'s public functions are the app's mistake: a
 * ValidationError (`invalid_argument`) that names the function, thrown before anything is
 * created. They were Node's or better-sqlite3's own TypeErrors ("db.transaction is not a
 * function", "The database connection is not open", ERR_INVALID_ARG_TYPE), a StoreError
 * that blamed the file for a bad option, or, for an unknown column type, no error at all
 * (`fitsType` answered undefined).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore, ensurePrivateDatabaseFile, ensurePrivateDir, fitsType, fromSql, openDatabase } from '../index.ts';
import { refusal } from '../../../test-support/refusal.ts';
import { tempDir } from '../../../test-support/temp-dir.ts';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});
const folder = (): string => {
  const d = tempDir('fieldsync-args-');
  dirs.push(d);
  return d.path;
};

const notPaths: unknown[] = [undefined, null, 3, '', {}, [], Object.create(null), 'a\u0000b'];

describe('openDatabase', () => {
  it.each(notPaths.map((p) => [p]))('refuses %s as the file', async (file) => {
    await refusal(() => openDatabase(file as string), /^openDatabase: the path must be a non-empty string$/);
  });

  it.each([[null], ['fast'], [5]])('refuses %s as the options', async (options) => {
    await refusal(() => openDatabase(join(folder(), 'a.db'), options as never), /^openDatabase: options must be an object$/);
  });

  it.each([[-1], [1.5], [Number.NaN], ['5000'], [2 ** 31]])('refuses a busyTimeoutMs of %s, and creates no file', async (busyTimeoutMs) => {
    const dir = folder();
    await refusal(() => openDatabase(join(dir, 'sub', 'a.db'), { busyTimeoutMs: busyTimeoutMs as number }), /^openDatabase: busyTimeoutMs must be an integer/);
    expect(existsSync(join(dir, 'sub'))).toBe(false);
  });

  it('opens with a busyTimeoutMs of 0, of 2147483647 or none', () => {
    const dir = folder();
    openDatabase(join(dir, 'a.db'), { busyTimeoutMs: 0 }).close();
    openDatabase(join(dir, 'b.db')).close();
    openDatabase(join(dir, 'c.db'), { busyTimeoutMs: 2 ** 31 - 1 }).close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.db')).sort()).toEqual(['a.db', 'b.db', 'c.db']);
  });
});

describe('createSqliteStore', () => {
  const fn = (): null => null;
  it.each([
    [undefined], [null], ['todos.db'], [{}], [{ prepare: fn }],
    // Each of the three it uses, missing alone.
    [{ transaction: fn, pragma: fn }], [{ prepare: fn, pragma: fn }], [{ prepare: fn, transaction: fn }],
  ])('refuses %s as the database', async (db) => {
    await refusal(() => createSqliteStore(db as never), /^createSqliteStore: db must be a better-sqlite3 database \(openDatabase\(file\) opens one\)$/);
  });

  it('refuses a closed database', async () => {
    const db = openDatabase(join(folder(), 'a.db'));
    db.close();
    await refusal(() => createSqliteStore(db), /^createSqliteStore: the database is closed$/);
  });
});

describe('fitsType and fromSql', () => {
  it.each([['date'], [undefined], [Object.create(null)]])('refuse %s as a column type', async (type) => {
    await refusal(() => fitsType(type as never, 1), /^fitsType: unknown column type .* \(string, integer, number, boolean or json\)$/);
    await refusal(() => fromSql(type as never, 1), /^fromSql: unknown column type /);
  });

  it("name the type given by its first 40 characters", async () => {
    await refusal(() => fitsType('t'.repeat(100) as never, 1), new RegExp(`^fitsType: unknown column type ${'t'.repeat(40)} \\(`));
  });

  it('answer for every column type', () => {
    expect([fitsType('string', 'a'), fitsType('integer', 1.5), fitsType('number', 1.5), fitsType('boolean', true), fitsType('json', [1])]).toEqual([true, false, true, true, true]);
    expect([fromSql('string', 'a'), fromSql('integer', 2n), fromSql('number', 1.5), fromSql('boolean', 1), fromSql('json', '[1]')]).toEqual(['a', 2, 1.5, true, [1]]);
  });
});

describe('ensurePrivateDir and ensurePrivateDatabaseFile', () => {
  it.each(notPaths.map((p) => [p]))('refuse %s as the path', async (path) => {
    await refusal(() => ensurePrivateDir(path as string), /^ensurePrivateDir: the path must be a non-empty string$/);
    await refusal(() => ensurePrivateDatabaseFile(path as string), /^ensurePrivateDatabaseFile: the path must be a non-empty string$/);
  });
});
