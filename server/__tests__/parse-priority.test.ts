/**
 * The parse workers run at a lower CPU priority than the server's other threads (limits.ts
 * PARSE_WORKER_NICE): on a machine short of cores, the threads a small sync needs (the event
 * loop, the SQLite store's thread, the WAL's sync thread) get the CPU first, and parsing large
 * bodies takes what they leave. Only the parse workers' own threads are lowered: the others keep
 * the process's priority. Read from /proc, on Linux only (elsewhere a priority is the whole
 * process's, and the workers keep theirs).
 */
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { namesWorkerThreads, threadNices } from '../../test-support/thread-names.ts';
import { createParsePool } from '../ingest/parse-pool.ts';
import { PARSE_WORKER_NICE } from '../limits.ts';
import { THREAD_NAMES } from '../thread-names.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const canSee = await namesWorkerThreads();
const base = getPriority(); // this thread's: the process's own, which the other threads keep
const nices = (name: string): number[] => threadNices().filter((t) => t.name === name).map((t) => t.nice);
const lowered = Math.min(19, base + PARSE_WORKER_NICE);

describe.skipIf(!canSee)(canSee ? 'the parse workers\' priority' : 'the parse workers\' priority (skipped: not Linux, or no thread names in /proc)', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('the SQLite store\'s parse worker runs lowered; the store\'s thread, the WAL\'s sync thread and the event loop do not', async () => {
    s = await startTestServer({ env: { FIELDSYNC_PARSE_WORKERS: '1' } });
    // A large push goes through the parse worker: it has started by the time it is answered.
    const res = await s.sync('u', { clientId: 'A', cursor: 0, messages: Array.from({ length: 80 }, (_, i) => msg('A', `r${i}`, 'x'.repeat(1000))) });
    expect(res.status).toBe(200);
    expect(nices(THREAD_NAMES.parse)).toEqual([lowered]);
    expect(nices(THREAD_NAMES.store)).toEqual([base]);
    expect(nices(THREAD_NAMES.walSync)).toEqual([base]);
    expect(getPriority()).toBe(base);
  });

  it('a worker of the parse pool (a store given in-process) runs lowered too, and the event loop does not', async () => {
    const pool = createParsePool({ workers: 1 });
    try {
      const body = Buffer.from(JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'v')] }));
      expect((await pool.parse(body)).messages).toHaveLength(1);
      expect(nices(THREAD_NAMES.parse)).toEqual([lowered]);
      expect(getPriority()).toBe(base);
    } finally {
      await pool.close();
    }
  });
});
