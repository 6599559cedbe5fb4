/**
 * The server's worker threads carry names the operating system shows (thread-names.ts), so
 * that per-thread CPU (`top -H`, /proc) tells the one SQLite writer from the parse workers
 * and the WAL's sync thread. Read from /proc, where Linux keeps each thread's name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { namesWorkerThreads, threadNames } from '../../test-support/thread-names.ts';
import { createParsePool } from '../ingest/parse-pool.ts';
import { THREAD_NAMES } from '../thread-names.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const canSee = await namesWorkerThreads();
const count = (name: string): number => threadNames().filter((n) => n === name).length;

describe.skipIf(!canSee)(canSee ? 'the server\'s threads by name' : 'the server\'s threads by name (skipped: no per-thread names to read here, Linux /proc and a Node that names worker threads)', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('the SQLite store\'s thread, the WAL\'s sync, checkpoint and pull threads and each parse worker, by name, and gone once the server stops', async () => {
    s = await startTestServer({ env: { FIELDSYNC_PARSE_WORKERS: '2' } });
    // A large push goes through a parse worker to the store's thread and back through the WAL's sync thread.
    const res = await s.sync('u', { clientId: 'A', cursor: 0, messages: Array.from({ length: 80 }, (_, i) => msg('A', `r${i}`, 'x'.repeat(1000))) });
    expect(res.status).toBe(200);
    expect(count(THREAD_NAMES.store)).toBe(1);
    expect(count(THREAD_NAMES.walSync)).toBe(1);
    expect(count(THREAD_NAMES.checkpoint)).toBe(1);
    expect(count(THREAD_NAMES.pull)).toBe(1);
    expect(count(THREAD_NAMES.parse)).toBe(2);
    await s.stop();
    s = undefined;
    expect(Object.values(THREAD_NAMES).reduce((n, name) => n + count(name), 0)).toBe(0);
  });

  it('no pull thread with `--pull-thread off`, and a pull is answered all the same', async () => {
    s = await startTestServer({ env: { FIELDSYNC_PULL_THREAD: 'off' } });
    expect((await s.sync('u', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'v')] })).status).toBe(200);
    const pulled = await s.sync('u', { clientId: 'B', cursor: 0 });
    expect(pulled.status).toBe(200);
    expect(pulled.body).toMatchObject({ cursor: 1, messages: [{ row: 'r', value: 'v' }] });
    expect(count(THREAD_NAMES.store)).toBe(1);
    expect(count(THREAD_NAMES.walSync)).toBe(1);
    expect(count(THREAD_NAMES.pull)).toBe(0);
  });

  it('a worker of the parse pool (a store given in-process) by name', async () => {
    const pool = createParsePool({ workers: 1 });
    try {
      const body = Buffer.from(JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'v')] }));
      expect((await pool.parse(body)).messages).toHaveLength(1);
      expect(count(THREAD_NAMES.parse)).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('every name fits the 15 characters Linux keeps', () => {
    for (const name of Object.values(THREAD_NAMES)) expect(name.length).toBeLessThanOrEqual(15);
  });
});
