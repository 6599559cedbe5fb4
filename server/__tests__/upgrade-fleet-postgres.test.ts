/**
 * A fleet upgrade on PostgreSQL: three current server processes (`node server/main.ts`)
 * started at the same moment on a database an older server wrote (test-support/upgrade-fixtures,
 * schema 1 and 2). To make the three migrations overlap for certain, the test holds an
 * ACCESS EXCLUSIVE lock on `fieldsync_schema` until all three are waiting in the database,
 * then lets go: without the migration's advisory lock each would read the old version and
 * apply the next migration again (the second ALTER TABLE fails, its process exits).
 *
 * Then: the schema migrated once (each version one row), every process answers the same epoch
 * (the old one, or the one migration 2 drew), an old cursor goes on, and three real sync
 * clients, each through its own process at once, converge; with compaction off every message
 * they pushed is stored exactly once, under the ids after the old log's, with no gap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cellKey, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type Message, type Remote, type SyncClient } from 'fieldsync';
import { createAuthenticator } from '../auth.ts';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { spawnServer, stopServers, type ChildServer } from '../../test-support/child-server.ts';
import { readDump } from '../../test-support/upgrade-fixture-files.ts';
import { seededRandom } from '../../test-support/seeded-random.ts';
import { connectClient, createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';
import { tempDir } from './helpers/temp-dir.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';

const SECRET = 'fleet-upgrade-test-secret-0123456789abcdef';
const auth = createAuthenticator(SECRET);
const PROCESSES = 3;
const ROUNDS = 6;

// [dump, its schema version, compaction of each process]. Mixed: a compaction change rolled
// out with the upgrade (docs/postgres.md, "Compaction": processes may differ meanwhile).
const CASES = [
  ['server-postgres-v1-db50754.sql', 1, 'off', ['off', 'off', 'off']],
  ['server-postgres-v2-360a2ba.sql', 2, 'off', ['off', 'off', 'off']],
  ['server-postgres-v1-db50754.sql', 1, 'mixed', ['on', 'off', 'on']],
] as const;

let db: TestDatabase | undefined;
let dataDir: TempDir | undefined;
const servers: ChildServer[] = [];
const clients: SyncClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await stopServers(servers);
  await db?.drop();
  dataDir?.remove();
  db = undefined;
  dataDir = undefined;
});

async function rows<T>(url: string, text: string): Promise<T[]> {
  const c = await connectClient(url);
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

async function sync(url: string, token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A remote through `url` that keeps every hlc it pushed, with its cell (sent again after a failure: kept once). */
function countingRemote(url: string, token: string, pushed: Map<string, string>): Remote {
  const http = createHttpRemote({ url, token });
  return {
    sync(request, options) {
      for (const m of request.messages ?? []) pushed.set(m.hlc, cellKey(m.table, m.row, m.column));
      return http.sync(request, options);
    },
  };
}

/** Starts the processes while a lock on fieldsync_schema holds every migration back, then lets them all go at once. */
async function startFleetTogether(url: string, envs: readonly Record<string, string>[]): Promise<ChildServer[]> {
  const gate = await connectClient(url);
  // pg_stat_activity is read once per transaction: the gate's own would never see the waiters.
  const watch = await connectClient(url);
  try {
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE fieldsync_schema IN ACCESS EXCLUSIVE MODE');
    const starts = envs.map((env) => spawnServer(env));
    // Settled either way, so that a process that fails is stopped by afterEach.
    const settled = Promise.allSettled(starts).then((all) => {
      for (const r of all) if (r.status === 'fulfilled') servers.push(r.value);
      return all;
    });
    const database = new URL(url).pathname.slice(1);
    let ended = false;
    void settled.then(() => { ended = true; });
    await untilQuery(async () => {
      if (ended) return true; // a process that failed to start: its error is reported below
      const [{ n }] = (await watch.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database])).rows as [{ n: string }];
      return Number(n) === PROCESSES;
    }, `${PROCESSES} migrations waiting`, 20_000);
    await gate.query('COMMIT');
    const all = await settled;
    const failed = all.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(failed).toEqual([]);
    return all.map((r) => (r as PromiseFulfilledResult<ChildServer>).value);
  } finally {
    await gate.end().catch(() => undefined);
    await watch.end().catch(() => undefined);
  }
}

