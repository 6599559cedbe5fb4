/**
 * A device whose process is killed with SIGKILL, again and again, at seeded moments: mid-write,
 * mid-sync, between the server's commit of a push and the client's commit of its answer
 * (test-support/crash-client.ts runs each life in a child process that crash-lives.ts starts,
 * on one SQLite file, against the real server over loopback HTTP). Another device writes the
 * same rows between the lives. After a last life that syncs everything:
 *
 * - every write whose call returned (a `W` line) is on the server exactly once, and so is
 *   every local message the file holds (a write that committed but was not yet reported);
 * - nothing is stored twice, and no multi-field write is there in part (all its cells or none);
 * - the file, reopened once more, and the other device show, per cell, the value of the
 *   greatest-hlc message the server holds.
 *
 * The server keeps every message (compaction off), so a lost one cannot hide behind a winner.
 * Reproduce with FIELDSYNC_SEED=<seed> (the failure names it); FIELDSYNC_RUNS=<n> runs n seeds.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, type Message } from '../../sync/index.ts';
import { createSqliteStore, openDatabase } from '../index.ts';
import { duplicates, halfWritten, missing, modelText, pullAll, shownText } from '../../../test-support/crash-checks.ts';
import { runLife, shuffled } from '../../../test-support/crash-lives.ts';
import { seededRandom } from '../../../test-support/seeded-random.ts';
import { crashSchema, fieldsOf, type Intent, type KillPoint } from '../../../test-support/crash-client.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { tempDir, type TempDir } from '../../../test-support/temp-dir.ts';
import { seedsFromEnv } from '../../../test-support/seed-env.ts';

const server = useRealServer({ FIELDSYNC_COMPACTION: 'off' });
const COLUMNS = ['title', 'note', 'rank'];
const KILLS: readonly KillPoint[] = ['statement', 'send', 'answer', 'timer'];

const dirs: TempDir[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

async function scenario(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const dir = tempDir('fieldsync-killed-');
  dirs.push(dir);
  const file = join(dir.path, 'device.db');
  const token = await server.token(`killed-${seed}-${process.pid}`);
  const reported: Message[] = [];
  const intents: Intent[] = [];
  const log: string[] = [];
  // The other device, in this process: its writes return, so all of them must survive.
  const otherStore = createMemoryStore();
  const other = await createSyncClient({ schema: crashSchema, store: otherStore, remote: createHttpRemote({ url: server.url, token }), autoSync: false });
  const kills = shuffled(KILLS, random);
  for (let life = 1; life <= kills.length + 1; life++) {
    const kill = kills[life - 1] ?? 'none';
    const n = 1 + Math.floor(random() * (kill === 'statement' ? 60 : 4));
    const ms = Math.floor(random() * 120);
    const result = await runLife({ file, url: server.url, token, seed, life, kill, n }, ms);
    for (const line of result.lines) {
      if (line.startsWith('W ')) reported.push(...(JSON.parse(line.slice(2)) as Message[]));
      if (line.startsWith('I ')) intents.push(JSON.parse(line.slice(2)) as Intent);
    }
    const writes = result.lines.filter((l) => l.startsWith('W ')).length;
    const where = result.lines.find((l) => l.startsWith('K '))?.slice(2) ?? (kill === 'timer' ? `${ms} ms after ready` : 'not reached');
    const auto = result.lines[0] === 'ready auto' ? ' (auto sync)' : '';
    log.push(`life ${life}${auto}: ${kill}: ${where} → ${result.signal ?? `exit ${result.code}`} after ${writes} writes`);
    if (kill === 'none') expect(result.lines.at(-1), log.join('\n')).toBe('done');
    const id = 900_000 + life;
    reported.push(...(await other.update('todos', `r${life % 4}`, fieldsOf(id, 0))));
    await other.sync();
  }

  // The file once more, in this process: it opens, and holds nothing unsynced.
  const db = openDatabase(file);
  const store = createSqliteStore(db);
  const device = await createSyncClient({ schema: crashSchema, store, remote: createHttpRemote({ url: server.url, token }), autoSync: false });
  await device.sync();
  await other.sync();
  const context = `seed ${seed} (FIELDSYNC_SEED=${seed}):\n${log.join('\n')}`;
  try {
    expect(device.status.pending, context).toBe(0);
    const held = await pullAll(server.url, token);
    const local = (await store.messages({ kind: 'recent', limit: 1_000_000 })).filter((m) => m.local);
    expect(duplicates(held), context).toEqual([]);
    expect(missing(reported, held), `reported writes lost: ${context}`).toEqual([]);
    expect(missing(local, held), `the file's own messages not on the server: ${context}`).toEqual([]);
    expect(halfWritten(intents, held), `half-written: ${context}`).toEqual([]);
    const model = modelText(held);
    expect(shownText(store.rows('todos', { includeDeleted: true }), COLUMNS), `the killed device: ${context}`).toBe(model);
    expect(shownText(otherStore.rows('todos', { includeDeleted: true }), COLUMNS), `the other device: ${context}`).toBe(model);
  } finally {
    await device.close();
    await other.close();
    db.close();
  }
}

const SEEDS = seedsFromEnv(20261206, 3);

it('a device killed at seeded moments loses no returned write, stores none twice or in part, and converges', async () => {
  for (const seed of SEEDS) await scenario(seed);
}, Math.max(90_000, SEEDS.length * 15_000));
