/**
 * Can a client with a valid token take a PostgreSQL process out of service (round 64)? Round
 * 63's latch reads the schema's version after any statement that fails with a class-42
 * SQLSTATE (a table or column not found, a syntax error): were a client able to cause one, it
 * would cost the process a statement each time, and a latch that followed the failure rather
 * than the version read would answer every user 503 from then on. Tried here: names and values
 * shaped as SQL (the store's own table and column names, quotes, comments, statement ends),
 * cursors and limits at their edges. None reaches SQL as text (every statement takes them as
 * parameters, cast to fixed types), so each is answered as on any day, the process stays in
 * rotation and says nothing of a newer schema. The store's own guard (the latch follows a
 * version read only) is newer-schema-store.test.ts's last case.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const noPostgres = !inject('fieldsyncPostgresUrl');
let db: TestDatabase | undefined;
let server: TestServer | undefined;
beforeAll(async () => {
  if (noPostgres) return;
  db = await createTestDatabase();
  server = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url } });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

const SQL_SHAPED = [
  'fieldsync_schema', 'fieldsync_users', 'version', 'last_id', 'user_id', '"', "'", '\\', "'); DROP TABLE fieldsync_users; --",
  '" OR 1=1 --', '$1', '$9', '::regclass', 'x" COLLATE "nope', '/*', '*/', ';', 'nonexistent_table', 'ÿ', '😀',
];
let n = 0;
const hlc = (clientId: string): string => formatHlc({ millis: Date.now() - 60_000 + ++n, counter: 0, clientId });

it.skipIf(noPostgres)(`PostgreSQL: SQL-shaped names, values and cursors from a valid client trip no latch${noPostgres ? ' (skipped: no PostgreSQL server for this run)' : ''}`, async () => {
  const t = server as TestServer;
  const statuses = new Map<number, number>();
  const count = (status: number): void => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
  for (const s of SQL_SHAPED) {
    // As names (a table and column must be identifiers: the ones that are, the store's own among them, are taken), and as a row id and a value (free text).
    count((await t.sync('alice', { clientId: 'C1', cursor: 0, messages: [{ hlc: hlc('C1'), table: s, row: 'r', column: s, value: 1 }] })).status);
    count((await t.sync('alice', { clientId: 'C1', cursor: 0, messages: [{ hlc: hlc('C1'), table: 'notes', row: s, column: 'title', value: s }] })).status);
    count((await t.sync('alice', { clientId: s, cursor: 0 })).status); // a client id shaped as SQL (refused or taken as text)
  }
  for (const cursor of [-1, 2 ** 53 - 1, 2 ** 31, 1e300, '0; SELECT 1', null]) count((await t.sync('alice', { clientId: 'C1', cursor })).status);
  for (const limit of [0, -5, 2 ** 31, 2 ** 53, 'all']) count((await t.sync('alice', { clientId: 'C1', cursor: 0, limit })).status);
  // Every answer the client's own (200 or a typed 4xx): none 503 (a latch) nor 500.
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  expect(statuses.get(200)).toBeGreaterThan(0);
  expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  expect(t.logs.filter((l) => typeof l.msg === 'string' && (l.msg.includes('newer than this server') || l.msg === 'internal error'))).toEqual([]);
  // And the database is as it was: the version, and the messages stored as plain text.
  const c = await connectClient((db as TestDatabase).url);
  try {
    expect((await c.query('SELECT max(version) AS v FROM fieldsync_schema')).rows).toEqual([{ v: POSTGRES_SCHEMA_VERSION }]);
    const tables = (await c.query<{ tbl: string }>("SELECT DISTINCT tbl FROM fieldsync_messages WHERE user_id = 'alice'")).rows.map((r) => r.tbl);
    expect(tables).toEqual(expect.arrayContaining(['fieldsync_schema', 'version', 'nonexistent_table']));
    const rows = (await c.query<{ row_id: string; value: string }>("SELECT row_id, value FROM fieldsync_messages WHERE user_id = 'alice' AND tbl = 'notes' ORDER BY id")).rows;
    expect(rows.map((r) => r.row_id)).toEqual(SQL_SHAPED); // each row id taken, as text
    expect(rows.map((r) => JSON.parse(r.value) as unknown)).toEqual(SQL_SHAPED);
  } finally {
    await c.end();
  }
  expect((await t.sync('bob', { clientId: 'C2', cursor: 0, messages: [{ hlc: hlc('C2'), table: 'notes', row: 'r', column: 'c', value: 1 }] })).status).toBe(200);
});
