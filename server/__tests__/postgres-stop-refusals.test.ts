/**
 * PostgreSQL stopped (an operator's fast shutdown) while requests wait on it: a push on a
 * counter row another session holds, and another user's push waiting for a pool connection
 * behind it (a pool of 1). Its own embedded PostgreSQL, not the run's shared one, since it is
 * stopped.
 *
 * Each is answered 503 `unavailable` with Retry-After while PostgreSQL is still down (the pool
 * waiter not left to its connection timeout: the test takes that wait away, so a waiter left
 * to it would be answered only once PostgreSQL is back), nothing of either is stored, and the
 * warning says what happened: PostgreSQL is shutting down (57P01), not the generic "the
 * database cannot be reached" it was logged as until round 59.
 */
import type { Client } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../test-support/embedded-postgres.ts';
import type { PostgresServerStore } from '../stores/postgres-server-store.ts';
import { connectClient, untilQuery } from './helpers/postgres.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 90_000);
afterAll(async () => {
  await pg?.stop();
});

/** How long the case's clean-up waits for its server to stop. */
const STOP_WAIT_MS = 20_000;

/**
 * Stops `t`, waiting at most STOP_WAIT_MS (a bounded wait, not a bound on its time): a server
 * whose pool leaked a connection never stops (the pool's end waits for it), and an unbounded
 * wait in the case's clean-up turned the check that failed into the case's timeout (round 66's
 * plant). Whether it stopped.
 */
async function stopWithin(t: TestServer): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopped = await Promise.race([
    t.stop().then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_WAIT_MS))),
  ]);
  clearTimeout(timer);
  return stopped;
}

let cases = 0;
async function createDatabase(name: string): Promise<string> {
  const admin = await connectClient(pg.url);
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pg.url);
  url.pathname = `/${name}`;
  return url.toString();
}

type Answer = { status: number; code: unknown; retryAfter: string | null } | { failed: string };

