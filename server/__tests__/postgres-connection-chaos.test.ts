/**
 * Two server processes on one PostgreSQL database while the database keeps ending their
 * connections (as a restart or a failover does, every 50 to 250 ms, seeded): 4 users, 3
 * clients each, syncing through either process at random (pushes of 1 to 5 messages, pulls
 * with limits of 1 to 4), sending again what was refused. Every answer is 200 or 503
 * `unavailable` with `Retry-After` (never a 500, never a hang); at the end each user's ids are
 * exactly 1 to `last_id`, no hlc is stored twice, every push answered 200 is stored, and each
 * client pulled its ids in increasing order and every other client's message up to its cursor.
 *
 * (The processes are two servers in this test's process, each with its own pool of 2: to the
 * database they are two processes. Compaction is off, so that every message stays to be checked.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatHlc, type ServerMessage } from 'fieldsync/server';
import { seededRandom } from '../../test-support/seeded-random.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

const SEED = Number(process.env.FIELDSYNC_SEED ?? 20261257);
const USERS = 4;
const CLIENTS = 3;
const ROUNDS = 15;

let db: TestDatabase;
const servers: TestServer[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  const env = { FIELDSYNC_DATABASE_URL: db.url, FIELDSYNC_DATABASE_POOL_MAX: '2', FIELDSYNC_COMPACTION: 'off' };
  servers.push(await startTestServer({ env }), await startTestServer({ env }));
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await db?.drop();
});

interface ClientRun {
  readonly user: string;
  readonly clientId: string;
  readonly acked: string[];
  readonly pulledIds: number[];
  cursor: number;
}

it(`every answered push stored once and no message passed by a cursor while the database ends connections (seed ${SEED})`, async () => {
  const random = seededRandom(SEED);
  const answers = new Map<string, number>();
  let n = 0;

  const runClient = async (run: ClientRun): Promise<void> => {
    for (let round = 0; round < ROUNDS; round++) {
      const server = servers[Math.floor(random() * servers.length)] as TestServer;
      const messages = random() < 0.6 ? Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({
        hlc: formatHlc({ millis: Date.now() - 10_000 + ++n, counter: 0, clientId: run.clientId }), table: 't', row: `r${Math.floor(random() * 5)}`, column: 'c', value: n,
      })) : [];
      const limit = 1 + Math.floor(random() * 4);
      for (let attempt = 0; ; attempt++) {
        const r = await server.sync(run.user, { clientId: run.clientId, cursor: run.cursor, limit, messages });
        const kind = r.status === 200 ? '200' : `${r.status} ${(r.body.error as { code?: string } | undefined)?.code} Retry-After ${r.headers.get('retry-after')}`;
        answers.set(kind, (answers.get(kind) ?? 0) + 1);
        if (r.status === 200) {
          run.acked.push(...messages.map((m) => m.hlc));
          run.pulledIds.push(...(r.body.messages as ServerMessage[]).map((m) => m.id));
          run.cursor = r.body.cursor as number;
          break;
        }
        if (r.status !== 503 || attempt >= 300) throw new Error(`sync answered ${kind} (attempt ${attempt})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };

  const runs: ClientRun[] = Array.from({ length: USERS * CLIENTS }, (_, i) => ({
    user: `u${Math.floor(i / CLIENTS)}`, clientId: `c${i % CLIENTS}`, acked: [], pulledIds: [], cursor: 0,
  }));
  let done = false;
  let ended = 0;
  const killer = await connectClient(db.url);
  const chaos = (async () => {
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 50 + random() * 200));
      const { rows } = await killer.query<{ n: number }>(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'fieldsync%'", [db.name]);
      ended += rows[0]?.n ?? 0;
    }
  })();
  try {
    await Promise.all(runs.map(runClient));
  } finally {
    done = true;
    await chaos;
  }

  const kinds = [...answers.keys()].sort();
  expect(kinds.every((k) => k === '200' || k === '503 unavailable Retry-After 2')).toBe(true);
  expect(answers.get('200')).toBe(USERS * CLIENTS * ROUNDS);
  expect(ended).toBeGreaterThan(20); // the database did end connections, many times

  for (let u = 0; u < USERS; u++) {
    const user = `u${u}`;
    const { rows } = await killer.query<{ id: number; hlc: string; client_id: string }>(
      'SELECT id::int, hlc, client_id FROM fieldsync_messages WHERE user_id = $1 ORDER BY id', [user]);
    const lastId = (await killer.query<{ last_id: number }>('SELECT last_id::int FROM fieldsync_users WHERE user_id = $1', [user])).rows[0]?.last_id;
    expect(rows.map((r) => r.id)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.length).toBe(lastId);
    const stored = new Set(rows.map((r) => r.hlc));
    expect(stored.size).toBe(rows.length);
    for (const run of runs.filter((r) => r.user === user)) {
      expect(run.acked.filter((h) => !stored.has(h)), `${user}/${run.clientId}: answered 200, not stored`).toEqual([]);
      expect(run.pulledIds.filter((id, i) => i > 0 && id <= (run.pulledIds[i - 1] as number)), `${user}/${run.clientId}: out of order`).toEqual([]);
      const pulled = new Set(run.pulledIds);
      const passed = rows.filter((r) => r.client_id !== run.clientId && r.id <= run.cursor && !pulled.has(r.id)).map((r) => r.id);
      expect(passed, `${user}/${run.clientId}: passed by its cursor ${run.cursor}`).toEqual([]);
    }
  }
  await killer.end();
}, 120_000);
