/**
 * Files written by older Fieldsync versions, kept as SQL text in test-support/upgrade-fixtures
 * (its README says which commit made each and how to remake them). `restoreDump` turns one
 * back into a SQLite file, byte layout aside exactly as the old code left it: the same
 * tables, indexes, triggers, rows and user_version. `useRestoredDataDirs` is the set-up of a
 * test file that starts server processes on such data dirs.
 */
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { SQLITE_FILE } from '../server/stores/open-store.ts';
import { stopServers, type ChildServer } from './child-server.ts';
import { tempDir, type TempDir } from './temp-dir.ts';

const FIXTURES = join(import.meta.dirname, 'upgrade-fixtures');

export function readDump(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Writes the dump `name` into a new SQLite file `file`, private to this user as the stores want. */
export function restoreDump(name: string, file: string): void {
  const db = new Database(file);
  try {
    db.exec(readDump(name));
  } finally {
    db.close();
  }
  chmodSync(file, 0o600);
}

/** A server data dir, `<parent>/data` (private, as the server makes it), whose database holds the dump `name`. */
export function restoreDataDir(parent: string, name: string): { data: string; file: string } {
  const data = join(parent, 'data');
  mkdirSync(data, { mode: 0o700 });
  const file = join(data, SQLITE_FILE);
  restoreDump(name, file);
  return { data, file };
}

export interface RestoredDataDirs {
  /** The server processes a test started: push each one, and it is stopped after the test. */
  readonly servers: ChildServer[];
  /** A data dir in a new temporary folder (`prefix`), holding the dump `name`; removed after the test. */
  dataDir(prefix: string, name: string): { data: string; file: string };
}

/**
 * For a test file whose tests start server processes on data dirs older versions wrote:
 * registers an afterEach that stops the servers first (a live process still holds the
 * database open), then removes the folders.
 */
export function useRestoredDataDirs(): RestoredDataDirs {
  const servers: ChildServer[] = [];
  const dirs: TempDir[] = [];
  afterEach(async () => {
    await stopServers(servers);
    for (const dir of dirs.splice(0)) dir.remove();
  });
  return {
    servers,
    dataDir(prefix, name) {
      const dir = tempDir(prefix);
      dirs.push(dir);
      return restoreDataDir(dir.path, name);
    },
  };
}
