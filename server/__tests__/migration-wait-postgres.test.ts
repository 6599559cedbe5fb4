/**
 * Real server processes (`node server/main.ts`) starting on a PostgreSQL database whose
 * migration they cannot do at once: another session holds the migration's advisory lock (the
 * test, as a process migrating), or a lock the migration needs, where the test parks it.
 * - A wait past the bound (FIELDSYNC_MIGRATION_WAIT) ends the start with one line and exit 1,
 *   after a line that says what it waits for. Before round 61 nothing was said, and the wait
 *   was cut by the pool's statement_timeout (30 s, a request's bound) with "canceling
 *   statement due to statement timeout", or by a database's lock_timeout at once.
 * - A process SIGKILLed, or its connection ended, inside its migration (schema 1 to 2, the
 *   epoch column added and drawn, parked before its version row) leaves the database at
 *   version 1, whole: the migration is one transaction. The next start migrates.
 * - A fleet: the migrating process SIGKILLed, parked, while two others wait for its advisory
 *   lock (and one with a 1 s bound gives up, naming its session). Its backend must end with
 *   it, the test's gate still held: until round 62 it stayed parked (PostgreSQL notices a
 *   client gone only at its next read or write), holding the lock the others waited on, up to
 *   its lock_timeout. Then one of them migrates from version 1, once, and the fleet (the killed
 *   one started again) serves one epoch, an old cursor goes on, each push is stored once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { createAuthenticator } from '../auth.ts';
import { MIGRATION_LOCK_KEY, POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { ROOT, spawnServer, stopServers, type ChildServer } from '../../test-support/child-server.ts';
import { readDump } from '../../test-support/upgrade-fixture-files.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { connectClient, createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';
import { tempDir } from './helpers/temp-dir.ts';

const SECRET = 'migration-wait-postgres-secret-0123456789ab';

let db: TestDatabase | undefined;
let dataDir: TempDir | undefined;
const sessions: pg.Client[] = [];
const servers: ChildServer[] = [];
afterEach(async () => {
  await stopServers(servers);
  for (const c of sessions.splice(0)) await c.end().catch(() => undefined);
  await db?.drop();
  dataDir?.remove();
  db = undefined;
  dataDir = undefined;
});

async function setUp(): Promise<{ url: string; env: Record<string, string>; session: () => Promise<pg.Client> }> {
  db = await createTestDatabase();
  dataDir = tempDir('fieldsync-migration-wait-');
  const { url } = db;
  const session = async (): Promise<pg.Client> => {
    const c = await connectClient(url);
    sessions.push(c);
    return c;
  };
  await (await session()).query(readDump('server-postgres-v1-db50754.sql'));
  return { url, env: { FIELDSYNC_DATABASE_URL: url, FIELDSYNC_SECRET: SECRET, FIELDSYNC_DATA_DIR: dataDir.path, FIELDSYNC_DATABASE_POOL_MAX: '2' }, session };
}

/** The schema's versions, whether the epoch column exists, and the messages: what a migration that failed must leave. */
async function state(c: pg.Client): Promise<{ versions: number[]; epoch: boolean; messages: string[] }> {
  const versions = (await c.query<{ version: number }>('SELECT version FROM fieldsync_schema ORDER BY version')).rows.map((r) => r.version);
  const epoch = (await c.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'fieldsync_users' AND column_name = 'epoch'`)).rows.length === 1;
  const messages = (await c.query<{ m: string }>(`SELECT id || ' ' || hlc || ' ' || value AS m FROM fieldsync_messages ORDER BY id`)).rows.map((r) => r.m);
  return { versions, epoch, messages };
}

/** A server process whose start is not awaited: its output, and a way to kill it. */
function startRaw(env: Record<string, string>): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', FIELDSYNC_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  return { child, output: () => out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

/** The servers' backends once `count` of them wait on a lock in `query` (pg_stat_activity read afresh each time). */
async function waiting(url: string, session: () => Promise<pg.Client>, like: string, count = 1): Promise<number[]> {
  const watch = await session();
  const database = new URL(url).pathname.slice(1);
  let pids: number[] = [];
  await untilQuery(async () => {
    const { rows } = await watch.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'fieldsync' AND wait_event_type = 'Lock' AND query LIKE $2 ORDER BY pid`, [database, like]);
    pids = rows.map((r) => r.pid);
    return pids.length === count;
  }, `${count} migration(s) waiting in ${like}`, 20_000);
  return pids;
}

