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
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
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

/** The server's backend once it waits on a lock in `query` (pg_stat_activity read afresh each time). */
async function waiting(url: string, session: () => Promise<pg.Client>, like: string): Promise<number> {
  const watch = await session();
  const database = new URL(url).pathname.slice(1);
  let pid = 0;
  await untilQuery(async () => {
    const { rows } = await watch.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'fieldsync' AND wait_event_type = 'Lock' AND query LIKE $2`, [database, like]);
    pid = rows[0]?.pid ?? 0;
    return pid !== 0;
  }, `a migration waiting in ${like}`, 20_000);
  return pid;
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
    const pid = await waiting(url, session, 'INSERT INTO fieldsync_schema%');
    const watch = await session();
    if (how.startsWith('the server')) {
      start.child.kill('SIGKILL');
      expect(await start.exited).toBe(null);
      await gate.query('COMMIT'); // the backend goes on, then finds its client gone, and rolls back
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
