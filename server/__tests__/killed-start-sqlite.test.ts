/**
 * A server process (`node server/main.ts`, SQLite data dir) killed with SIGKILL inside the
 * one-time work it does at start: the compaction of a database that ran with compaction off
 * (every message that lost its cell dropped, then the unique cell index), and a schema
 * migration (1 to 2: every user's epoch drawn). Each runs in one IMMEDIATE transaction; the
 * test sees it open by probing the write lock (BEGIN IMMEDIATE without a busy wait: the file
 * is in WAL mode already, and nothing else of a starting server writes) and kills at once.
 * The database must be as it was (and pass PRAGMA integrity_check), and the next start must do
 * the work, once.
 * Also: the compaction at start took time quadratic in the messages (20,000: 8 s; a million:
 * hours) on a database without the cell index, the one case where it runs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { createAuthenticator } from '../auth.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';
import { DROP_LOST_MESSAGES, SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { ROOT, spawnServer } from '../../test-support/child-server.ts';
import { useRestoredDataDirs } from '../../test-support/upgrade-fixture-files.ts';

const SECRET = 'killed-start-sqlite-secret-0123456789abcdef';
const auth = createAuthenticator(SECRET);
const restored = useRestoredDataDirs();
const servers = restored.servers;

/** A data dir holding `dump`, in WAL mode, with `prepare` run on it. */
function dataDir(dump: string, prepare: (db: DatabaseSync) => void): { data: string; file: string } {
  const { data, file } = restored.dataDir('fieldsync-killed-start-', dump);
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    prepare(db);
  } finally {
    db.close();
  }
  return { data, file };
}

const hasEpoch = (db: DatabaseSync): boolean => db.prepare(`SELECT 1 FROM pragma_table_info('users') WHERE name = 'epoch'`).get() !== undefined;

/** `n` messages of user `bulk` (ids 1..n, hlcs increasing with the id), four to a cell: each cell's winner is its last. */
function addBulk(db: DatabaseSync, n: number): void {
  db.exec(hasEpoch(db) ? `INSERT INTO users (name, last_id, epoch) VALUES ('bulk', ${n}, 'b0b0b0b0b0b0b0b0')` : `INSERT INTO users (name, last_id) VALUES ('bulk', ${n})`);
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})
    INSERT INTO messages (uid, id, hlc, tbl, row, col, value, client_id)
    SELECT (SELECT uid FROM users WHERE name = 'bulk'), i, printf('2026-01-01T00:00:00.000Z-%04X-bulk%012d', i / 16, i),
           'todos', 'r' || (i % ${n / 4}), 'title', '"v' || i || '"', printf('bulk%012d', i) FROM n`);
}

/** `n` users without messages (migration 2 draws an epoch for each). */
function addUsers(db: DatabaseSync, n: number): void {
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) INSERT INTO users (name, last_id) SELECT 'u' || i, 0 FROM n`);
}

interface Snapshot { integrity: string; version: number; cellIndex: boolean; epochColumn: boolean; count: number; distinctHlcs: number; digest: string; counters: string }

function snapshot(file: string): Snapshot {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const one = (sql: string): unknown => Object.values(db.prepare(sql).get() ?? {})[0];
    return {
      integrity: one('PRAGMA integrity_check') as string, // 'ok': every page, index and constraint
      version: one('PRAGMA user_version') as number,
      cellIndex: one(`SELECT count(*) FROM sqlite_master WHERE name = 'messages_by_cell'`) === 1,
      epochColumn: hasEpoch(db),
      count: one('SELECT count(*) FROM messages') as number,
      distinctHlcs: one('SELECT count(DISTINCT uid || hlc) FROM messages') as number,
      // Every stored (user, id, hlc, value), and every counter, in one figure each.
      digest: String(one(`SELECT sum((uid * 1000003 + id * 7919 + unicode(substr(hlc, 25)) + length(value)) % 998244353) FROM messages`)),
      counters: String(one(`SELECT group_concat(name || ':' || last_id) FROM (SELECT name, last_id FROM users ORDER BY uid)`)),
    };
  } finally {
    db.close();
  }
}

/** Starts `node server/main.ts` and SIGKILLs it the moment its start holds the database's write lock. */
async function killInsideStart(data: string, file: string, compaction: 'on' | 'off'): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', FIELDSYNC_LOG_LEVEL: 'warn', FIELDSYNC_DATA_DIR: data, FIELDSYNC_SECRET: SECRET, FIELDSYNC_COMPACTION: compaction },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const probe = new DatabaseSync(file, { timeout: 0 });
  try {
    for (const deadline = Date.now() + 20_000; ;) {
      if (out !== '' || child.exitCode !== null) throw new Error(`the server got past its start before it was seen holding the write lock: ${out}`);
      if (Date.now() > deadline) throw new Error('the start never held the write lock');
      try {
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
      } catch (err) {
        if (!/locked|busy/i.test(String(err))) throw err;
        break; // the start's transaction holds it
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    probe.close();
  }
  child.kill('SIGKILL');
  await exited;
  expect(out).toBe(''); // killed before it was ready
}

async function sync(url: string, user: string, body: unknown): Promise<{ status: number; body: { epoch: string; cursor: number; messages: { id: number; hlc: string }[] } }> {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await auth.sign(user, 3600)}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as { epoch: string; cursor: number; messages: { id: number; hlc: string }[] } };
}

