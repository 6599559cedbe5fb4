/**
 * The server process (`node server/main.ts`, SQLite data dir) killed with SIGKILL while
 * clients push, at seeded moments: a seeded few ms after a push has left a client (before the
 * server read it, while it commits, or between its commit and its answer), then restarted on
 * the same data dir and port. Three library clients in this process write and sync on,
 * retrying what failed. At each kill, every push the server answered 200 must be in its
 * database, read directly before the restart (the clients would make up for a loss later:
 * a log that lost its end gets a new epoch, and they push everything again). After a few
 * kills and a last sync of every client:
 *
 * - every push answered 200, and every write any client made, is in the server's log;
 * - no message is stored twice (by hlc, or a write's value under two hlcs);
 * - every client shows, per cell, the value of the greatest-hlc message the server holds.
 *
 * The server keeps every message (compaction off), so a lost one cannot hide behind a winner.
 * Reproduce with FIELDSYNC_SEED=<seed> (the failure names it); FIELDSYNC_RUNS=<n> runs n seeds.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type Message, type Remote, type SyncClient } from 'fieldsync';
import { createAuthenticator } from '../auth.ts';
import { spawnServer, type ChildServer } from '../../test-support/child-server.ts';
import { duplicates, missing, modelText, pullAll, shownText } from '../../test-support/crash-checks.ts';
import { seededRandom } from '../../test-support/seeded-random.ts';
import { freePort } from '../../test-support/free-port.ts';
import { tempDir, type TempDir } from '../../test-support/temp-dir.ts';
import { until } from '../../test-support/until.ts';

const SECRET = 'killed-server-test-secret-0123456789abcdef';
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', rank: 'number' } } });
const CLIENTS = 3;
const KILLS = 3;
/**
 * Kills after KILLS, until one caught a push committed and not yet answered (the one a
 * server without its dedupe stores twice, when its client pushes it again): the delays are
 * seeded, but not how far the server got in them.
 */
const MORE_KILLS = 3;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The server on `port`, killed (if still alive) when the test ends. */
async function start(dir: TempDir, port: number): Promise<ChildServer> {
  const s = await spawnServer({ FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_SECRET: SECRET, FIELDSYNC_COMPACTION: 'off', PORT: String(port) });
  cleanups.push(async () => {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGKILL');
      await s.exited;
    }
  });
  return s;
}

/** The hlcs in the data dir's database, read directly (the server is down). */
function storedHlcs(dir: TempDir): Set<string> {
  const db = new DatabaseSync(join(dir.path, 'fieldsync.sqlite'));
  try {
    return new Set((db.prepare('SELECT hlc FROM messages').all() as { hlc: string }[]).map((r) => r.hlc));
  } finally {
    db.close();
  }
}

