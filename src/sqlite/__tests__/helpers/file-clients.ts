/**
 * A test file's SQLite files and the sync clients on them, closed after each test: the clients
 * first, then the files' connections and folders (round 68: evict-marks.test.ts and
 * write-past-winner.test.ts each wrote this `afterEach` out).
 */
import { afterEach } from 'vitest';
import type { SyncClient } from '../../../sync/index.ts';
import { sqliteFile, type SqliteFile } from '../../../../test-support/sqlite-harness.ts';

export interface FileClients {
  /** A new file in a folder of its own, removed after the test. */
  file(): SqliteFile;
  /** `client`, closed after the test, before the files. */
  keep(client: SyncClient): SyncClient;
}

/** Registers the `afterEach`; call it once at the top of a test file. */
export function useFileClients(): FileClients {
  const files: SqliteFile[] = [];
  const clients: SyncClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const f of files.splice(0)) f.dispose();
  });
  return {
    file() {
      const f = sqliteFile();
      files.push(f);
      return f;
    },
    keep(client) {
      clients.push(client);
      return client;
    },
  };
}
