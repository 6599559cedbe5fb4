/**
 * 9. Growth: the cost per change as the history grows from 10k to 1M changes. For each size,
 * a server holds that many changes of another device, and fresh clients pull them all
 * through the real path: one with the memory store (apply), one with the SQLite client store
 * (catch-up, as a new device would). Per change: CPU and wall time, and the heap the client
 * keeps afterwards (after a full GC). Flat rows mean the cost does not depend on the history.
 */
import { pullRuns, startPullServer, type FieldsyncStoreKind } from '../lib/fieldsync-pull.ts';

export interface GrowthStep {
  readonly changes: number;
  readonly store: FieldsyncStoreKind;
  readonly cpuMicrosPerChange: number;
  readonly wallMicrosPerChange: number;
  readonly heapBytesPerChange: number;
}

export async function growth(options: { sizes: readonly number[] }): Promise<GrowthStep[]> {
  const out: GrowthStep[] = [];
  for (const changes of options.sizes) {
    const server = await startPullServer(changes);
    try {
      for (const store of ['memory', 'sqlite'] as const) {
        // Several clients at small sizes (the first warms the JIT up; the heap they keep
        // together stands out of the heap's noise); the best time counts.
        const { runs, heapBytesPerChange } = await pullRuns(server, store, Math.min(20, Math.max(1, Math.ceil(200_000 / changes))));
        out.push({
          changes,
          store,
          cpuMicrosPerChange: (Math.min(...runs.map((r) => r.cpuSeconds)) * 1e6) / changes,
          wallMicrosPerChange: (Math.min(...runs.map((r) => r.wallSeconds)) * 1e6) / changes,
          heapBytesPerChange,
        });
      }
    } finally {
      await server.stop();
    }
  }
  return out;
}
