/**
 * Upgrade: a PostgreSQL database written by older servers, then this server started on it.
 * The fixtures (test-support/upgrade-fixtures/server-postgres-*.sql) hold the old commit's
 * schema SQL text, applied as its migrations did, and the rows its own PostgreSQL store wrote.
 * Messages, ids and the epoch stay; a client's cursor from before goes on with no gap or repeat.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';
import { readDump } from '../../test-support/upgrade-fixture-files.ts';

// [dump, its schema version]
const VERSIONS = [
  ['server-postgres-v1-db50754.sql', 1],
  ['server-postgres-v2-360a2ba.sql', 2],
] as const;

let db: TestDatabase | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  await db?.drop();
  server = undefined;
  db = undefined;
});

async function query<T>(url: string, text: string): Promise<T[]> {
  const c = await connectClient(url);
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

describe.each(VERSIONS)('a PostgreSQL database written as %s', (dump, version) => {
  it('keeps messages, ids and epoch; an old cursor goes on with no gap or repeat', async () => {
    db = await createTestDatabase();
    await query(db.url, readDump(dump));
    const rows = await query<{ id: string; hlc: string; tbl: string; row_id: string; col: string; value: string }>(db.url, 'SELECT id, hlc, tbl, row_id, col, value FROM fieldsync_messages ORDER BY id');
    expect(rows.map((r) => Number(r.id))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const [{ max }] = await query<{ max: number }>(db.url, 'SELECT max(version) AS max FROM fieldsync_schema') as [{ max: number }];
    expect(max).toBe(version);
    const oldEpoch = version >= 2 ? (await query<{ epoch: string }>(db.url, 'SELECT epoch FROM fieldsync_users'))[0]?.epoch : undefined;

    server = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url } });
    const pull = await server.sync('alice', { clientId: 'oldClient', cursor: 3, limit: 100, ...(oldEpoch ? { epoch: oldEpoch } : {}) });
    expect(pull.status).toBe(200);
    expect(pull.body.messages).toEqual(rows.slice(3).map((r) => ({ id: Number(r.id), hlc: r.hlc, table: r.tbl, row: r.row_id, column: r.col, value: JSON.parse(r.value) as unknown })));
    expect(pull.body.cursor).toBe(7);
    const epoch = pull.body.epoch as string;
    if (oldEpoch) expect(epoch).toBe(oldEpoch);
    else expect(epoch).toMatch(/^[0-9a-f]{16}$/);

    const m = msg('newClient', 'n1', 'after the upgrade');
    expect((await server.sync('alice', { clientId: 'newClient', cursor: 7, limit: 100, epoch, messages: [m] })).body.epoch).toBe(epoch);
    const next = await server.sync('alice', { clientId: 'oldClient', cursor: 7, limit: 100, epoch });
    expect(next.body).toMatchObject({ epoch, cursor: 8, messages: [{ ...m, id: 8 }] });
    expect(await query(db.url, 'SELECT version FROM fieldsync_schema ORDER BY version')).toEqual(
      Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );

    // A restart keeps the epoch and the ids.
    await server.stop();
    server = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url } });
    const again = await server.sync('alice', { clientId: 'oldClient', cursor: 8, limit: 100, epoch });
    expect(again.body).toMatchObject({ epoch, cursor: 8, messages: [] });
    expect((await server.pullAll('alice')).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
