/**
 * The server process (`node server/main.ts`, SQLite data dir) killed with SIGKILL while
 * clients push, at seeded moments, and restarted on the same data dir: the scenario and its
 * checks are test-support/killed-server-scenario.ts's (killed-server-postgres.test.ts runs it
 * on PostgreSQL). At each kill the database file is read directly, before the restart.
 * Reproduce with FIELDSYNC_SEED=<seed> (the failure names it); FIELDSYNC_RUNS=<n> runs n seeds.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, it } from 'vitest';
import { createAuthenticator } from '../auth.ts';
import { spawnServer } from '../../test-support/child-server.ts';
import { pullAll } from '../../test-support/crash-checks.ts';
import { KILLED_SERVER_SECRET, killedServerScenario } from '../../test-support/killed-server-scenario.ts';
import { tempDir, type TempDir } from '../../test-support/temp-dir.ts';
import { seedsFromEnv } from '../../test-support/seed-env.ts';

const dirs: TempDir[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

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
  const dir = tempDir('fieldsync-killed-server-');
  dirs.push(dir);
  const token = await createAuthenticator(KILLED_SERVER_SECRET).sign(`killed-${seed}`, 3600);
  await killedServerScenario({
    seed,
    token,
    processes: 1,
    start: () => spawnServer({ FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_SECRET: KILLED_SERVER_SECRET, FIELDSYNC_COMPACTION: 'off' }),
    storedHlcs: () => Promise.resolve(storedHlcs(dir)),
    held: (live) => pullAll((live[0] as { url: string }).url, token),
    maxDelayMs: 8,
  });
}

const SEEDS = seedsFromEnv(20261206, 2);

it('a server killed mid-push loses no answered push, stores none twice, and its clients converge after its restart', async () => {
  for (const seed of SEEDS) await scenario(seed);
}, Math.max(90_000, SEEDS.length * 30_000));
