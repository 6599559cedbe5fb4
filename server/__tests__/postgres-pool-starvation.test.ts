/**
 * One user must not take a process's whole PostgreSQL pool while its counter row is locked
 * (another process froze mid-push: the database ends that transaction only after 10 s).
 *
 * Pushes of one user already queued in memory, one connection at a time. Epoch renewals did
 * not: every sync of the user with a cursor past the log's end (after a restore, or sent on
 * purpose) ran `UPDATE fieldsync_users ... SET epoch` on a pool connection of its own and
 * waited on the lock there. With the pool full of them, every other user of the process
 * waited for a connection and got 503 after the pool's 10 s (found in round 57). Now they
 * wait in the user's queue, as pushes do.
 *
 * That queue had no bound of its own: behind a lock held long (an operator's session), the
 * n-th of a user's requests waited n times statement_timeout before its 503 (the 16th, 8
 * minutes). Now each waits there at most statement_timeout.
 */
import type pg from 'pg';
import { formatHlc } from 'fieldsync/server';
import { toErrorReply } from '../errors.ts';
import { createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';
import { connectClient, createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';

const POOL_MAX = 3;
let db: TestDatabase;
let t: TestServer;
let holder: pg.Client | null = null;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url, FIELDSYNC_DATABASE_POOL_MAX: String(POOL_MAX) } });
});
afterAll(async () => {
  await holder?.query('ROLLBACK').catch(() => undefined);
  await holder?.end().catch(() => undefined);
  await t?.stop();
  await db?.drop();
});

/** Connections of the server's pool waiting on a row lock right now. */
async function lockWaiters(): Promise<number> {
  const c = await connectClient(db.url);
  try {
    const { rows } = await c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'fieldsync' AND wait_event_type = 'Lock'", [db.name]);
    return rows[0]?.n ?? 0;
  } finally {
    await c.end();
  }
}

it("a user's syncs that renew its epoch while another process holds its counter lock leave the pool to other users", async () => {
  expect((await t.sync('alice', { clientId: 'A', cursor: 0, limit: 10, messages: [msg('A', 'r1', 'one')] })).status).toBe(200);
  const before = (await t.sync('alice', { clientId: 'A', cursor: 0, limit: 10 })).body.epoch as string;
  expect(before).toMatch(/^[A-Za-z0-9_-]+$/);

  // Another process, frozen in the middle of alice's push, holds her counter row.
  holder = await connectClient(db.url);
  await holder.query('BEGIN');
  await holder.query("SELECT last_id FROM fieldsync_users WHERE user_id = 'alice' FOR UPDATE");

  // Twice the pool of alice's clients sync with cursors past her log's end: each renews her epoch.
  // What was answered, in order (round 67: in place of a 3 s bound on Bob's time): Bob's sync
  // while every one of alice's still waits on the held lock. Had her renewals taken the pool,
  // Bob's would wait for a connection and get 503 at the pool's timeout.
  const answered: string[] = [];
  const renewing = Array.from({ length: 2 * POOL_MAX }, (_, i) => t.sync('alice', { clientId: `A${i}`, cursor: 1000, limit: 10 }).finally(() => void answered.push(`A${i}`)));
  await untilQuery(async () => (await lockWaiters()) >= 1, 'a renewal to wait on the lock');
  await new Promise((resolve) => setTimeout(resolve, 200)); // time for the rest to queue, wherever they queue

  // Bob, another user of the same process, is served at once: push and pull.
  const bob = await t.sync('bob', { clientId: 'B', cursor: 0, limit: 10, messages: [msg('B', 'r1', 'bob')] });
  answered.push('B');
  expect({ status: bob.status, code: (bob.body.error as { code?: string } | undefined)?.code }).toEqual({ status: 200, code: undefined });
  expect(answered, 'answered while the lock was held').toEqual(['B']);
  expect(await lockWaiters()).toBe(1); // alice's renewals wait in memory, one on the lock

  // The frozen push ends (the database would end it after 10 s): alice's syncs all answer, with one new epoch.
  await holder.query('ROLLBACK');
  const answers = await Promise.all(renewing);
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  const epochs = new Set(answers.map((a) => a.body.epoch));
  expect(epochs.size).toBe(1);
  expect(epochs.has(before)).toBe(false);
}, 30_000);

it("a user's statements wait in the queue at most the statement timeout: every one answers 503 within it, not one after another", async () => {
  const store = await createPostgresServerStore({ url: db.url, poolMax: 3, statementTimeoutMs: 1000 });
  const session = await connectClient(db.url);
  try {
    const m = (i: number) => ({ hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + i, counter: 0, clientId: 'Q' }), table: 't', row: `r${i}`, column: 'c', value: i });
    await store.push('quinn', [m(0)]);
    // Her current epoch: a renewal of it updates her counter row, so it waits on the lock as a push does.
    const { epoch } = await store.pull('quinn', { cursor: 0, limit: 1, excludeClientId: 'Z' });
    await session.query('BEGIN');
    await session.query("SELECT last_id FROM fieldsync_users WHERE user_id = 'quinn' FOR UPDATE"); // held past them all
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store.push('quinn', [m(i + 1)]) : store.renewEpoch('quinn', epoch)).then(
      () => ({ status: 200, why: 'stored' }),
      (err: unknown) => ({ status: toErrorReply(err).status, why: (err as Error).message }),
    )));
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 503));
    // Why each failed, in place of a bound on their time (round 67): the first, on the lock, is
    // cancelled by the database at 1 s; the others gave up waiting behind it, in the queue, at
    // 1 s too. Waiting there unbounded, each would have reached the lock after the one before
    // it was cancelled (the n-th after n seconds), and been cancelled by the database in turn.
    // The second may yet reach the lock: on a loaded loop the first's cancellation can be read
    // before the second's timer fires, and it then runs at once. Those behind it cannot: each
    // waits for the one before it to finish, a second more.
    const inQueue = "the user's earlier statements did not finish in time";
    const why = `why each failed: ${JSON.stringify(outcomes.map((o) => o.why))}`;
    expect(outcomes[0]?.why, why).not.toBe(inQueue);
    expect(outcomes.slice(2).map((o) => o.why === inQueue), why).toEqual([true, true, true, true]);
    await session.query('ROLLBACK');
    expect((await store.push('quinn', [m(10)])).stored).toBe(1); // and the queue serves again
  } finally {
    await session.query('ROLLBACK').catch(() => undefined);
    await session.end();
    await store.close();
  }
}, 30_000);