const BULK = 80_000; // a compaction of a good part of a second at start (two shared cores): a window wide enough to kill in

describe('a server killed inside its start', () => {
  it('during the compaction at start: the database is left whole, and the next start compacts it once', async () => {
    const { data, file } = dataDir('server-sqlite-v2-360a2ba.sql', (db) => {
      db.exec('DROP INDEX messages_by_cell'); // a server with compaction off ran on it
      addBulk(db, BULK);
    });
    const before = snapshot(file);
    expect(before).toMatchObject({ integrity: 'ok', version: SCHEMA_VERSION, cellIndex: false, count: BULK + 7 });

    await killInsideStart(data, file, 'on');
    expect(snapshot(file)).toEqual(before); // nothing of the compaction is left

    const env = { FIELDSYNC_DATA_DIR: data, FIELDSYNC_SECRET: SECRET, FIELDSYNC_COMPACTION: 'on' };
    const on = await spawnServer(env);
    servers.push(on);
    const after = snapshot(file);
    // Each cell's winner, with its id; the losers gone; the counters as they were.
    expect(after).toMatchObject({ version: SCHEMA_VERSION, cellIndex: true, count: BULK / 4 + 7, distinctHlcs: BULK / 4 + 7, counters: before.counters });
    const check = new DatabaseSync(file, { readOnly: true });
    try {
      const ids = check.prepare(`SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM messages WHERE uid = (SELECT uid FROM users WHERE name = 'bulk')`).get();
      expect(ids).toEqual({ lo: BULK - BULK / 4 + 1, hi: BULK, n: BULK / 4 });
    } finally {
      check.close();
    }
    // The counter goes on; a pull from before the compaction gets the winners after it.
    const epoch = (await sync(on.url, 'bulk', { clientId: 'reader', cursor: BULK, limit: 1 })).body.epoch;
    expect(epoch).toBe('b0b0b0b0b0b0b0b0');
    const hlc = formatHlc({ millis: Date.now(), counter: 0, clientId: 'newClient' });
    const pushed = await sync(on.url, 'bulk', { clientId: 'newClient', cursor: BULK, limit: 10, epoch, messages: [{ hlc, table: 'todos', row: 'r1', column: 'title', value: 'new' }] });
    expect(pushed.status).toBe(200);
    const next = await sync(on.url, 'bulk', { clientId: 'reader', cursor: BULK - 1, limit: 10, epoch });
    expect(next.body.messages.map((m) => [m.id, m.hlc])).toEqual([[BULK, expect.any(String)], [BULK + 1, hlc]]);

    // Done once: a start after it finds nothing to do and changes nothing.
    on.child.kill('SIGTERM');
    expect(await on.exited).toEqual({ code: 0, signal: null });
    const done = snapshot(file);
    const again = await spawnServer(env);
    servers.push(again);
    expect(snapshot(file)).toEqual(done);
  }, 60_000);

  it('during a schema migration: the database is left at its old version, whole, and the next start migrates it', async () => {
    const { data, file } = dataDir('server-sqlite-v1-db50754.sql', (db) => addUsers(db, 150_000));
    const before = snapshot(file);
    expect(before).toMatchObject({ integrity: 'ok', version: 1, epochColumn: false, count: 7 });

    await killInsideStart(data, file, 'on');
    expect(snapshot(file)).toEqual(before);

    const on = await spawnServer({ FIELDSYNC_DATA_DIR: data, FIELDSYNC_SECRET: SECRET, FIELDSYNC_COMPACTION: 'on' });
    servers.push(on);
    expect(snapshot(file)).toEqual({ ...before, version: SCHEMA_VERSION, epochColumn: true });
    const check = new DatabaseSync(file, { readOnly: true });
    try {
      expect(check.prepare(`SELECT count(*) AS n FROM users WHERE length(epoch) <> 16`).get()).toEqual({ n: 0 });
    } finally {
      check.close();
    }
    const answer = await sync(on.url, 'alice', { clientId: 'oldClient', cursor: 3, limit: 100 });
    expect(answer.body.messages.map((m) => m.id)).toEqual([4, 5, 6, 7]);
  }, 60_000);
});

describe('the compaction at start', () => {
  // Not timed (a test asserts behaviour, not speed): the plan says whether the statement walks
  // the table once or once per message (the correlated EXISTS before round 61: 30,000 messages
  // took 44 to 97 s). The result is checked on a real file too.
  it('drops each cell\'s lost messages in one scan of the table, no correlated subquery, and keeps each winner', () => {
    const { file } = dataDir('server-sqlite-v2-360a2ba.sql', (db) => {
      db.exec('DROP INDEX messages_by_cell');
      addBulk(db, 30_000);
    });
    const plan = new DatabaseSync(file, { readOnly: true });
    try {
      const steps = (plan.prepare(`EXPLAIN QUERY PLAN ${DROP_LOST_MESSAGES}`).all() as { detail: string }[]).map((r) => r.detail);
      expect(steps.filter((d) => /CORRELATED/.test(d))).toEqual([]);
      expect(steps.filter((d) => /^SCAN messages\b/.test(d))).toHaveLength(1);
    } finally {
      plan.close();
    }
    createSqliteServerStore({ file, compaction: true }).close();
    expect(snapshot(file)).toMatchObject({ cellIndex: true, count: 7500 + 7 });
  }, 60_000);
});