describe('waiting for another process\'s migration', () => {
  it('past FIELDSYNC_MIGRATION_WAIT: a line saying what it waits for, then one line and exit 1; the database untouched', async () => {
    const { env, session } = await setUp();
    const holder = await session();
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const before = await state(holder);
    const start = startRaw({ ...env, FIELDSYNC_MIGRATION_WAIT: '2s' });
    // Its own bound, not a time measured here: the line says it gave up after 2 s (the test's
    // 30 s timeout is the pool's statement_timeout, what cut the wait before round 61).
    expect(await start.exited).toBe(1);
    const lines = start.output().trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^fieldsync: waiting for another process \(PostgreSQL session \d+, application ".*"\) to finish migrating the fieldsync schema \(up to 2 s\)$/),
      expect.stringMatching(/^fieldsync: cannot use the database \(postgres [^)]+\): gave up after 2 s waiting for another process \(PostgreSQL session \d+, .*\) to finish migrating the fieldsync schema .*start again later$/),
    ]);
    expect(await state(holder)).toEqual(before);
  }, 30_000);

  it('within it: waits past the database\'s own lock_timeout, and migrates once the lock is let go', async () => {
    const { url, env, session } = await setUp();
    const holder = await session();
    // An operator's setting for every session of the database: it must not end the wait.
    await holder.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET lock_timeout = '200ms'`);
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const start = spawnServer({ ...env, FIELDSYNC_MIGRATION_WAIT: '20s' });
    void start.catch(() => undefined);
    await waiting(url, session, '%pg_advisory_xact_lock%');
    await new Promise((r) => setTimeout(r, 1000)); // five lock_timeouts
    await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const server = await start;
    servers.push(server);
    expect(server.stderr()).toMatch(/^fieldsync: waiting for another process .* to finish migrating the fieldsync schema \(up to 20 s\)\n$/);
    expect((await state(holder)).versions).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
  }, 30_000);
});

describe('a lock the migration needs, held by an operator\'s open transaction', () => {
  it('past FIELDSYNC_MIGRATION_WAIT: one line naming the version, the wait and the session that holds the table, exit 1, nothing changed', async () => {
    const { env, session } = await setUp();
    const operator = await session();
    const before = await state(operator);
    await operator.query(`SET application_name = 'operator-psql'`);
    const pid = (await operator.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await operator.query('BEGIN');
    await operator.query('SELECT count(*) FROM fieldsync_users'); // ALTER TABLE waits for this transaction's lock
    const start = startRaw({ ...env, FIELDSYNC_MIGRATION_WAIT: '1s' });
    expect(await start.exited).toBe(1);
    // The holder named (round 63), as the migration lock's is: the session to end, or to wait for.
    const line = start.output().replace(/^fieldsync: cannot use the database \(postgres [^)]+\): /, '');
    expect(line).toBe(`gave up after 1 s waiting for a lock to migrate the fieldsync schema from version 1 (a session holds a table it alters: PostgreSQL session ${pid}, application "operator-psql", state "idle in transaction"); nothing was changed\n`);
    await operator.query('ROLLBACK');
    expect(await state(operator)).toEqual(before);
  }, 30_000);
});

describe('a migration that fails midway (schema 1 to 2, parked at its version row)', () => {
  it.each(['the server process SIGKILLed', 'its connection ended (pg_terminate_backend)'])('%s: the database left at version 1, whole; the next start migrates', async (how) => {
    const { url, env, session } = await setUp();
    const gate = await session();
    const before = await state(gate);
    expect(before).toMatchObject({ versions: [1], epoch: false });
    // SHARE lets the migration read the version and alter fieldsync_users, not insert its row.
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE fieldsync_schema IN SHARE MODE');
    const start = startRaw(env);
    const [pid] = await waiting(url, session, 'INSERT INTO fieldsync_schema%');
    const watch = await session();
    if (how.startsWith('the server')) {
      start.child.kill('SIGKILL');
      expect(await start.exited).toBe(null);
      await gate.query('COMMIT'); // the backend ends with its client (CHECK_CLIENT), or at the latest here, rolled back
      await untilQuery(async () => (await watch.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length === 0, 'the backend gone', 20_000);
    } else {
      await watch.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(await start.exited).toBe(1);
      expect(start.output()).toMatch(/^fieldsync: cannot use the database \(postgres [^)]+\): .+\n$/);
      await gate.query('COMMIT');
    }
    expect(await state(watch)).toEqual(before);

    const server = await spawnServer(env);
    servers.push(server);
    const after = await state(watch);
    expect(after).toEqual({ ...before, versions: Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1), epoch: true });
  }, 40_000);
});

/** One sync over HTTP as `alice`, for the fleet's checks (a client's request, no client state). */
async function aliceSync(url: string, body: Record<string, unknown>): Promise<{ status: number; body: { epoch: string; cursor: number; messages: { id: number; hlc: string }[] } }> {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await createAuthenticator(SECRET).sign('alice', 3600)}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as never };
}

const put = (n: number, clientId: string) => ({ hlc: formatHlc({ millis: Date.now() + n, counter: 0, clientId }), table: 'todos', row: `r${n}`, column: 'title', value: `v${n}` });

describe('a fleet whose migrating process is killed while the others wait for its lock (schema 1 to 2)', () => {
  it('its backend ends with it, rolled back; one waiting process migrates once; the fleet serves one epoch, each push stored once', async () => {
    const { url, env: base, session } = await setUp();
    const env = { ...base, FIELDSYNC_COMPACTION: 'off', FIELDSYNC_MIGRATION_WAIT: '60s' };
    const gate = await session();
    const watch = await session();
    const before = await state(gate);
    // The first process parked inside its migration (epoch added and drawn, before its version row).
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE fieldsync_schema IN SHARE MODE');
    // Its own lock wait far longer than the test: the gate, not its bound, must be what it waits on.
    const first = startRaw({ ...env, FIELDSYNC_MIGRATION_WAIT: '10m' });
    const [migrating] = await waiting(url, session, 'INSERT INTO fieldsync_schema%');
    // One that will not wait that long gives up, saying for whom.
    const impatient = startRaw({ ...env, FIELDSYNC_MIGRATION_WAIT: '1s' });
    expect(await impatient.exited).toBe(1);
    expect(impatient.output().trim().split('\n')).toEqual([
      `fieldsync: waiting for another process (PostgreSQL session ${migrating}, application "fieldsync") to finish migrating the fieldsync schema (up to 1 s)`,
      expect.stringMatching(new RegExp(`^fieldsync: cannot use the database \\(postgres [^)]+\\): gave up after 1 s waiting for another process \\(PostgreSQL session ${migrating}, application "fieldsync"\\) to finish migrating the fieldsync schema \\(its lock is still held: .*start again later$`)),
    ]);
    // Two wait for its advisory lock.
    const starts = [spawnServer(env), spawnServer(env)];
    const settled = Promise.allSettled(starts).then((all) => {
      for (const r of all) if (r.status === 'fulfilled') servers.push(r.value);
      return all;
    });
    await waiting(url, session, '%pg_advisory_xact_lock%', 2);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    // The gate still held: its backend must not stay parked on it, holding the lock they wait for.
    await untilQuery(async () => (await watch.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [migrating])).rows.length === 0, 'the killed process\'s backend gone, the gate still held', 10_000);
    // A waiting process took over, from version 1: it is parked at the same point.
    const [next] = await waiting(url, session, 'INSERT INTO fieldsync_schema%');
    expect(next).not.toBe(migrating);
    expect(await state(watch)).toEqual(before);
    await gate.query('COMMIT');

    const all = await settled;
    expect(all.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    for (const s of servers) expect(s.stderr()).toMatch(new RegExp(`^fieldsync: waiting for another process \\(PostgreSQL session ${migrating}, application "fieldsync"\\) to finish migrating the fieldsync schema \\(up to 60 s\\)\\n$`));
    expect(await state(watch)).toEqual({ ...before, versions: [1, 2], epoch: true });
    // The killed process, started again by its supervisor: nothing to wait for, nothing to do.
    const again = await spawnServer(env);
    servers.push(again);
    expect(again.stderr()).toBe('');
    expect(await state(watch)).toEqual({ ...before, versions: [1, 2], epoch: true });

    // One epoch, the one the surviving migration drew, through every process; an old cursor goes on.
    const [{ epoch }] = (await watch.query<{ epoch: string }>(`SELECT epoch FROM fieldsync_users WHERE user_id = 'alice'`)).rows as [{ epoch: string }];
    expect(epoch).toMatch(/^[0-9a-f]{16}$/);
    for (const s of servers) {
      const a = await aliceSync(s.url, { clientId: 'oldClient', cursor: 3, limit: 100 });
      expect(a.body).toMatchObject({ epoch, cursor: 7 });
      expect(a.body.messages.map((m) => m.id)).toEqual([4, 5, 6, 7]);
    }
    // A push to each process, and one sent again to another (its answer lost): each stored once, ids 8.. with no gap.
    const pushes = servers.map((_, i) => [put(2 * i, `fleet${i}`), put(2 * i + 1, `fleet${i}`)]);
    for (const [i, s] of servers.entries()) expect((await aliceSync(s.url, { clientId: `fleet${i}`, cursor: 7, limit: 1, epoch, messages: pushes[i] })).status).toBe(200);
    expect((await aliceSync((servers[1] as ChildServer).url, { clientId: 'fleet0', cursor: 7, limit: 1, epoch, messages: pushes[0] })).status).toBe(200);
    const sent = pushes.flat().map((m) => m.hlc);
    for (const s of servers) {
      const read = await aliceSync(s.url, { clientId: 'reader', cursor: 7, limit: 100, epoch });
      expect(read.body.messages.map((m) => [m.id, m.hlc])).toEqual(sent.map((hlc, i) => [8 + i, hlc]));
    }
    const [{ last_id: lastId }] = (await watch.query<{ last_id: string }>(`SELECT last_id FROM fieldsync_users WHERE user_id = 'alice'`)).rows as [{ last_id: string }];
    expect(Number(lastId)).toBe(7 + sent.length);
  }, 60_000);
});

describe('a migration statement that runs long (its work, not a lock wait)', () => {
  // The UPDATE that draws the epochs made slow by a trigger that waits on the test (with no
  // lock_timeout of its own: work, as a table of millions of users is). Until round 62 the
  // client cut every migration statement at FIELDSYNC_MIGRATION_WAIT + 60 s: "the database did
  // not answer in time", exit 1, the work rolled back, and at every start again: a migration
  // longer than that never finished.
  it('is not cut by time: FIELDSYNC_MIGRATION_WAIT bounds waits for locks only', async () => {
    const { url, env, session } = await setUp();
    const test = await session();
    await test.query(`CREATE FUNCTION slow_epochs() RETURNS trigger LANGUAGE plpgsql SET lock_timeout = 0 AS $$
      BEGIN IF NEW.epoch IS DISTINCT FROM OLD.epoch THEN PERFORM pg_advisory_xact_lock_shared(62); END IF; RETURN NEW; END $$`);
    await test.query('CREATE TRIGGER slow_epochs BEFORE UPDATE ON fieldsync_users FOR EACH ROW EXECUTE FUNCTION slow_epochs()');
    await test.query('SELECT pg_advisory_lock(62)');
    const start = startRaw({ ...env, FIELDSYNC_MIGRATION_WAIT: '1s' });
    await waiting(url, session, 'ALTER TABLE fieldsync_users%');
    // Past the old cut (1 s + 60 s): still migrating, nothing said.
    await new Promise((r) => setTimeout(r, 63_000));
    expect(start.output()).toBe('');
    expect(start.child.exitCode).toBe(null);
    await test.query('SELECT pg_advisory_unlock(62)');
    await untilQuery(async () => /listening on/.test(start.output()), 'the ready line', 20_000);
    expect(start.output()).toMatch(/^fieldsync server listening on http:\S+\n$/);
    expect((await state(test)).versions).toEqual([1, 2]);
    start.child.kill('SIGTERM');
    expect(await start.exited).toBe(0);
  }, 100_000);
});
