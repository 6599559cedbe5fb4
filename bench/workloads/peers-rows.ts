/**
 * The `peers` workload's rows: apply against Yjs (CPU and wall time), the heap and bytes per
 * change of each, the core bundle against TinyBase's and Yjs's, and the growth table.
 * Each goal of issue 12 that belongs here is one row, met or missed.
 */
import { bundleSize, type BundleSize } from '../lib/bundle-size.ts';
import type { Row } from '../lib/report.ts';
import { round } from '../lib/stats.ts';
import { growth, type GrowthStep } from './peers-growth.ts';
import { peers, type ApplyFigure, type PeersResult } from './peers.ts';

export const PEERS_GOALS = { sqliteVsYjs: 1.0, memoryVsYjs: 1.5, heapBytesPerChange: 200, bundleGzipBytes: 8 * 1024, flat: 1.5 } as const;

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const x = (r: number): string => `${round(r, 2)}x`;
const kB = (b: number): string => `${round(b / 1024, 1)} kB`;
const plural = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;

export interface PeersSizes {
  readonly changes: number;
  readonly automergeChanges: number;
  readonly repeats: number;
  /** Fresh processes per contender, one per round (bench/workloads/peers.ts). */
  readonly rounds: number;
  readonly growth: readonly number[];
}

export interface PeersOutcome {
  readonly apply: PeersResult;
  readonly bundles: Record<string, BundleSize>;
  readonly growth: readonly GrowthStep[];
}

function applyRow(f: ApplyFigure, yjs: ApplyFigure, goal: number | null): Row {
  const cpu = f.cpuPerSecond / yjs.cpuPerSecond;
  const rates = (a: ApplyFigure): string => `${n(a.cpuPerSecond)}/s CPU (best run ${n(a.bestCpuPerSecond)}), ${n(a.wallPerSecond)}/s wall`;
  return {
    workload: `9. peers: apply ${n(f.changes)} changes, ${f.name}`,
    result: `${rates(f)}; ${n(f.heapBytesPerChange)} B heap and ${round(f.bytesPerChange, 1)} B encoded per change; ${plural(f.runs, 'run')} in ${plural(f.processes, 'process', 'processes')}`,
    baseline: f === yjs ? '' : `Yjs ${rates(yjs)}`,
    ratio: f === yjs ? '' : `${x(cpu)} CPU (best runs ${x(f.bestCpuPerSecond / yjs.bestCpuPerSecond)}), ${x(f.wallPerSecond / yjs.wallPerSecond)} wall`,
    goal: goal === null ? '' : `≥ ${goal}x Yjs (CPU)`,
    met: goal === null ? null : cpu >= goal,
  };
}

export async function peersWorkload(sizes: PeersSizes, step: (what: string) => void): Promise<{ rows: Row[]; outcome: PeersOutcome }> {
  step(`9. peers: ${n(sizes.changes)} changes`);
  const apply = await peers(sizes);
  const yjs = apply.peers.find((p) => p.name === 'Yjs') as ApplyFigure;
  const { memory, sqlite } = apply.fieldsync;
  // The goals are judged on what a client in Node runs (nodeFetch, the desktop app's
  // transport since round 4); the global fetch's rows stay beside them, judged by nothing.
  const rows: Row[] = [
    applyRow(sqlite, yjs, PEERS_GOALS.sqliteVsYjs),
    applyRow(apply.viaFetch.sqlite, yjs, null),
    applyRow(memory, yjs, PEERS_GOALS.memoryVsYjs),
    applyRow(apply.viaFetch.memory, yjs, null),
    {
      workload: '9. peers: heap kept per change, memory store',
      result: `${n(memory.heapBytesPerChange)} B`,
      baseline: apply.peers.map((p) => `${p.name} ${n(p.heapBytesPerChange)} B`).join(', '),
      ratio: '',
      goal: `≤ ${PEERS_GOALS.heapBytesPerChange} B`,
      met: memory.heapBytesPerChange <= PEERS_GOALS.heapBytesPerChange,
    },
    ...apply.peers.map((p) => applyRow(p, yjs, null)),
  ];
  step('9. peers: bundle sizes');
  const bundles: Record<string, BundleSize> = {};
  for (const name of ['Fieldsync', 'Fieldsync, realtime', 'TinyBase', 'Yjs'] as const) bundles[name] = await bundleSize(name);
  const core = bundles.Fieldsync as BundleSize;
  rows.push({
    workload: '9. peers: core bundle, the README client example (Vite, min+gzip)',
    result: `${kB(core.gzip)} (${kB(core.minified)} minified); with realtime pokes ${kB((bundles['Fieldsync, realtime'] as BundleSize).gzip)}`,
    baseline: `TinyBase ${kB((bundles.TinyBase as BundleSize).gzip)}, Yjs ${kB((bundles.Yjs as BundleSize).gzip)}`,
    ratio: '',
    goal: `≤ ${PEERS_GOALS.bundleGzipBytes / 1024} kB`,
    met: core.gzip <= PEERS_GOALS.bundleGzipBytes,
  });
  const steps: GrowthStep[] = [];
  for (const size of sizes.growth) {
    step(`9. peers: growth, ${n(size)} changes`);
    steps.push(...(await growth({ sizes: [size] })));
  }
  rows.push(...growthRows(steps));
  return { rows, outcome: { apply, bundles, growth: steps } };
}

/** One row per size and store, then whether each store's cost per change stayed flat. */
export function growthRows(steps: readonly GrowthStep[]): Row[] {
  const rows: Row[] = [];
  // Every growth step pulls through nodeFetch (bench/lib/fieldsync-pull.ts).
  const what = { memory: 'apply, memory store, nodeFetch', sqlite: 'catch-up, SQLite store, nodeFetch' } as const;
  for (const s of steps) {
    rows.push({
      workload: `9. growth: ${n(s.changes)} changes, ${what[s.store]}`,
      result: `${round(s.cpuMicrosPerChange, 2)} µs CPU (best single pull ${round(s.bestPullCpuMicrosPerChange, 2)}), ${round(s.wallMicrosPerChange, 2)} µs wall, ${n(s.heapBytesPerChange)} B heap per change`,
      baseline: '', ratio: '', goal: '', met: null,
    });
  }
  for (const store of ['memory', 'sqlite'] as const) {
    const mine = steps.filter((s) => s.store === store);
    const first = mine[0];
    const last = mine[mine.length - 1];
    if (!first || !last || first === last) continue;
    const time = last.cpuMicrosPerChange / first.cpuMicrosPerChange;
    // As read until round 5 (best single pulls, see GROUP_CHANGES), shown beside it.
    const bySinglePulls = last.bestPullCpuMicrosPerChange / first.bestPullCpuMicrosPerChange;
    const heap = last.heapBytesPerChange / Math.max(1, first.heapBytesPerChange);
    rows.push({
      workload: `9. growth: ${what[store]}, ${n(first.changes)} → ${n(last.changes)}`,
      result: `CPU per change ${x(time)} (by best single pulls ${x(bySinglePulls)}), heap per change ${x(heap)}`,
      baseline: '', ratio: '',
      goal: `flat (≤ ${PEERS_GOALS.flat}x)`,
      met: time <= PEERS_GOALS.flat && (store === 'sqlite' || heap <= PEERS_GOALS.flat),
    });
  }
  return rows;
}
