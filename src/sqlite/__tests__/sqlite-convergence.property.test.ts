/**
 * The sync core's property-based convergence suite with SQLite client stores on real files:
 * random writes, deletes and faulty syncs across 2 to 5 clients, kills and restores: a
 * killed client is reopened on a NEW connection to its file while the old connection stays
 * open, as when a process dies without closing its database; a restored one is reopened on a
 * copy of a backup of its file, taken earlier in the run (`VACUUM INTO`).
 */
import { copyFileSync } from 'node:fs';
import { it } from 'vitest';
import { checkConvergence, type ClientStoreHandle } from '../../../test-support/convergence/convergence.ts';
import { memoryTarget, readCells } from '../../../test-support/convergence/memory-target.ts';
import type { SqliteStore } from '../sqlite-store.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

/**
 * A client's store on `file`. `files` are every file of the client so far (its backups, and
 * the files it was restored from), removed together when the run ends.
 */
function handle(file: SqliteFile, store: SqliteStore, files: SqliteFile[] = [file]): ClientStoreHandle {
  return {
    store,
    reopen: async () => handle(file, file.open(), files),
    async backup() {
      // A consistent copy of the database as it is now, its -wal's commits included.
      const backup = sqliteFile('backup.db');
      files.push(backup);
      store.db.exec(`VACUUM INTO '${backup.file.replaceAll("'", "''")}'`);
      return async () => {
        const restored = sqliteFile('restored.db');
        files.push(restored);
        copyFileSync(backup.file, restored.file);
        return handle(restored, restored.open(), files);
      };
    },
    readCells: async () => readCells((table, options) => store.rows(table, options)),
    dispose: async () => {
      for (const f of files.splice(0)) f.dispose();
    },
  };
}

it('converges under random operations, faults, kills, restores from backups and clock skew (SQLite client stores on real files, 200 runs)', async () => {
  await checkConvergence({
    ...memoryTarget,
    async createClientStore(name) {
      const file = sqliteFile(`${name}.db`);
      return handle(file, file.open());
    },
  }, { numRuns: 200, seed: 20261125 });
}, 300_000);