async function scenario(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const dir = tempDir('fieldsync-killed-server-');
  cleanups.push(dir.remove);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const token = await createAuthenticator(SECRET).sign(`killed-${seed}`, 3600);
  let server = await start(dir, port);
  const log: string[] = [];

  // What the server answered 200 (the remote resolved), and the pushes it never answered
  // because it died: those that were out when it was killed.
  const acknowledged: Message[] = [];
  let pushes = 0;
  let armed: { delayMs: number; fired: boolean } | null = null;
  const unanswered: (readonly Message[])[] = [];
  const out = new Set<readonly Message[]>();
  const observed = (inner: Remote): Remote => ({
    async sync(request, options) {
      const sent = request.messages ?? [];
      if (sent.length > 0 && armed !== null && !armed.fired) {
        armed.fired = true; // this push is out: the server dies a few ms later
        const s = server;
        setTimeout(() => s.child.kill('SIGKILL'), armed.delayMs);
      }
      if (sent.length > 0) out.add(sent);
      try {
        const response = await inner.sync(request, options);
        if (sent.length > 0) {
          acknowledged.push(...sent);
          pushes++;
        }
        return response;
      } catch (err) {
        if (armed?.fired === true && sent.length > 0) unanswered.push(sent);
        throw err;
      } finally {
        out.delete(sent);
      }
    },
  });

  const stores = Array.from({ length: CLIENTS }, () => createMemoryStore());
  const clients: SyncClient[] = [];
  for (const store of stores) {
    const remote = observed(createHttpRemote({ url, token }));
    clients.push(await createSyncClient({ schema, store, remote, autoSync: false }));
  }
  const written: Message[] = [];
  let writing = true;
  let id = 0;
  // Each client writes a few rows, then syncs. After a failed sync it only tries again, 20 ms
  // later: writes made while the server is down would pile up into one large last push.
  const loops = clients.map(async (client, c) => {
    const own = seededRandom(seed * 31 + c);
    let up = true;
    while (writing) {
      for (let k = up ? 1 + Math.floor(own() * 3) : 0; k > 0; k--) {
        const n = ++id;
        written.push(...(await client.update('todos', `r${Math.floor(own() * 5)}`, { title: `c${c}-${n}`, rank: n })));
      }
      up = await client.sync().then(() => true, () => sleep(20).then(() => false));
    }
  });

  try {
    let committedUnanswered = 0;
    for (let kill = 1; kill <= KILLS || (committedUnanswered === 0 && kill <= KILLS + MORE_KILLS); kill++) {
      const after = pushes + 2 + Math.floor(random() * 6);
      await until(() => pushes >= after, `seed ${seed}: ${after} pushes answered`, 20_000);
      armed = { delayMs: Math.floor(random() * 8), fired: false };
      const exited = await server.exited;
      await until(() => out.size === 0, 'the pushes out at the kill fail', 10_000);
      // Read before the restart, when no client can push anything again. Every push it
      // answered must be there by itself: at the end alone, a loss would be hidden, since
      // clients push everything again when the log lost its end (docs/protocol.md, "Epochs").
      const stored = storedHlcs(dir);
      const failed = unanswered.splice(0);
      const committed = failed.filter((push) => push.every((m) => stored.has(m.hlc))).length;
      committedUnanswered += committed;
      log.push(`kill ${kill}: ${armed.delayMs} ms after a push left → ${exited.signal}; ${failed.length} pushes unanswered, ${committed} of them committed`);
      expect(acknowledged.filter((m) => !stored.has(m.hlc)), `answered 200, then lost at the kill: seed ${seed}:\n${log.join('\n')}`).toEqual([]);
      armed = null;
      server = await start(dir, port); // the same port: the clients' URL stays
    }
    writing = false;
    await Promise.all(loops);
    // Every client pushes what is left and pulls everyone's; twice, so each sees the others' last.
    for (let round = 0; round < 2; round++) for (const client of clients) await client.sync();

    const context = `seed ${seed} (FIELDSYNC_SEED=${seed}):\n${log.join('\n')}`;
    const held = await pullAll(url, token);
    expect(clients.map((c) => c.status.pending), context).toEqual(clients.map(() => 0));
    expect(duplicates(held), `stored twice: ${context}`).toEqual([]);
    expect(missing(acknowledged, held), `answered 200, then lost: ${context}`).toEqual([]);
    expect(missing(written, held), `written, never stored: ${context}`).toEqual([]);
    const model = modelText(held);
    for (const [c, store] of stores.entries()) expect(shownText(store.rows('todos', { includeDeleted: true }), ['title', 'rank']), `client ${c}: ${context}`).toBe(model);
  } finally {
    writing = false;
    await Promise.all(loops);
    for (const client of clients) await client.close();
  }
}

const FIRST_SEED = process.env.FIELDSYNC_SEED ? Number(process.env.FIELDSYNC_SEED) : 20261206;
const RUNS = process.env.FIELDSYNC_RUNS ? Number(process.env.FIELDSYNC_RUNS) : 2;

it('a server killed mid-push loses no answered push, stores none twice, and its clients converge after its restart', async () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) await scenario(seed);
}, Math.max(90_000, RUNS * 30_000));
