/**
 * The ingest row's per-thread CPU (bench/lib/cpu.ts `threadCpuSeconds`): a named thread that
 * spent a known amount of CPU shows at least that much under its name, and a process that is
 * gone gives null. Linux only (/proc).
 */
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { namesWorkerThreads } from '../../test-support/thread-names.ts';
import { processCpuSeconds, threadCpuSeconds } from '../lib/cpu.ts';

// Node 24 names a worker's thread after its `name`; without that (or /proc) there is no
// name to find a thread by, and the case is skipped with the reason.
const canSee = await namesWorkerThreads();

/** A worker that spends `ms` of its own CPU time, then idles until terminated. */
const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const start = process.threadCpuUsage();
for (;;) {
  const used = process.threadCpuUsage(start);
  if ((used.user + used.system) / 1000 >= workerData.ms) break;
}
parentPort.postMessage('spun');
setInterval(() => {}, 1000);
`;

describe.skipIf(!canSee)(canSee ? 'CPU by thread' : 'CPU by thread (skipped: no per-thread names to read here, Linux /proc and a Node that names worker threads)', () => {
  it('counts the CPU of the threads of a name under that name, within the process\'s total', async () => {
    // Two threads of one name, 300 ms each: their sum is counted.
    const workers = [0, 1].map(() => new Worker(SPIN, { eval: true, name: 'fs-cpu-probe', workerData: { ms: 300 } }));
    try {
      await Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      })));
      const byName = threadCpuSeconds(process.pid);
      const total = processCpuSeconds(process.pid);
      const probe = byName?.get('fs-cpu-probe');
      expect(probe).toBeGreaterThanOrEqual(0.55); // 2 × 300 ms, in ticks of 10 ms
      expect(total).not.toBeNull();
      expect(probe).toBeLessThanOrEqual(total as number);
      expect(byName?.has('MainThread') || byName?.has('node')).toBe(true); // this thread, under its own name
      const sum = [...(byName as Map<string, number>).values()].reduce((a, b) => a + b, 0);
      expect(sum).toBeLessThanOrEqual((total as number) + 0.05);
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  });

  it('gives null for a process that is gone', () => {
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(threadCpuSeconds(child.pid)).toBeNull();
    expect(threadCpuSeconds(undefined)).toBeNull();
  });
});
