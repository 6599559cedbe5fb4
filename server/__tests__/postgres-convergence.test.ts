/**
 * The sync core's property-based convergence suite over the PostgreSQL server store: random
 * writes, deletes, faulty syncs, kills and clock skew, every replica equal to the model at
 * the end, the server holding each message at most once (exactly the winners with
 * compaction). Client stores are in memory. One database, emptied before every run.
 */
import type { Pool } from 'pg';
import { afterAll, beforeAll, it } from 'vitest';
import { checkConvergence } from '../../test-support/convergence/convergence.ts';
import { memoryTarget } from '../../test-support/convergence/memory-target.ts';
import { migratePostgres } from '../stores/postgres-schema.ts';
import { createPostgresPool, createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPostgresPool({ url: db.url, poolMax: 4 });
  await migratePostgres(pool);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

it('converges over the PostgreSQL server store (100 runs)', async () => {
  await checkConvergence({
    ...memoryTarget,
    async createServerStore({ compaction }) {
      await pool.query('TRUNCATE fieldsync_messages, fieldsync_users');
      const store = await createPostgresServerStore({ pool, compaction, migrate: false });
      return { store, dispose: () => store.close() };
    },
  }, { numRuns: 100, seed: 5432 });
}, 300_000);