describe.each(CASES)('three processes upgrading %s (schema %i) at once, compaction %s', (dump, version, compaction, each) => {
  it('migrate once; one epoch; clients through every process converge, each message stored once', async () => {
    db = await createTestDatabase();
    dataDir = tempDir();
    await rows(db.url, readDump(dump));
    const old = await rows<{ id: string; hlc: string }>(db.url, 'SELECT id, hlc FROM fieldsync_messages ORDER BY id');
    expect(old.map((r) => Number(r.id))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const oldEpoch = version >= 2 ? (await rows<{ epoch: string }>(db.url, 'SELECT epoch FROM fieldsync_users'))[0]?.epoch : undefined;

    const base = { FIELDSYNC_DATABASE_URL: db.url, FIELDSYNC_SECRET: SECRET, FIELDSYNC_DATA_DIR: dataDir.path, FIELDSYNC_DATABASE_POOL_MAX: '4' };
    const fleet = await startFleetTogether(db.url, each.map((c) => ({ ...base, FIELDSYNC_COMPACTION: c })));
    // Each version applied once, by one of them.
    expect(await rows(db.url, 'SELECT version FROM fieldsync_schema ORDER BY version')).toEqual(
      Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );

    // Every process: the same epoch, and an old cursor goes on from 3 with no gap or repeat.
    const token = await auth.sign('alice', 3600);
    const answers = await Promise.all(fleet.map((s) => sync(s.url, token, { clientId: 'oldClient', cursor: 3, limit: 100, ...(oldEpoch ? { epoch: oldEpoch } : {}) })));
    const epochs = new Set(answers.map((a) => a.body.epoch));
    expect(epochs.size).toBe(1);
    if (oldEpoch) expect([...epochs]).toEqual([oldEpoch]);
    for (const a of answers) expect((a.body.messages as Message[]).map((m) => m.hlc)).toEqual(old.slice(3).map((r) => r.hlc));

    // Three clients, each through its own process, write (their own rows and shared cells) and sync at once.
    const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
    const pushed = new Map<string, string>();
    const stores = fleet.map(() => createMemoryStore());
    for (const [i, s] of fleet.entries()) {
      clients.push(await createSyncClient({ schema, store: stores[i] as ReturnType<typeof createMemoryStore>, remote: countingRemote(s.url, token, pushed), intervalMs: 3_600_000 }));
    }
    const random = seededRandom(61);
    await Promise.all(clients.map(async (c, i) => {
      for (let r = 0; r < ROUNDS; r++) {
        await c.update('todos', `c${i}-${r}`, { title: `client ${i} round ${r}`, done: random() < 0.5 });
        await c.update('todos', 't1', { title: `t1 by ${i} at ${r}` });
        await c.update('todos', 't4', { done: random() < 0.5 });
        await c.sync();
      }
    }));
    // Two more rounds each: everything pushed reaches every client.
    for (let k = 0; k < 2; k++) for (const c of clients) await c.sync();

    const states = stores.map((st) => st.rows('todos'));
    for (const s of states.slice(1)) expect(new Map(s)).toEqual(new Map(states[0]));
    expect(states[0]?.get('t1')).toBeDefined();
    expect(states[0]?.get(`c${PROCESSES - 1}-${ROUNDS - 1}`)).toMatchObject({ title: `client ${PROCESSES - 1} round ${ROUNDS - 1}` });

    const stored = await rows<{ id: string; hlc: string; tbl: string; row_id: string; col: string }>(db.url, `SELECT id, hlc, tbl, row_id, col FROM fieldsync_messages WHERE user_id = 'alice' ORDER BY id`);
    const hlcs = stored.map((r) => r.hlc);
    expect(new Set(hlcs).size).toBe(hlcs.length); // none twice
    const fresh = hlcs.filter((h) => !old.some((o) => o.hlc === h));
    expect(fresh.filter((h) => !pushed.has(h))).toEqual([]);
    const [{ last_id }] = await rows<{ last_id: string }>(db.url, `SELECT last_id FROM fieldsync_users WHERE user_id = 'alice'`) as [{ last_id: string }];
    if (compaction === 'off') {
      // Every message kept: the old log, then each pushed message once, ids 8, 9, ... with no gap.
      expect(stored.map((r) => Number(r.id))).toEqual(Array.from({ length: 7 + pushed.size }, (_, i) => i + 1));
      expect(new Set(fresh)).toEqual(new Set(pushed.keys()));
      expect(Number(last_id)).toBe(7 + pushed.size);
    } else {
      // Each cell's winner, of everything ever written to it, is stored; ids still go up.
      const winners = new Map<string, string>();
      for (const [hlc, cell] of [...stored.map((r) => [r.hlc, cellKey(r.tbl, r.row_id, r.col)] as const), ...pushed]) {
        if ((winners.get(cell) ?? '') < hlc) winners.set(cell, hlc);
      }
      expect([...winners.values()].filter((h) => !hlcs.includes(h))).toEqual([]);
      expect(Number(last_id)).toBe(Number(stored.at(-1)?.id));
    }
  }, 60_000);
});
