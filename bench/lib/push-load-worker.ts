/**
 * The load of the big-pushes workload, in a worker thread of the benchmark: it makes the
 * bodies, then sends them all at once and reports how each ended. Off the benchmark's main
 * thread, so that neither it nor the prober (another worker) waits for the other.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { maxSizeBody } from '../workloads/big-pushes.ts';

interface LoadData {
  readonly url: string;
  readonly tokens: readonly string[];
  readonly pushes: number;
}

const { url, tokens, pushes } = workerData as LoadData;
const bodies = Array.from({ length: pushes }, (_, i) => maxSizeBody(`big${i}`, i));
parentPort?.postMessage({ type: 'ready', bodyBytes: bodies[0]?.length ?? 0 });
parentPort?.once('message', async () => {
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  await Promise.all(bodies.map(async (body, i) => {
    let status: string;
    try {
      const res = await fetch(`${url}/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length] as string}` },
        body,
      });
      await res.arrayBuffer();
      status = String(res.status);
    } catch {
      status = 'network error';
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
  }));
  parentPort?.postMessage({ type: 'done', statuses, seconds: (performance.now() - t0) / 1000 });
});
