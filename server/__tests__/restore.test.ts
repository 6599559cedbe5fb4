/**
 * A server whose database is restored from a copy taken mid-session, while its clients keep
 * writing: the clients notice (a cursor beyond the log's end renews the user's epoch), start
 * over, push their own messages again, and everything converges. On SQLite (an online
 * backup of the live file, put back while the server is stopped) and on PostgreSQL (a
 * snapshot of the tables, put back while the server is stopped).
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/free-port.ts';
import { createPostgresPool } from '../stores/postgres-server-store.ts';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { runRestoreScenario, type RestorableServer, type RestoreReport } from './helpers/restore-scenario.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { seedFromEnv } from '../../test-support/seed-env.ts';

async function restartable(env: Record<string, string>, dataDir: string, compaction: boolean): Promise<Omit<RestorableServer, 'backup' | 'restore'>> {
  const port = await freePort();
  let running: TestServer | null = null;
  const fullEnv = { ...env, PORT: String(port), FIELDSYNC_COMPACTION: compaction ? 'on' : 'off' };
  return {
    url: `http://127.0.0.1:${port}`,
    compaction,
    async start() {
      running = await startTestServer({ dataDir, env: fullEnv });
    },
    async stop() {
      await running?.server.close();
      running = null;
    },
    async held() {
      const s = running ?? (await startTestServer({ dataDir, env: { ...fullEnv, PORT: '0' } }));
      try {
        return await s.pullAll('alice');
      } finally {
        if (!running) await s.server.close();
      }
    },
  };
}

function expectStartedOver(report: RestoreReport): void {
  const [after] = report.epochsAfter;
  expect(report.epochsBefore.every((e) => e === report.epochsBefore[0] && e !== '')).toBe(true);
  expect(report.epochsAfter.every((e) => e === after)).toBe(true);
  expect(after).not.toBe(report.epochsBefore[0]);
}

describe('a server restored from a backup while clients keep writing', () => {
  for (const compaction of [true, false]) {
    it(`SQLite (compaction ${compaction ? 'on' : 'off'}): every write reaches the server, and all replicas are equal`, async () => {
      const dir = tempDir();
      try {
        const file = join(dir.path, SQLITE_FILE);
        const copy = join(dir.path, 'backup.sqlite');
        const base = await restartable({}, dir.path, compaction);
        const report = await runRestoreScenario({
          ...base,
          async backup() {
            const db = new Database(file, { readonly: true });
            try {
              await db.backup(copy); // SQLite's online backup of the live database
            } finally {
              db.close();
            }
          },
          async restore() {
            for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
            copyFileSync(copy, file);
          },
        }, seedFromEnv(0) + (compaction ? 11 : 12));
        expectStartedOver(report);
      } finally {
        dir.remove();
      }
    });
  }

  describe('PostgreSQL', () => {
    let db: TestDatabase;
    let pool: Pool;
    beforeAll(async () => {
      db = await createTestDatabase();
      pool = createPostgresPool({ url: db.url, poolMax: 2 });
    });
    afterAll(async () => {
      await pool?.end();
      await db?.drop();
    });

    for (const compaction of [true, false]) it(`compaction ${compaction ? 'on' : 'off'}: every write reaches the server, and all replicas are equal`, async () => {
      const dir = tempDir();
      await pool.query('DROP TABLE IF EXISTS backup_users, backup_messages');
      await pool.query('DROP TABLE IF EXISTS fieldsync_users, fieldsync_messages, fieldsync_schema');
      try {
        const base = await restartable({ FIELDSYNC_DATABASE_URL: db.url }, dir.path, compaction);
        const report = await runRestoreScenario({
          ...base,
          async backup() {
            // One snapshot of both tables, as pg_dump takes it.
            const client = await pool.connect();
            try {
              await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
              await client.query('CREATE TABLE backup_users AS SELECT * FROM fieldsync_users');
              await client.query('CREATE TABLE backup_messages AS SELECT * FROM fieldsync_messages');
              await client.query('COMMIT');
            } finally {
              client.release();
            }
          },
          async restore() {
            const client = await pool.connect();
            try {
              await client.query('BEGIN');
              await client.query('TRUNCATE fieldsync_users, fieldsync_messages');
              await client.query('INSERT INTO fieldsync_users SELECT * FROM backup_users');
              await client.query('INSERT INTO fieldsync_messages SELECT * FROM backup_messages');
              await client.query('COMMIT');
            } finally {
              client.release();
            }
          },
        }, seedFromEnv(0) + (compaction ? 13 : 14));
        expectStartedOver(report);
      } finally {
        dir.remove();
      }
    });
  });
});
