/**
 * The old process exits on its own (round 64; stores/newer-schema-exit.ts): once it met a
 * database a newer process migrated, it answers 503 (and /healthz 503) for the grace
 * FIELDSYNC_NEWER_SCHEMA_EXIT gives, then stops as on SIGTERM and exits 3, a code a supervisor
 * can tell from a crash (1) or a bad setting (2). A real process (`node server/main.ts`) over
 * a real SQLite file and a real PostgreSQL database; a second session migrates, as a newer
 * server does. The grace is long enough for the 503s to be seen first: the test waits for
 * the exit (bounded), it does not time it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { loadConfig } from '../config.ts';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { DEFAULT_NEWER_SCHEMA_EXIT_MS, NEWER_SCHEMA_EXIT_CODE, newerSchemaExit } from '../stores/newer-schema-exit.ts';
import { NewerSchemaError } from '../stores/newer-schema.ts';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { spawnServer, stopServers, type ChildServer } from '../../test-support/child-server.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { signToken } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

const SECRET = 'newer-schema-exit-test-secret-0123456789';
const servers: ChildServer[] = [];
let dir: TempDir | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  await stopServers(servers);
  await db?.drop();
  dir?.remove();
  db = undefined;
  dir = undefined;
});

async function sync(s: ChildServer, user: string, body: unknown): Promise<{ status: number; retryAfter: string | null }> {
  const res = await fetch(`${s.url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await signToken({ sub: user }, { secret: SECRET })}` },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}
const push = (n: number) => ({ clientId: 'A', cursor: 0, messages: [{ hlc: formatHlc({ millis: Date.now() - 1000 + n, counter: 0, clientId: 'A' }), table: 'notes', row: `r${n}`, column: 'title', value: n }] });

/** Pushes, lets `migrate` move the schema, then: 503s and /healthz 503 during the grace, then exit 3 with one line. */
async function expectExit(env: Record<string, string>, migrate: () => Promise<void>, found: number, known: number): Promise<void> {
  const s = await spawnServer({ FIELDSYNC_SECRET: SECRET, FIELDSYNC_NEWER_SCHEMA_EXIT: '5s', ...env });
  servers.push(s);
  expect((await sync(s, 'alice', push(1))).status).toBe(200);
  await migrate();
  expect(await sync(s, 'alice', push(2))).toEqual({ status: 503, retryAfter: '2' });
  expect((await fetch(`${s.url}/healthz`)).status).toBe(503);
  const exit = await Promise.race([s.exited, new Promise((resolve) => setTimeout(resolve, 30_000, 'still running 30 s after its first 503'))]);
  expect(exit).toEqual({ code: NEWER_SCHEMA_EXIT_CODE, signal: null });
  expect(s.stderr()).toBe(
    `fieldsync: exiting ${NEWER_SCHEMA_EXIT_CODE} after 5 s of answering 503: the database has schema version ${found}, newer than this server knows (${known}): another process upgraded it while this one ran; this process answers every request 503 from now on (stop it, or upgrade it)\n`,
  );
}

describe('an old process exits 3 after its grace of 503s', () => {
  it('SQLite', async () => {
    dir = tempDir();
    const dataDir = dir.path;
    await expectExit({ FIELDSYNC_DATA_DIR: dataDir }, async () => {
      const raw = new Database(join(dataDir, SQLITE_FILE));
      try {
        raw.exec(`BEGIN IMMEDIATE; ALTER TABLE messages ADD COLUMN future TEXT; PRAGMA user_version = ${SCHEMA_VERSION + 1}; COMMIT`);
      } finally {
        raw.close();
      }
    }, SCHEMA_VERSION + 1, SCHEMA_VERSION);
  }, 90_000);

  const noPostgres = !inject('fieldsyncPostgresUrl');
  it.skipIf(noPostgres)(`PostgreSQL${noPostgres ? ' (skipped: no PostgreSQL server for this run)' : ''}`, async () => {
    dir = tempDir();
    db = await createTestDatabase();
    const url = db.url;
    await expectExit({ FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_DATABASE_URL: url }, async () => {
      const c = await connectClient(url);
      try {
        await c.query(`BEGIN; ALTER TABLE fieldsync_messages ADD COLUMN future text; INSERT INTO fieldsync_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1}); COMMIT`);
      } finally {
        await c.end();
      }
    }, POSTGRES_SCHEMA_VERSION + 1, POSTGRES_SCHEMA_VERSION);
  }, 90_000);
});

