/**
 * Two processes on one client SQLite file (docs/api.md: several connections may share the
 * file; a background syncer beside the app, or an app launched twice on one profile), both
 * killed with SIGKILL at seeded moments, again and again. Each round starts two lives of
 * test-support/crash-client.ts that open the same file at the same moment (the first round: a
 * new file), then write the same rows and sync (each with `autoSync` in about half its lives)
 * against the real server over loopback HTTP, while another device writes the same rows, and
 * rows of its own, and syncs. Each process is killed once per seed at each kind of moment
 * (after a write statement, before a push leaves, at a push's answer, on a timer) and lives
 * through one round; then a last round where both sync everything. After it:
 *
 * - no sync of either failed (the server is up: the other process's commits must not make
 *   one fail), and nothing is set aside (a write stamped with a clientId the file does not
 *   keep is refused by the server);
 * - every write whose call returned is on the server exactly once, and so is every local
 *   message the file holds: both processes may push one pending message (each reads the
 *   outbox), and the server keeps each hlc once. A write whose hlc another one took shows
 *   as lost; nothing is stored twice (an hlc, or a write's value under two hlcs), and no
 *   multi-field write is there in part;
 * - the file (reopened), the other device and a new one show each cell's greatest-hlc value:
 *   the other device's rows of its own are never written again, so a pull that skipped one
 *   of its messages (a cursor moved past it) shows as a missing row.
 *
 * The server keeps every message (compaction off). Reproduce with FIELDSYNC_SEED=<seed> (the
 * failure names it); FIELDSYNC_RUNS=<n> runs n seeds. The failure's log says how many
 * messages were pushed more than once.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, type Message, type SyncClient } from '../../sync/index.ts';
import { createSqliteStore, openDatabase } from '../index.ts';
import { duplicates, halfWritten, missing, modelText, pullAll, shownText } from '../../../test-support/crash-checks.ts';
import { shuffled, startLife, type Life } from '../../../test-support/crash-lives.ts';
import { seededRandom } from '../../../test-support/seeded-random.ts';
import { crashSchema, fieldsOf, type Intent, type KillPoint } from '../../../test-support/crash-client.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { tempDir, type TempDir } from '../../../test-support/temp-dir.ts';
import { seedsFromEnv } from '../../../test-support/seed-env.ts';

const server = useRealServer({ FIELDSYNC_COMPACTION: 'off' });
const COLUMNS = ['title', 'note', 'rank'];
/** Each process's lives but the last: each kind of kill once, and one round it lives through. */
const LIVES: readonly KillPoint[] = ['statement', 'send', 'answer', 'timer', 'none'];

