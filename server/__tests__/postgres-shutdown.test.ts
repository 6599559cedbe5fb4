/**
 * Stopping a server on PostgreSQL while pushes wait on a row lock another session holds (an
 * operator's session, a process frozen mid-push): one push waits on the lock, the user's next
 * ones wait in the store's in-memory queue (user-queues.ts).
 *
 * Until round 58 the stop waited for the database to cancel the push at its statement timeout
 * (30 s): the requests were cut unanswered at the shutdown timeout, and the pushes still queued
 * then failed on the ended pool and were logged as internal errors (500). Now, a short grace
 * after the stop began, the store cancels its statements in flight and refuses the queued ones:
 * every push is answered 503 `unavailable` with Retry-After (the client sends it again, to
 * another process), nothing of it was written, and the process stops within a few seconds.
 */
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { toErrorReply } from '../errors.ts';
import { createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { spawnServer } from '../../test-support/child-server.ts';
import { connectClient, createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';
import { msg, SECRET, signToken, startTestServer } from './helpers/test-server.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** How long a stop may take with a push stuck on a lock: the grace (1 s), the cancel, the answers. */
const STOP_BOUND_MS = 4000;

/** Sessions of `app` waiting on a row lock right now. */
async function lockWaiters(admin: pg.Client, app: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND wait_event_type = 'Lock'", [db.name, app]);
  return rows[0]?.n ?? 0;
}

/** Holds `user`'s counter row in a transaction of its own, as a process frozen mid-push would. */
async function holdCounter(user: string): Promise<pg.Client> {
  const holder = await connectClient(db.url);
  await holder.query('BEGIN');
  await holder.query('SELECT last_id FROM fieldsync_users WHERE user_id = $1 FOR UPDATE', [user]);
  return holder;
}

/** Resolves with `what`'s outcome, or rejects with a clear message after `ms` (no 30 s silent hang). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

it('a server stopped while pushes wait on a held row lock answers them 503 with Retry-After and stops within seconds; nothing of them is stored', async () => {
  // The production shutdown timeout (10 s): the stop must not lean on it.
  const t = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url, FIELDSYNC_SHUTDOWN_TIMEOUT: '10s' } });
  const token = await t.token('alice');
  let holder: pg.Client | null = null;
  const admin = await connectClient(db.url);
  let stopped: Promise<void> | null = null;
  try {
    expect((await t.sync('alice', { clientId: 'A', cursor: 0, limit: 10, messages: [msg('A', 'r0', 'kept')] })).status).toBe(200);
    holder = await holdCounter('alice');
    const push = (i: number): Promise<{ status: number; code: unknown; retryAfter: string | null } | { failed: string }> =>
      fetch(`${t.url}/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId: 'A', cursor: 1, limit: 10, messages: [msg('A', `r${i}`, `lost ${i}`)] }),
        signal: AbortSignal.timeout(20_000),
      }).then(
        async (res) => ({ status: res.status, code: ((await res.json()) as { error?: { code?: unknown } }).error?.code, retryAfter: res.headers.get('retry-after') }),
        (err: unknown) => ({ failed: String(err) }),
      );
    // One on the lock, two behind it in the store's queue.
    const pushes = [push(1), push(2), push(3)];
    await untilQuery(async () => (await lockWaiters(admin, 'fieldsync')) === 1, 'a push to wait on the lock');
    await new Promise((r) => setTimeout(r, 100)); // the other two reach the queue

    stopped = t.stop();
    // The bound is on the wait (within), not asserted on a measured time (round 67).
    await within(STOP_BOUND_MS, 'the stop with a push waiting on a held lock', stopped);
    const answers = await within(1000, 'the answers after the stop', Promise.all(pushes));
    expect(answers).toEqual([1, 2, 3].map(() => ({ status: 503, code: 'unavailable', retryAfter: '2' })));
    // Logged as the unavailability they are, never as a fault of the server's.
    expect(t.logs.filter((l) => l.msg === 'internal error')).toEqual([]);
    // And as this server's own stop, not the database's (round 59: "the database cannot be reached").
    expect(t.logs.filter((l) => typeof l.msg === 'string' && /^(PostgreSQL|the database|this server)/.test(l.msg)).map((l) => l.msg))
      .toEqual(['this server is stopping: a request still waiting on the database is answered 503, for its client to send again to another process']);

    await holder.query('ROLLBACK');
    const { rows } = await admin.query<{ row_id: string }>("SELECT row_id FROM fieldsync_messages WHERE user_id = 'alice' ORDER BY id");
    expect(rows.map((r) => r.row_id)).toEqual(['r0']);
    expect(await lockWaiters(admin, 'fieldsync')).toBe(0);
  } finally {
    await holder?.query('ROLLBACK').catch(() => undefined);
    await holder?.end().catch(() => undefined);
    await (stopped ?? t.stop()).catch(() => undefined);
    await admin.end();
  }
}, 60_000);

it("a store closed with pushes in a user's queue cancels the one on the lock and answers them all as the shutdown they are (503 with Retry-After), not as internal errors", async () => {
  const app = 'fieldsync-queued-close';
  const store = await createPostgresServerStore({ url: db.url, poolMax: 3, applicationName: app });
  const m = (i: number) => ({ hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + i, counter: 0, clientId: 'Q' }), table: 't', row: `r${i}`, column: 'c', value: i });
  const admin = await connectClient(db.url);
  let holder: pg.Client | null = null;
  let closed: Promise<void> | null = null;
  try {
    await store.push('quinn', [m(0)]);
    holder = await holdCounter('quinn');
    const outcomes = [1, 2, 3].map((i) => store.push('quinn', [m(i)]).then(
      () => ({ status: 200, code: 'stored', retryAfter: undefined }),
      (err: unknown) => {
        const reply = toErrorReply(err);
        return { status: reply.status, code: reply.body.error.code, retryAfter: reply.headers?.['Retry-After'] };
      },
    ));
    await untilQuery(async () => (await lockWaiters(admin, app)) === 1, 'a push to wait on the lock');
    await new Promise((r) => setTimeout(r, 100));

    closed = store.close();
    // The holder finishes soon after: until round 58 the push on the lock was then stored, and
    // the queued ones, run on the ended pool, failed as internal errors (500).
    await new Promise((r) => setTimeout(r, 300));
    await holder.query('ROLLBACK');
    await within(STOP_BOUND_MS, "the store's close with a push waiting on a held lock", closed);
    expect(await within(1000, 'the pushes after the close', Promise.all(outcomes))).toEqual([1, 2, 3].map(() => ({ status: 503, code: 'unavailable', retryAfter: '2' })));
    await expect(store.push('quinn', [m(4)])).rejects.toThrow(/closed/);
    const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM fieldsync_messages WHERE user_id = 'quinn'");
    expect(rows[0]?.n).toBe(1);
  } finally {
    await holder?.query('ROLLBACK').catch(() => undefined);
    await holder?.end().catch(() => undefined);
    await (closed ?? store.close()).catch(() => undefined);
    await admin.end();
  }
}, 60_000);

it('SIGTERM to a server process (node server/main.ts) with a push waiting on a held lock: the push is answered 503 and the process exits 0 within seconds', async () => {
  const app = 'fieldsync'; // the server's connections (the earlier cases' are gone)
  // The production shutdown timeout (10 s): before round 58 the process exited 1 after it and the store's 5 s grace.
  const s = await spawnServer({ FIELDSYNC_DATABASE_URL: db.url, FIELDSYNC_SECRET: SECRET, FIELDSYNC_SHUTDOWN_TIMEOUT: '10s' });
  const admin = await connectClient(db.url);
  let holder: pg.Client | null = null;
  try {
    const token = await signToken({ sub: 'sam' });
    const sync = (row: string) => fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: 'S', cursor: 0, limit: 10, messages: [msg('S', row, row)] }),
      signal: AbortSignal.timeout(20_000),
    });
    expect((await sync('r0')).status).toBe(200);
    holder = await holdCounter('sam');
    const stuck = sync('r1').then((res) => ({ status: res.status, retryAfter: res.headers.get('retry-after') }), (err: unknown) => ({ failed: String(err) }));
    await untilQuery(async () => (await lockWaiters(admin, app)) === 1, 'the push to wait on the lock');
    s.child.kill('SIGTERM');
    expect(await within(STOP_BOUND_MS, 'the process exit after SIGTERM', s.exited)).toEqual({ code: 0, signal: null });
    expect(await stuck).toEqual({ status: 503, retryAfter: '2' });
  } finally {
    s.child.kill('SIGKILL');
    await holder?.query('ROLLBACK').catch(() => undefined);
    await holder?.end().catch(() => undefined);
    await admin.end();
  }
}, 60_000);