describe('the setting and the watcher', () => {
  it('FIELDSYNC_NEWER_SCHEMA_EXIT: 1m by default, a duration of 1 s or more, or off (never)', () => {
    const env = { FIELDSYNC_SECRET: SECRET };
    expect(loadConfig([], env)?.newerSchemaExitMs).toBe(DEFAULT_NEWER_SCHEMA_EXIT_MS);
    expect(loadConfig([], { ...env, FIELDSYNC_NEWER_SCHEMA_EXIT: '5m' })?.newerSchemaExitMs).toBe(300_000);
    expect(loadConfig([], { ...env, FIELDSYNC_NEWER_SCHEMA_EXIT: 'off' })?.newerSchemaExitMs).toBe(0);
    expect(() => loadConfig([], { ...env, FIELDSYNC_NEWER_SCHEMA_EXIT: '0' })).toThrow('FIELDSYNC_NEWER_SCHEMA_EXIT');
    expect(() => loadConfig([], { ...env, FIELDSYNC_NEWER_SCHEMA_EXIT: 'soon' })).toThrow('FIELDSYNC_NEWER_SCHEMA_EXIT must be a duration');
  });

  it('checks its arguments', () => {
    expect(() => newerSchemaExit(-1, () => undefined)).toThrow(RangeError);
    expect(() => newerSchemaExit(1.5, () => undefined)).toThrow(RangeError);
    expect(() => newerSchemaExit('1m' as never, () => undefined)).toThrow(RangeError);
    expect(() => newerSchemaExit(1000, 'exit' as never)).toThrow(TypeError);
  });
});

// The timer, on a fake clock (round 65): started by the latch itself, never by a poll.
describe('newerSchemaExit: driven by the latch', () => {
  afterEach(() => void vi.useRealTimers());
  const err = new NewerSchemaError(9, 8);
  const HOUR = 3_600_000;

  it('a healthy server never exits: no timer runs until the latch is set', () => {
    vi.useFakeTimers();
    const expired: Error[] = [];
    newerSchemaExit(5000, (e) => expired.push(e));
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(24 * HOUR);
    expect(expired).toEqual([]);
  });

  it('exits after the grace, not before, counted from the moment of latching', () => {
    vi.useFakeTimers();
    const expired: Error[] = [];
    const exit = newerSchemaExit(5000, (e) => expired.push(e));
    vi.advanceTimersByTime(HOUR + 123); // healthy for an hour, then the latch
    exit.latched(err);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(4999);
    expect(expired).toEqual([]);
    exit.latched(err); // told again (it is not): the grace does not start over
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([err]);
    vi.advanceTimersByTime(HOUR);
    expect(expired).toEqual([err]); // once
  });

  it('off (0) never exits, latched or not', () => {
    vi.useFakeTimers();
    const expired: Error[] = [];
    const exit = newerSchemaExit(0, (e) => expired.push(e));
    exit.latched(err);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(24 * HOUR);
    expect(expired).toEqual([]);
  });

  it('cancel() (a SIGTERM first) stops a grace under way, and one not yet started', () => {
    vi.useFakeTimers();
    const expired: Error[] = [];
    const started = newerSchemaExit(5000, (e) => expired.push(e));
    started.latched(err);
    started.cancel();
    const before = newerSchemaExit(5000, (e) => expired.push(e));
    before.cancel();
    before.latched(err);
    vi.advanceTimersByTime(HOUR);
    expect(expired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
