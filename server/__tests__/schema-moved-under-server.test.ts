/**
 * A rolling upgrade done out of order (round 63): a newer process migrates the database while
 * an old one still serves. The old process checked the schema only when it started, and went
 * on writing into a schema it does not know. Now it notices at its next transaction: it
 * answers 503 `unavailable` with Retry-After (its clients go on against the upgraded
 * processes), takes itself out of rotation (/healthz 503), logs one line naming both versions,
 * and writes nothing more. Checked on a real server (real HTTP) over a real SQLite file and a
 * real PostgreSQL database, whose schema version a second session moves past the server's, as
 * a newer server's migration does.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  await server?.stop();
  await db?.drop();
  server = undefined;
  db = undefined;
});

/**
 * What the old process does once the schema moved: every sync refused alike, and out of rotation.
 * `first`: which sync meets the newer schema first, and so is refused by the store's own check
 * (the push: in its write transaction; the pull: SQLite's pull thread, PostgreSQL's pull
 * statement); the syncs after it are refused because the store saw it.
 */
async function expectStopsServing(t: TestServer, found: number, known: number, first: 'push' | 'pull'): Promise<void> {
  const pullOnce = () => t.sync('alice', { clientId: 'B', cursor: 0 });
  const pushOnce = () => t.sync('alice', { clientId: 'B', cursor: 0, messages: [msg('B', 'r9', 'after')] });
  const [a, b] = first === 'push' ? [await pushOnce(), await pullOnce()] : [await pullOnce(), await pushOnce()];
  const again = await t.sync('bob', { clientId: 'C', cursor: 0, messages: [msg('C', 'r1', 'new user')] });
  for (const r of [a, b, again]) {
    expect({ status: r.status, code: (r.body.error as { code?: string } | undefined)?.code, retryAfter: r.headers.get('retry-after') }).toEqual({ status: 503, code: 'unavailable', retryAfter: '2' });
  }
  expect((await fetch(`${t.url}/healthz`)).status).toBe(503);
  const lines = t.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('newer than this server knows'));
  expect(lines.map((l) => l.msg)).toEqual([
    `the database has schema version ${found}, newer than this server knows (${known}): another process upgraded it while this one ran; this process answers every request 503 from now on (stop it, or upgrade it)`,
  ]);
  expect(lines[0]?.level).toBe(40); // a warning
}

describe('a SQLite database migrated by a newer process while the server runs', () => {
  it.each(['push', 'pull'] as const)('met first by a %s: the server stops serving (503 with Retry-After, /healthz 503), one log line, nothing written', async (first) => {
    server = await startTestServer();
    expect((await server.sync('alice', { clientId: 'A', cursor: 0, messages: [msg('A', 'r1', 'one'), msg('A', 'r2', 'two')] })).status).toBe(200);
    // What a newer server's migration does, in one transaction: a column, and the version.
    const raw = new Database(join(server.dataDir, SQLITE_FILE));
    try {
      raw.exec(`BEGIN IMMEDIATE; ALTER TABLE messages ADD COLUMN future TEXT; PRAGMA user_version = ${SCHEMA_VERSION + 1}; COMMIT`);
      await expectStopsServing(server, SCHEMA_VERSION + 1, SCHEMA_VERSION, first);
      expect(raw.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 2 });
      expect(raw.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 1 });
    } finally {
      raw.close();
    }
  });
});

const noPostgres = !inject('fieldsyncPostgresUrl');
describe.skipIf(noPostgres)(`a PostgreSQL database migrated by a newer process while the server runs${noPostgres ? ' (skipped: no PostgreSQL server for this run)' : ''}`, () => {
  async function serverAndSession(): Promise<Awaited<ReturnType<typeof connectClient>>> {
    db = await createTestDatabase();
    server = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url } });
    expect((await server.sync('alice', { clientId: 'A', cursor: 0, messages: [msg('A', 'r1', 'one'), msg('A', 'r2', 'two')] })).status).toBe(200);
    return connectClient(db.url);
  }

  const counts = async (c: Awaited<ReturnType<typeof connectClient>>): Promise<unknown> =>
    (await c.query('SELECT (SELECT count(*)::int FROM fieldsync_messages) AS messages, (SELECT count(*)::int FROM fieldsync_users) AS users')).rows[0];

  it.each(['push', 'pull'] as const)('a newer version and a new column, met first by a %s: the server stops serving, and writes nothing', async (first) => {
    const c = await serverAndSession();
    try {
      await c.query(`BEGIN; ALTER TABLE fieldsync_messages ADD COLUMN future text; INSERT INTO fieldsync_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1}); COMMIT`);
      await expectStopsServing(server as TestServer, POSTGRES_SCHEMA_VERSION + 1, POSTGRES_SCHEMA_VERSION, first);
      expect(await counts(c)).toEqual({ messages: 2, users: 1 });
    } finally {
      await c.end();
    }
  });

  it('a newer migration that renamed a column the server reads: the failing statement is told as the newer schema, not as a fault', async () => {
    const c = await serverAndSession();
    try {
      await c.query(`BEGIN; ALTER TABLE fieldsync_users RENAME COLUMN last_id TO last_seq; INSERT INTO fieldsync_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1}); COMMIT`);
      await expectStopsServing(server as TestServer, POSTGRES_SCHEMA_VERSION + 1, POSTGRES_SCHEMA_VERSION, 'push');
      expect((server as TestServer).logs.filter((l) => l.msg === 'internal error')).toEqual([]);
      expect(await counts(c)).toEqual({ messages: 2, users: 1 });
    } finally {
      await c.end();
    }
  });
});
