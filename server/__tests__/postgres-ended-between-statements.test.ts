/**
 * PostgreSQL ends a session (a fast shutdown's SIGTERM, `pg_terminate_backend`) while the
 * server's transaction is between two statements: the backend's FATAL `57P01` arrives with
 * no query of ours in flight, so pg emits it as the client's 'error' event, and the next
 * statement fails with pg's "Client has encountered a connection error and is not queryable",
 * which has no code. Under load a fast shutdown hits a push there as often as on a statement
 * (the lock holder's session may end first, freeing the push to finish its statement): the
 * refusal was right (503) but the operator's warning said "the database cannot be reached"
 * instead of "PostgreSQL is shutting down" (postgres-stop-refusals.test.ts failed at random
 * on `expected [] to deeply equal ['57P01']`). The stop is the error's code either way, and
 * nothing of the transaction is stored.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDatabaseUnavailable, toErrorReply, unavailableWarning } from '../errors.ts';
import { createPostgresPool } from '../stores/postgres-server-store.ts';
import { inTransaction } from '../stores/postgres-transaction.ts';
import { connectClient, createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it('a session ended between two statements of a transaction: a 57P01 error (503, "PostgreSQL is shutting down"), and nothing of it stored', async () => {
  const pool = createPostgresPool({ url: db.url, poolMax: 1, applicationName: 'fieldsync-ended-idle' });
  const admin = await connectClient(db.url);
  try {
    await admin.query('CREATE TABLE written (n int NOT NULL)');
    let errorEvents = 0;
    const failed = await inTransaction(pool, async (client) => {
      client.on('error', () => void errorEvents++);
      await client.query('INSERT INTO written VALUES (1)');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      // The FATAL has reached the client, with none of its statements in flight.
      await untilQuery(async () => errorEvents > 0, 'the ended session to reach the client');
      await client.query('INSERT INTO written VALUES (2)');
    }).then(() => null, (err: unknown) => err);
    const { code, message } = (failed ?? {}) as { code?: unknown; message?: unknown };
    expect({ code, message }).toEqual({ code: '57P01', message: 'terminating connection due to administrator command' });
    expect(isDatabaseUnavailable(failed)).toBe(true);
    expect(toErrorReply(failed)).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } }, headers: { 'Retry-After': '2' } });
    expect(unavailableWarning(failed)).toBe('PostgreSQL is shutting down or restarting (it ended our sessions: 57P01); answering 503 until it accepts connections again');
    expect((await admin.query('SELECT n FROM written')).rows).toEqual([]);
    // The pool's one connection was not given back broken: the next transaction runs.
    expect(await inTransaction(pool, async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows)).toEqual([{ one: 1 }]);
  } finally {
    await admin.end();
    await pool.end();
  }
});
