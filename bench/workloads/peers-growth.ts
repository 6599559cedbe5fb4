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
  /** The best group of consecutive pulls of at least GROUP_CHANGES changes in all (see below). */
  readonly cpuMicrosPerChange: number;
  /** The best single pull: how this figure was read until round 5, kept visible. */
  readonly bestPullCpuMicrosPerChange: number;
  readonly wallMicrosPerChange: number;
  readonly heapBytesPerChange: number;
}

/**
 * Changes per measured group. A pull allocates about 0.9 KB per change, so one of 10,000
 * changes (9 MB) takes about as long as the interval between two of the garbage collector's
 * scavenges: of twenty such pulls some pay for one or two and some for none, and the best
 * was one that paid for none, while a pull of 1,000,000 pays for all of its own; the ratio
 * of the two measured which runs were picked. Pulls are timed in consecutive groups of at least this many changes (ten pulls of
 * 10,000; one of 100,000 or more), so that each figure carries the collection its changes cause.
 */
export const GROUP_CHANGES = 100_000;

/** The best CPU per change (µs) among consecutive groups of `size` runs. */
export function bestGroup(cpuSeconds: readonly number[], size: number, changes: number): number {
  let best = Infinity;
  for (let k = 0; k + size <= cpuSeconds.length; k += size) {
    let sum = 0;
    for (let i = k; i < k + size; i++) sum += cpuSeconds[i] as number;
    best = Math.min(best, (sum * 1e6) / (size * changes));
  }
  return best;
}

export async function growth(options: { sizes: readonly number[] }): Promise<GrowthStep[]> {
  const out: GrowthStep[] = [];
  for (const changes of options.sizes) {
    const server = await startPullServer(changes);
    try {
      for (const store of ['memory', 'sqlite'] as const) {
        // Several clients at small sizes (the heap they keep together stands out of the
        // heap's noise), timed in groups (see GROUP_CHANGES); the best group counts.
        const count = Math.min(20, Math.max(1, Math.ceil(200_000 / changes)));
        const { runs, heapBytesPerChange } = await pullRuns(server, store, count);
        const cpu = runs.map((r) => r.cpuSeconds);
        out.push({
          changes,
          store,
          cpuMicrosPerChange: bestGroup(cpu, Math.min(count, Math.ceil(GROUP_CHANGES / changes)), changes),
          bestPullCpuMicrosPerChange: (Math.min(...cpu) * 1e6) / changes,
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
