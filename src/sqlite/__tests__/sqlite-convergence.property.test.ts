/**
 * The sync core's property-based convergence suite with SQLite client stores on real files:
 * random writes, deletes and faulty syncs across 2 to 5 clients, and kills: a killed client
 * is reopened on a NEW connection to its file while the old connection stays open, as when a
 * process dies without closing its database.
 */
import { it } from 'vitest';
import { checkConvergence, type ClientStoreHandle } from '../../../test-support/convergence/convergence.ts';
import { memoryTarget, readCells } from '../../../test-support/convergence/memory-target.ts';
import type { SqliteStore } from '../sqlite-store.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

function handle(file: SqliteFile, store: SqliteStore): ClientStoreHandle {
  return {
    store,
    reopen: async () => handle(file, file.open()),
    readCells: async () => readCells((table, options) => store.rows(table, options)),
    dispose: async () => file.dispose(),
  };
}

it('converges under random operations, faults, kills and clock skew (SQLite client stores on real files, 200 runs)', async () => {
  await checkConvergence({
    ...memoryTarget,
    async createClientStore(name) {
      const file = sqliteFile(`${name}.db`);
      return handle(file, file.open());
    },
  }, { numRuns: 200, seed: 20261125 });
}, 300_000);
