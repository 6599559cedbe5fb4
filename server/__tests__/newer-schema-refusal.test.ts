/**
 * A database that a newer server wrote (a schema version greater than this code knows), met
 * by this server: a roll back after an upgrade, or one process of a fleet left on the old
 * version. It must be refused with a typed error that says what to do, and left exactly as it
 * was: the newer server's data is not ours to touch. Checked on the store and on a real
 * server process (`node server/main.ts`), for SQLite and PostgreSQL.
 */
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { POSTGRES_SCHEMA_VERSION, PostgresSchemaError } from '../stores/postgres-schema.ts';
import { createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { SCHEMA_VERSION, StoreSchemaError } from '../stores/sqlite-schema.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';
import { runScript } from '../../test-support/child-server.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { tempDir } from './helpers/temp-dir.ts';

const SECRET = 'newer-schema-test-secret-0123456789abcdef';
const message = (n: number) => ({ hlc: formatHlc({ millis: Date.now() - 1000 + n, counter: 0, clientId: 'A' }), table: 'todos', row: `r${n}`, column: 'title', value: `v${n}` });

let dir: TempDir | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  dir?.remove();
  await db?.drop();
  dir = undefined;
  db = undefined;
});

describe('a SQLite server database of a newer schema', () => {
  /**
   * The current server's file, then what a newer one did: a column, and its version. `backup`:
   * as a copy made with `VACUUM INTO` or the sqlite3 shell's `.backup` is (rollback journal, not WAL).
   */
  function newerDataDir(backup: boolean): { dataDir: string; file: string } {
    dir = tempDir();
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const file = join(dataDir, SQLITE_FILE);
    const store = createSqliteServerStore({ file });
    store.push('alice', [message(1), message(2)]);
    store.close();
    const raw = new Database(file);
    raw.exec(`ALTER TABLE messages ADD COLUMN future TEXT; PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    if (backup) raw.pragma('journal_mode = DELETE');
    raw.close();
    return { dataDir, file };
  }

  /** The database as it is on disk: the main file's bytes, and a WAL left with anything in it. */
  function onDisk(file: string): { bytes: Buffer; wal: number } {
    const wal = readdirSync(join(file, '..')).includes(`${SQLITE_FILE}-wal`) ? statSync(`${file}-wal`).size : 0;
    return { bytes: readFileSync(file), wal };
  }

  it.each([['as the newer server left it (WAL)', false], ['restored from a backup (rollback journal)', true]])('%s: the store throws StoreSchemaError and changes nothing', (_, backup) => {
    const { file } = newerDataDir(backup);
    const before = onDisk(file);
    expect(() => createSqliteServerStore({ file })).toThrow(StoreSchemaError);
    expect(() => createSqliteServerStore({ file })).toThrow(`the database has schema version ${SCHEMA_VERSION + 1}, newer than this server knows (${SCHEMA_VERSION}); upgrade the server`);
    const after = onDisk(file);
    expect(after.wal).toBe(0);
    expect(after.bytes.equals(before.bytes)).toBe(true);
  });

  // The process once, on the backup (the case where the store once wrote): starting Node costs seconds on a busy machine.
  it('restored from a backup: the server process exits 1 with one clear line, and changes nothing', () => {
    const { dataDir, file } = newerDataDir(true);
    const before = onDisk(file);
    const r = runScript('main.ts', [], { FIELDSYNC_DATA_DIR: dataDir, FIELDSYNC_SECRET: SECRET });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`fieldsync: cannot start: the database has schema version ${SCHEMA_VERSION + 1}, newer than this server knows (${SCHEMA_VERSION}); upgrade the server\n`);
    const after = onDisk(file);
    expect(after.wal).toBe(0);
    expect(after.bytes.equals(before.bytes)).toBe(true);
  });
});

describe('a PostgreSQL database of a newer schema', () => {
  /** What the database holds: every fieldsync table's columns and rows. */
  async function snapshot(url: string): Promise<unknown> {
    const c = await connectClient(url);
    try {
      const columns = (await c.query(`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)).rows;
      const schema = (await c.query('SELECT version, applied_at FROM fieldsync_schema ORDER BY version')).rows;
      const users = (await c.query('SELECT * FROM fieldsync_users ORDER BY user_id')).rows;
      const messages = (await c.query('SELECT * FROM fieldsync_messages ORDER BY user_id, id')).rows;
      return { columns, schema, users, messages };
    } finally {
      await c.end();
    }
  }

  async function newerDatabase(): Promise<string> {
    db = await createTestDatabase();
    const store = await createPostgresServerStore({ url: db.url });
    await store.push('alice', [message(1), message(2)]);
    await store.close();
    const c = await connectClient(db.url);
    try {
      await c.query(`ALTER TABLE fieldsync_messages ADD COLUMN future text; INSERT INTO fieldsync_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1})`);
    } finally {
      await c.end();
    }
    return db.url;
  }

  const refusal = `the database has fieldsync schema version ${POSTGRES_SCHEMA_VERSION + 1}, newer than this server knows (${POSTGRES_SCHEMA_VERSION}); upgrade the server`;

  it('the store rejects with PostgresSchemaError and changes nothing', async () => {
    const url = await newerDatabase();
    const before = await snapshot(url);
    const opening = createPostgresServerStore({ url });
    await expect(opening).rejects.toThrow(PostgresSchemaError);
    await expect(opening).rejects.toThrow(refusal);
    expect(await snapshot(url)).toEqual(before);
  });

  it('the server process exits 1 with one clear line, and changes nothing', async () => {
    const url = await newerDatabase();
    dir = tempDir();
    const before = await snapshot(url);
    const r = runScript('main.ts', [], { FIELDSYNC_DATABASE_URL: url, FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_SECRET: SECRET });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`fieldsync: cannot use the database (postgres ${new URL(url).host}${new URL(url).pathname}): ${refusal}\n`);
    expect(await snapshot(url)).toEqual(before);
  });
});