const dirs: TempDir[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/** What the lives said, gathered over the run. */
interface Said {
  readonly reported: Message[];
  readonly intents: Intent[];
  /** hlc → how many requests pushed it (answered), over both processes and all lives. */
  readonly pushes: Map<string, number>;
  /** Syncs that failed (`E` lines): with the server up, none should. */
  readonly failed: string[];
}

function gather(said: Said, life: Life): void {
  for (const line of life.lines) {
    if (line.startsWith('W ')) said.reported.push(...(JSON.parse(line.slice(2)) as Message[]));
    if (line.startsWith('I ')) said.intents.push(JSON.parse(line.slice(2)) as Intent);
    if (line.startsWith('E ')) said.failed.push(line.slice(2));
    if (line.startsWith('P ')) for (const hlc of JSON.parse(line.slice(2)) as string[]) said.pushes.set(hlc, (said.pushes.get(hlc) ?? 0) + 1);
  }
}

/** A message in a failure's list: all of it on one line. */
const textOf = (m: Message): string => `${m.hlc} ${m.row}.${m.column}=${JSON.stringify(m.value)}`;

/** One line of the failure's log: how a life went. */
function lifeText(name: string, kill: KillPoint, ms: number, life: Life): string {
  const writes = life.lines.filter((l) => l.startsWith('W ')).length;
  const where = life.lines.find((l) => l.startsWith('K '))?.slice(2) ?? (kill === 'timer' ? `${ms} ms after go` : 'not reached');
  const auto = life.lines[0] === 'ready auto' ? ' (auto sync)' : '';
  const failed = life.lines.filter((l) => l.startsWith('E ')).map((l) => `\n  sync failed: ${l.slice(2)}`).join('');
  return `${name}${auto}: ${kill}: ${where} → ${life.signal ?? `exit ${life.code}`} after ${writes} writes${failed}`;
}

/**
 * The other device while a round's two lives run: a write to a shared row and one to a row
 * of its own, then a sync, until both lives have ended (bounded).
 */
async function writeAlongside(other: SyncClient, round: number, ended: Promise<unknown>, said: Said): Promise<void> {
  let over = false;
  // Both ways: a round whose life failed is failed by its caller, not as an unhandled rejection here.
  void ended.then(() => (over = true), () => (over = true));
  for (let k = 0; k < 20 && !over; k++) {
    const id = 900_000 + round * 100 + k;
    said.reported.push(...(await other.update('todos', `r${k % 4}`, fieldsOf(id, 0))));
    said.reported.push(await other.set('todos', `o${id}`, 'title', `t${id}`));
    await other.sync();
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function scenario(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const dir = tempDir('fieldsync-two-proc-');
  dirs.push(dir);
  const file = join(dir.path, 'device.db');
  const token = await server.token(`two-proc-${seed}-${process.pid}`);
  const remote = () => createHttpRemote({ url: server.url, token });
  const said: Said = { reported: [], intents: [], pushes: new Map(), failed: [] };
  const log: string[] = [];
  const otherStore = createMemoryStore();
  const other = await createSyncClient({ schema: crashSchema, store: otherStore, remote: remote(), autoSync: false });
  const plans = [shuffled(LIVES, random), shuffled(LIVES, random)];
  const startRound = (round: number) => plans.map((plan, p) => {
    const kill = plan[round - 1] ?? 'none';
    const n = 1 + Math.floor(random() * (kill === 'statement' ? 60 : 4));
    const ms = Math.floor(random() * 120);
    // Write ids are life * 1000 + k: A's lives are odd, B's even.
    const running = startLife({ file, url: server.url, token, seed, life: 2 * round - 1 + p, kill, n, gate: true });
    return { name: `round ${round} ${p === 0 ? 'A' : 'B'}`, kill, ms, running };
  });
  const ROUNDS = LIVES.length + 1;
  let next = startRound(1);
  let lives = next;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      lives = next;
      await Promise.all(lives.map((l) => l.running.ready));
      for (const l of lives) l.running.go(l.ms);
      const ended = Promise.all(lives.map((l) => l.running.ended));
      // The next round's lives start now and load their modules while these run (most of a
      // life's start, round 66); they wait for go() before they open the file.
      if (round < ROUNDS) next = startRound(round + 1);
      await writeAlongside(other, round, ended, said);
      for (const [i, life] of (await ended).entries()) {
        const { name, kill, ms } = lives[i] as (typeof lives)[number];
        gather(said, life);
        log.push(lifeText(name, kill, ms, life));
        if (kill === 'none') expect(life.lines.at(-1), log.join('\n')).toBe('done');
      }
    }
  } catch (err) {
    // A failed round (a life hung or died, or a check): its lives still running, and the next
    // round's, gated and waiting for a go() that never comes, are killed and waited for, so
    // none outlives the case (round 67).
    const left = [...lives, ...(next === lives ? [] : next)];
    for (const l of left) l.running.kill();
    await Promise.allSettled(left.map((l) => l.running.ended));
    await other.close();
    throw err;
  }

  // The file once more, in this process: it opens, and holds nothing unsynced.
  const db = openDatabase(file);
  const store = createSqliteStore(db);
  const device = await createSyncClient({ schema: crashSchema, store, remote: remote(), autoSync: false });
  await device.sync();
  await other.sync();
  const freshStore = createMemoryStore();
  const fresh = await createSyncClient({ schema: crashSchema, store: freshStore, remote: remote(), autoSync: false });
  await fresh.sync();
  const twice = [...said.pushes.values()].filter((n) => n > 1).length;
  const context = `seed ${seed} (FIELDSYNC_SEED=${seed}), ${twice} of ${said.pushes.size} messages pushed more than once:\n${log.join('\n')}`;
  try {
    expect(said.failed, `syncs failed: ${context}`).toEqual([]);
    expect(device.status.pending, context).toBe(0);
    expect(device.status.rejected, context).toBe(0);
    const held = await pullAll(server.url, token);
    const local = (await store.messages({ kind: 'recent', limit: 1_000_000 })).filter((m) => m.local);
    expect(duplicates(held), context).toEqual([]);
    expect(missing(said.reported, held).map(textOf), `reported writes lost: ${context}`).toEqual([]);
    expect(missing(local, held).map(textOf), `the file's own messages not on the server: ${context}`).toEqual([]);
    expect(halfWritten(said.intents, held), `half-written: ${context}`).toEqual([]);
    const model = modelText(held);
    expect(shownText(store.rows('todos', { includeDeleted: true }), COLUMNS), `the shared file: ${context}`).toBe(model);
    expect(shownText(otherStore.rows('todos', { includeDeleted: true }), COLUMNS), `the other device: ${context}`).toBe(model);
    expect(shownText(freshStore.rows('todos', { includeDeleted: true }), COLUMNS), `a new device: ${context}`).toBe(model);
  } finally {
    await device.close();
    await other.close();
    await fresh.close();
    db.close();
  }
}

const SEEDS = seedsFromEnv(20261206, 2);

it('two processes on one file, killed at seeded moments, lose no returned write, store none twice or in part, and converge', async () => {
  for (const seed of SEEDS) await scenario(seed);
}, Math.max(120_000, SEEDS.length * 40_000));
