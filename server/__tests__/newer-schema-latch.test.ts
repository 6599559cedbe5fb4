/**
 * The latch tells (round 65): a store that meets a newer schema tells its onNewerSchema
 * listeners once, at that moment, whichever call met it (a push, a pull, an epoch renewal),
 * so that nothing polls it (newer-schema-exit.ts's grace counts from then) and an embedder of
 * startServer learns of it through its `onNewerSchema` option. Real stores: the SQLite store
 * in its threads (the one startServer opens) over a real file, and a real PostgreSQL
 * database; a second session migrates as a newer server does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { formatHlc, type ServerStore } from 'fieldsync/server';
import { loadConfig, type ServerConfig } from '../config.ts';
import { startServer, type RunningServer } from '../server.ts';
import { isNewerSchema, type NewerSchemaListener } from '../stores/newer-schema.ts';
import { openStore, SQLITE_FILE } from '../stores/open-store.ts';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { SECRET, signToken } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

type LatchingStore = ServerStore & { onNewerSchema(l: NewerSchemaListener): () => void; failure(): Error | null; close(): Promise<void> | void };
const message = (n: number) => ({ hlc: formatHlc({ millis: Date.now() - 1000 + n, counter: 0, clientId: 'A' }), table: 'todos', row: `r${n}`, column: 'title', value: `v${n}` });
const PULL = { cursor: 0, limit: 100, excludeClientId: 'B' } as const;

let dir: TempDir | undefined;
let db: TestDatabase | undefined;
let store: LatchingStore | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await store?.close();
  await db?.drop();
  dir?.remove();
  server = undefined;
  store = undefined;
  db = undefined;
  dir = undefined;
});

/**
 * Through node:sqlite, the SQLite the store's threads use (round 66). Until then better-sqlite3,
 * a second copy of SQLite in this process: POSIX locks are the process's, and each copy keeps
 * its own table of them, so the migration's connection, when it closed, found no other
 * connection on the file, checkpointed it and deleted its -wal and -shm under the store's open
 * connections. The store then read its stale WAL index now and then, and took renewEpoch
 * for a healthy call ("SQLite met by renewEpoch": `expected 'answered' to be 'newer'`, once in
 * 60 runs under load). A newer server is another process, whose locks are seen.
 */
const migrateSqlite = (file: string): void => {
  const raw = new DatabaseSync(file, { timeout: 5000 });
  try {
    raw.exec(`BEGIN IMMEDIATE; ALTER TABLE messages ADD COLUMN future TEXT; PRAGMA user_version = ${SCHEMA_VERSION + 1}; COMMIT`);
  } finally {
    raw.close();
  }
  // The store's connections are open: the log stays theirs (the closing one was not the last).
  expect(existsSync(`${file}-wal`), 'the migration\'s connection deleted the store\'s WAL when it closed').toBe(true);
};
const migratePostgres = async (url: string): Promise<void> => {
  const c = await connectClient(url);
  try {
    await c.query(`BEGIN; ALTER TABLE fieldsync_messages ADD COLUMN future text; INSERT INTO fieldsync_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1}); COMMIT`);
  } finally {
    await c.end();
  }
};

type Path = 'push' | 'pull' | 'renewEpoch';
const meet = (s: LatchingStore, path: Path, epoch: string): Promise<unknown> =>
  Promise.resolve().then(() => path === 'push' ? s.push('bob', [message(3)]) : path === 'pull' ? s.pull('nobody', PULL) : s.renewEpoch('alice', epoch));

/** Healthy calls tell nothing; the first call after the migration tells once; later listeners at once. */
async function expectTold(s: LatchingStore, path: Path, migrate: () => Promise<void> | void): Promise<void> {
  const told: Error[] = [];
  s.onNewerSchema((err) => told.push(err));
  await s.push('alice', [message(1), message(2)]);
  const { epoch } = await s.pull('alice', PULL);
  expect(told).toEqual([]); // healthy: nothing
  await migrate();
  expect(told).toEqual([]); // the store has not looked yet
  const err = await meet(s, path, epoch).then(() => 'answered', (e: unknown) => e);
  expect(isNewerSchema(err) ? 'newer' : err).toBe('newer');
  expect(told).toHaveLength(1);
  expect(told[0]?.message).toBe((err as Error).message);
  expect(isNewerSchema(s.failure())).toBe(true);
  await meet(s, 'push', epoch).catch(() => undefined);
  await meet(s, 'pull', epoch).catch(() => undefined);
  expect(told).toHaveLength(1); // once
  const late: Error[] = [];
  s.onNewerSchema((e) => late.push(e));
  expect(late).toHaveLength(1); // a listener after the latch is told at once
}

const PATHS: Path[] = ['push', 'pull', 'renewEpoch'];
describe('SQLite (the store startServer opens, in its threads): the latch tells its listener once', () => {
  for (const path of PATHS) {
    it(`met by ${path}`, async () => {
      dir = tempDir();
      const dataDir = dir.path;
      store = (await openStore({ dataDir, compaction: true, databaseUrl: undefined })).store as LatchingStore;
      await expectTold(store, path, () => migrateSqlite(join(dataDir, SQLITE_FILE)));
    });
  }
});

const noPostgres = !inject('fieldsyncPostgresUrl');
describe.skipIf(noPostgres)(`PostgreSQL: the latch tells its listener once${noPostgres ? ' (skipped: no PostgreSQL server for this run)' : ''}`, () => {
  for (const path of PATHS) {
    it(`met by ${path}`, async () => {
      db = await createTestDatabase();
      const url = db.url;
      store = await createPostgresServerStore({ url, poolMax: 2 });
      await expectTold(store, path, () => migratePostgres(url));
    });
  }
});

describe('startServer({ onNewerSchema })', () => {
  const config = (dataDir: string): ServerConfig => loadConfig([], { PORT: '0', FIELDSYNC_DATA_DIR: dataDir, FIELDSYNC_SECRET: SECRET }) as ServerConfig;

  it('checks it: anything but a function is a ValidationError (invalid_argument), before anything opens', async () => {
    dir = tempDir();
    for (const bad of ['exit', 3, null, {}]) {
      const err = await startServer(config(dir.path), { onNewerSchema: bad as never }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ValidationError', code: 'invalid_argument' });
      expect((err as Error).message).toMatch(/^startServer: onNewerSchema must be a function, got /);
    }
    expect(await startServer(config(dir.path), 'x' as never).catch((e: unknown) => (e as { code?: unknown }).code)).toBe('invalid_argument');
  });

  it('tells an embedder once, when a sync meets the newer schema; the server goes on answering 503 and never exits', async () => {
    dir = tempDir();
    const dataDir = dir.path;
    const told: Error[] = [];
    server = await startServer(config(dataDir), { log: { level: 'silent' }, onNewerSchema: (err) => told.push(err) });
    const sync = async (cursor: number, messages: unknown[]): Promise<number> => (await fetch(`${(server as RunningServer).url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signToken({ sub: 'alice' }, { secret: SECRET })}` },
      body: JSON.stringify({ clientId: 'A', cursor, messages }),
    })).status;
    expect(await sync(0, [message(1)])).toBe(200);
    expect(await sync(0, [])).toBe(200);
    expect(told).toEqual([]);
    migrateSqlite(join(dataDir, SQLITE_FILE));
    expect(await sync(0, [message(2)])).toBe(503);
    expect(await sync(0, [])).toBe(503);
    expect(told).toHaveLength(1);
    expect(isNewerSchema(told[0])).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
  });
});
