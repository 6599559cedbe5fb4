/**
 * The WAL is checkpointed by a thread of its own, beside the writer (stores/checkpoint-worker.ts):
 * what the commits wrote reaches the database file long before the writer's own threshold,
 * the server still leaves no WAL behind when it stops, and a checkpoint that fails is reported,
 * not fatal.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointThread } from '../stores/checkpoint-thread.ts';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { WAL_CHECKPOINT_PAGES } from '../stores/sqlite-server-store.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

describe('the WAL\'s checkpoint thread', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('copies the commits into the database file well before the writer would, and leaves no WAL once the server stops', async () => {
    s = await startTestServer();
    const file = join(s.dataDir, SQLITE_FILE);
    const before = size(file);
    // About 2 MiB of values: some 500 pages of WAL, far under the writer's own threshold.
    const pages = 500;
    expect(pages).toBeLessThan(WAL_CHECKPOINT_PAGES / 4);
    for (let p = 0; p < 4; p++) {
      const messages = Array.from({ length: 128 }, (_, i) => msg('A', `r${p}-${i}`, `${p}/${i} ${'x'.repeat(4000)}`));
      expect((await s.sync('writer', { clientId: 'A', cursor: 0, messages })).status).toBe(200);
    }
    // Eventually (bounded): the database file holds what only the WAL held.
    for (let i = 0; i < 100 && size(file) < before + 1024 * 1024; i++) await sleep(50);
    expect(size(file)).toBeGreaterThan(before + 1024 * 1024);

    const wal = `${file}-wal`;
    expect(existsSync(wal)).toBe(true);
    await s.stop();
    s = undefined;
    expect(existsSync(wal)).toBe(false);
  });

  it('reports a checkpoint that fails, and goes on', async () => {
    const errors: Error[] = [];
    const thread = startCheckpointThread(join('/nonexistent-fieldsync-dir', SQLITE_FILE), (err) => errors.push(err));
    try {
      thread.commits.postMessage({ type: 'committed' });
      for (let i = 0; i < 100 && errors.length === 0; i++) await sleep(20);
      expect(errors[0]?.message).toMatch(/^a checkpoint of the WAL failed: /);
      thread.commits.postMessage({ type: 'committed' });
      for (let i = 0; i < 100 && errors.length < 2; i++) await sleep(20);
      expect(errors).toHaveLength(2); // the thread is still there, trying again at the next commit
    } finally {
      await thread.close();
      thread.commits.close();
    }
  });
});
