/** The client store's files are the user's alone: new folders 0700, the database 0600 (issue 11 item 6). */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../../test-support/temp-dir.ts';
import { openDatabase } from '../open-database.ts';
import { ensurePrivateDatabaseFile, ensurePrivateDir, tightenMode } from '../private-files.ts';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(process.platform === 'win32')('private files (POSIX modes; skipped on Windows)', () => {
  const dirs: TempDir[] = [];
  const dir = (): string => {
    const d = tempDir('fieldsync-private-');
    dirs.push(d);
    return d.path;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('openDatabase creates missing folders 0700 and the file 0600, whatever the umask', () => {
    const previous = process.umask(0o000);
    try {
      const root = dir();
      const file = join(root, 'a', 'b', 'app.db');
      const db = openDatabase(file);
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      expect([mode(join(root, 'a')), mode(join(root, 'a', 'b')), mode(file), mode(`${file}-wal`)]).toEqual(['700', '700', '600', '600']);
      db.close();
    } finally {
      process.umask(previous);
    }
  });

  it('openDatabase tightens a database left readable by others, but not the folder a user chose', () => {
    const root = dir();
    chmodSync(root, 0o755);
    const file = join(root, 'app.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    openDatabase(file).close();
    expect([mode(root), mode(file)]).toEqual(['755', '600']);
    ensurePrivateDir(root); // an app's own profile folder: tightened
    expect(mode(root)).toBe('700');
  });

  it("tightens a database's journals left readable by others: -wal, -shm and -journal", () => {
    // Left by an older version, or by SQLite opening the file before it was made private.
    const file = join(dir(), 'server.db');
    const files = [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
    for (const f of files) {
      writeFileSync(f, '');
      chmodSync(f, 0o644);
    }
    ensurePrivateDatabaseFile(file);
    expect(files.map(mode)).toEqual(['600', '600', '600', '600']);
  });

  it('tightens, never loosens', () => {
    const d = dir();
    const f = join(d, 'f');
    writeFileSync(f, '');
    chmodSync(f, 0o400);
    tightenMode(f, 0o600);
    expect(mode(f)).toBe('400');
    chmodSync(f, 0o664);
    tightenMode(f, 0o600);
    expect(mode(f)).toBe('600');
    tightenMode(join(d, 'missing'), 0o600); // nothing to do, no error
  });
});