/** Its answer; `said(what)` when it arrives. */
function push(t: TestServer, token: string, clientId: string, row: string, said: (what: string) => void): Promise<Answer> {
  return fetch(`${t.url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ clientId, cursor: 0, limit: 10, messages: [msg(clientId, row, row)] }),
    signal: AbortSignal.timeout(20_000),
  }).then(
    async (res) => ({
      status: res.status,
      code: ((await res.json()) as { error?: { code?: unknown } }).error?.code,
      retryAfter: res.headers.get('retry-after'),
    }),
    (err: unknown) => ({ failed: String(err) }),
  ).then((answer) => {
    said(`${clientId} answered`);
    return answer;
  });
}

/** Holds `user`'s counter row in a transaction of its own, as a process frozen mid-push would. */
async function holdCounter(url: string, user: string): Promise<Client> {
  const holder = await connectClient(url);
  await holder.query('BEGIN');
  await holder.query('SELECT last_id FROM fieldsync_users WHERE user_id = $1 FOR UPDATE', [user]);
  return holder;
}

// A fast shutdown ends each session with a 57P01 error; an immediate one (SIGQUIT) only warns
// with a 57P01 notice and closes it (postgres-transaction.ts, DatabaseEndedError). Under load
// the holder's session may end first, so that Alice's push finishes its statement and the
// 57P01 reaches it between two statements: the store keeps it for the next statement's error
// (postgres-ended-between-statements.test.ts), and the warning is the same either way.
it.each([
  ['fast (SIGINT)', (): Promise<void> => pg.halt()],
  ['immediate (SIGQUIT)', (): Promise<void> => pg.crash('SIGQUIT')],
])('a push on a held lock and a push waiting for a pool connection when PostgreSQL stops, %s: both 503 while it is down, nothing stored, and the warning says PostgreSQL is shutting down', async (_how, stop) => {
  // Each case on a database of its own, so that the rows it finds are its own.
  const url = await createDatabase(`stop_${++cases}`);
  const t = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: url, FIELDSYNC_DATABASE_POOL_MAX: '1' } });
  const pool = (t.server.store as PostgresServerStore).pool;
  let holder: Client | null = null;
  let down = false;
  let stopped: boolean;
  try {
    expect((await t.sync('alice', { clientId: 'A', cursor: 0, limit: 10, messages: [msg('A', 'a0', 'kept')] })).status).toBe(200);
    expect((await t.sync('bob', { clientId: 'B', cursor: 0, limit: 10, messages: [msg('B', 'b0', 'kept')] })).status).toBe(200);
    holder = await holdCounter(url, 'alice');
    // Which pushes were answered: both must be while PostgreSQL is down (round 66: in place of
    // a 3 s bound on their time, a timed assertion that load could fail).
    const events: string[] = [];
    const said = (what: string): void => void events.push(what);
    // A waiter left to the pool's connection timeout is answered 503 when it ends, down or not:
    // that timeout made longer than the wait below for the answers, such a waiter is not
    // answered by then (and, planted so, the case still ends within its own timeout).
    pool.options.connectionTimeoutMillis = 25_000;
    // Alice's push takes the pool's one connection and waits on her row; Bob's waits for that connection.
    const onLock = push(t, await t.token('alice'), 'A', 'a1', said);
    const admin = await connectClient(url);
    try {
      await untilQuery(async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'fieldsync' AND wait_event_type = 'Lock'")).rowCount === 1, 'a push to wait on the lock');
    } finally {
      await admin.end();
    }
    const waiter = push(t, await t.token('bob'), 'B', 'b1', said);
    await untilQuery(async () => pool.waitingCount === 1, 'a push to wait for a pool connection');

    down = true;
    await stop();
    // A bounded wait, not a bound on their time: PostgreSQL stays down until both answered or
    // 15 s passed, and what was answered is read while it is still down.
    await untilQuery(async () => events.length === 2, 'both pushes to be answered', 15_000).catch(() => undefined);
    expect(events.toSorted(), 'answered while PostgreSQL was down').toEqual(['A answered', 'B answered']);
    const answers = await Promise.all([onLock, waiter]);
    expect(answers).toEqual([
      { status: 503, code: 'unavailable', retryAfter: '2' },
      { status: 503, code: 'unavailable', retryAfter: '2' },
    ]);

    // A warning saying what happened (the push on the lock saw it); no fault of the server's.
    // Bob's connection attempt may fail first, and is logged as what it saw (one line per reason).
    expect(t.logs.filter((l) => l.msg === 'internal error')).toEqual([]);
    const warnings = t.logs.filter((l) => typeof l.msg === 'string' && /^(PostgreSQL|the database)/.test(l.msg));
    const shuttingDown = 'PostgreSQL is shutting down or restarting (it ended our sessions: 57P01); answering 503 until it accepts connections again';
    expect(warnings.filter((l) => l.msg === shuttingDown).map((l) => (l.err as { code?: unknown }).code)).toEqual(['57P01']);
    const others = warnings.map((l) => l.msg as string).filter((m) => m !== shuttingDown);
    expect(others.filter((m) => !/^(the database cannot be reached|PostgreSQL is starting up or shutting down)/.test(m))).toEqual([]);

    await pg.resume();
    down = false;
    holder = null; // its session ended with the stop
    // Nothing of the refused pushes was written: each user holds its first message, under id 1.
    const check = await connectClient(url);
    try {
      const { rows } = await check.query<{ user_id: string; id: string; row_id: string }>('SELECT user_id, id, row_id FROM fieldsync_messages ORDER BY user_id, id');
      expect(rows).toEqual([{ user_id: 'alice', id: '1', row_id: 'a0' }, { user_id: 'bob', id: '1', row_id: 'b0' }]);
      const counters = await check.query<{ user_id: string; last_id: string }>('SELECT user_id, last_id FROM fieldsync_users ORDER BY user_id');
      expect(counters.rows).toEqual([{ user_id: 'alice', last_id: '1' }, { user_id: 'bob', last_id: '1' }]);
    } finally {
      await check.end();
    }
    // The same process serves again; the refused push, sent again, is stored once.
    await untilQuery(async () => (await t.sync('bob', { clientId: 'B', cursor: 0, limit: 10, messages: [msg('B', 'b1', 'again')] })).status === 200, 'the server to serve again', 15_000);
    expect((await t.pullAll('bob')).map((m) => [m.id, m.row])).toEqual([[1, 'b0'], [2, 'b1']]);
  } finally {
    await holder?.end().catch(() => undefined);
    // The next case needs it running, whatever failed here: first, before a stop that may hang.
    if (down) await pg.resume();
    stopped = await stopWithin(t);
  }
  // Past the finally: a case that failed shows its own message, not the stop's.
  if (!stopped) throw new Error(`the server did not stop within ${STOP_WAIT_MS / 1000} s`);
}, 90_000);
