/**
 * The newer-schema latch at the store's level (round 64, round 63's loose ends): a store whose
 * database another process migrated past it must refuse what it meets first, whatever that is
 * (a pull of a user it has never seen, an epoch renewal), and latch only on a version it read,
 * never on an error a client could bring about. Real SQLite files and a real PostgreSQL
 * database; a second session moves the schema as a newer server's migration does.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { NewerSchemaError } from '../stores/newer-schema.ts';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { createPostgresServerStore, type PostgresServerStore } from '../stores/postgres-server-store.ts';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { tempDir } from './helpers/temp-dir.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';

const message = (n: number) => ({ hlc: formatHlc({ millis: Date.now() - 1000 + n, counter: 0, clientId: 'A' }), table: 'todos', row: `r${n}`, column: 'title', value: `v${n}` });
const PULL = { cursor: 0, limit: 100, excludeClientId: 'B' } as const;

let dir: TempDir | undefined;
let db: TestDatabase | undefined;
let pgStore: PostgresServerStore | undefined;
afterEach(async () => {
  await pgStore?.close();
  await db?.drop();
  dir?.remove();
  pgStore = undefined;
  db = undefined;
  dir = undefined;
});

describe('SQLite: an epoch renewal under a newer schema', () => {
  it('latches: renews nothing, and refuses everything after it', () => {
    dir = tempDir();
    const file = join(dir.path, 'fieldsync.sqlite');
    const store = createSqliteServerStore({ file });
    try {
      store.push('alice', [message(1), message(2)]);
      const epoch = store.pull('alice', PULL).epoch;
      const raw = new Database(file);
      try {
        raw.exec(`BEGIN IMMEDIATE; ALTER TABLE messages ADD COLUMN future TEXT; PRAGMA user_version = ${SCHEMA_VERSION + 1}; COMMIT`);
        // A client's cursor beyond the log's end (a restore) asks for a new epoch: not under a schema it does not know.
        expect(() => store.renewEpoch('alice', epoch)).toThrow(NewerSchemaError);
        expect(raw.prepare('SELECT epoch FROM users WHERE name = ?').get('alice')).toEqual({ epoch });
        expect(() => store.pull('nobody', PULL)).toThrow(NewerSchemaError);
        expect(() => store.push('bob', [message(3)])).toThrow(NewerSchemaError);
        expect(raw.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 1 });
      } finally {
        raw.close();
      }
    } finally {
      store.close();
    }
  });
});

const noPostgres = !inject('fieldsyncPostgresUrl');
describe.skipIf(noPostgres)(`PostgreSQL: the latch${noPostgres ? ' (skipped: no PostgreSQL server for this run)' : ''}`, () => {
  /** A store that holds alice's two messages, and a second session of the test's own. */
  async function storeAndSession(): Promise<{ store: PostgresServerStore; c: Awaited<ReturnType<typeof connectClient>> }> {
    db = await createTestDatabase();
    pgStore = await createPostgresServerStore({ url: db.url, poolMax: 2 });
    await pgStore.push('alice', [message(1), message(2)]);
    return { store: pgStore, c: await connectClient(db.url) };
  }
  const migrateNewer = (c: Awaited<ReturnType<typeof connectClient>>) =>
    c.query(`BEGIN; ALTER TABLE fieldsync_messages ADD COLUMN future text; INSERT INTO fieldsync_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1}); COMMIT`);

  it('a pull of a user the database does not hold meets the newer version in its own statement (no empty answer)', async () => {
    const { store, c } = await storeAndSession();
    try {
      await migrateNewer(c);
      await expect(store.pull('nobody', PULL)).rejects.toThrow(NewerSchemaError);
      expect(store.failure()).toBeInstanceOf(NewerSchemaError);
      expect(store.failure()?.message).toContain(`schema version ${POSTGRES_SCHEMA_VERSION + 1}, newer than this server knows (${POSTGRES_SCHEMA_VERSION})`);
    } finally {
      await c.end();
    }
  });

  it('a pull of an unknown user under the current schema is still answered empty, and latches nothing', async () => {
    const { store, c } = await storeAndSession();
    try {
      expect(await store.pull('nobody', PULL)).toEqual({ messages: [], cursor: 0, more: false, lastId: 0, epoch: '' });
      expect(await store.pull('nobody', { ...PULL, cursor: 7 })).toEqual({ messages: [], cursor: 7, more: false, lastId: 0, epoch: '' });
      expect(store.failure()).toBeNull();
    } finally {
      await c.end();
    }
  });

  it('an epoch renewal under a newer schema latches: the epoch stays, everything after is refused', async () => {
    const { store, c } = await storeAndSession();
    try {
      const { epoch } = await store.pull('alice', PULL);
      await migrateNewer(c);
      await expect(store.renewEpoch('alice', epoch)).rejects.toThrow(NewerSchemaError);
      expect((await c.query('SELECT epoch FROM fieldsync_users WHERE user_id = $1', ['alice'])).rows).toEqual([{ epoch }]);
      expect(store.failure()).toBeInstanceOf(NewerSchemaError);
      await expect(store.push('bob', [message(3)])).rejects.toThrow(NewerSchemaError);
      expect((await c.query('SELECT count(*)::int AS n FROM fieldsync_users')).rows).toEqual([{ n: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('a statement failing on a column it does not find, with the version unchanged, is that error: no latch', async () => {
    // What an operator's hand, not a newer server, did (the version is still ours): the store
    // must not take itself down for every user on a failure it did not read a version for.
    const { store, c } = await storeAndSession();
    try {
      await c.query('ALTER TABLE fieldsync_users RENAME COLUMN last_id TO last_seq');
      const err = await store.push('alice', [message(3)]).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(NewerSchemaError);
      expect((err as { code?: unknown }).code).toBe('42703');
      expect(store.failure()).toBeNull();
      await c.query('ALTER TABLE fieldsync_users RENAME COLUMN last_seq TO last_id');
      expect((await store.push('alice', [message(3)])).stored).toBe(1); // served again, as the error passed
    } finally {
      await c.end();
    }
  });
});
