/**
 * One contender of the `peers` workload in a process of its own (bench/lib/isolated-apply.ts
 * starts it): its warm-up, its timed runs and the heap its replicas keep, printed as one JSON
 * line. Why a process each: measured one after another in one process, a contender's figure
 * depended on what ran before it (Yjs measured first gave 224,000 changes/s by CPU, after
 * Fieldsync's pulls 425,000, on a busy machine); on its own, 485,000 to 584,000 on a quiet one.
 */
import { heapInUse, measure, type Timing } from './cpu.ts';
import { pullClient, pullRuns } from './fieldsync-pull.ts';
import { changePages } from './peer-changes.ts';
import { PEERS } from './peers.ts';
import type { ApplyTask, ApplyTiming } from './isolated-apply.ts';

async function fieldsync(task: Extract<ApplyTask, { kind: 'fieldsync' }>): Promise<ApplyTiming> {
  const client = pullClient(task.url, task.token, task.changes);
  try {
    // A first pull, not counted, warms the JIT up (each peer gets the same below).
    await (await client.pull(task.store, task.transport)).release();
    const { runs, heapBytesPerChange } = await pullRuns(client, task.store, task.repeats, task.transport);
    return { changes: task.changes, runs: runs.map(({ cpuSeconds, wallSeconds }) => ({ cpuSeconds, wallSeconds })), heapBytesPerChange };
  } finally {
    client.close();
  }
}

async function peer(task: Extract<ApplyTask, { kind: 'peer' }>): Promise<ApplyTiming> {
  const p = PEERS.find((x) => x.name === task.name);
  if (!p) throw new Error(`apply-child: no peer named ${task.name}`);
  const updates = p.send(changePages(task.changes));
  const bytes = updates.reduce((s, u) => s + p.bytes(u as never), 0);
  // A first run, not counted, warms the JIT up; Automerge's is a tenth (one run takes seconds).
  p.receive((p.name === 'Automerge' ? updates.slice(0, Math.ceil(updates.length / 10)) : updates) as never);
  // What the replicas keep: the heap with them all, less the heap once they are gone.
  const runs: Timing[] = [];
  const replicas: unknown[] = [];
  for (let i = 0; i < task.repeats; i++) {
    runs.push(await measure(() => {
      replicas.push(p.receive(updates as never));
    }));
  }
  const kept = heapInUse();
  const count = replicas.length;
  replicas.length = 0;
  return { changes: task.changes, runs, heapBytesPerChange: (kept - heapInUse()) / count / task.changes, bytesPerChange: bytes / task.changes };
}

const task = JSON.parse(process.argv[2] ?? '') as ApplyTask;
const result = task.kind === 'fieldsync' ? await fieldsync(task) : await peer(task);
process.stdout.write(`${JSON.stringify(result)}\n`);
