/**
 * The `peers` workload at a tiny size: it runs end to end (a real server, Fieldsync's two
 * stores through the pull path, the three peers, the bundles, the growth steps) and reports
 * every row with its goal judged. No figure is asserted beyond being a real measurement:
 * timings belong to `npm run bench`, never to tests.
 */
import { describe, expect, it } from 'vitest';
import { PEERS_GOALS, growthRows, peersWorkload } from '../workloads/peers-rows.ts';
import { GROUP_CHANGES, bestGroup, type GrowthStep } from '../workloads/peers-growth.ts';
import { applyFigure } from '../workloads/peers.ts';

describe('the peers workload', () => {
  it('applies the same changes in Fieldsync (memory and SQLite, over HTTP) and in each peer, and reports every row', async () => {
    const steps: string[] = [];
    const { rows, outcome } = await peersWorkload({ changes: 2000, automergeChanges: 500, repeats: 1, rounds: 2, growth: [1000, 2000] }, (s) => steps.push(s));
    const names = rows.map((r) => r.workload);
    expect(names).toEqual([
      '9. peers: apply 2,000 changes, Fieldsync, SQLite store, nodeFetch (node:http)',
      '9. peers: apply 2,000 changes, Fieldsync, SQLite store, via global fetch',
      '9. peers: apply 2,000 changes, Fieldsync, memory store, nodeFetch (node:http)',
      '9. peers: apply 2,000 changes, Fieldsync, memory store, via global fetch',
      '9. peers: heap kept per change, memory store',
      '9. peers: apply 2,000 changes, Yjs',
      '9. peers: apply 2,000 changes, TinyBase',
      '9. peers: apply 500 changes, Automerge',
      '9. peers: core bundle, the README client example (Vite, min+gzip)',
      '9. growth: 1,000 changes, apply, memory store, nodeFetch',
      '9. growth: 1,000 changes, catch-up, SQLite store, nodeFetch',
      '9. growth: 2,000 changes, apply, memory store, nodeFetch',
      '9. growth: 2,000 changes, catch-up, SQLite store, nodeFetch',
      '9. growth: apply, memory store, nodeFetch, 1,000 → 2,000',
      '9. growth: catch-up, SQLite store, nodeFetch, 1,000 → 2,000',
    ]);
    // Every goal row is judged, and only goal rows are.
    for (const r of rows) expect(r.met === null, r.workload).toBe(r.goal === '');
    expect(rows.filter((r) => r.met !== null)).toHaveLength(6);
    const { fieldsync, viaFetch } = outcome.apply;
    const figures = [fieldsync.memory, fieldsync.sqlite, viaFetch.memory, viaFetch.sqlite, ...outcome.apply.peers];
    expect(figures.map((f) => f.name)).toEqual([
      'Fieldsync, memory store, nodeFetch (node:http)', 'Fieldsync, SQLite store, nodeFetch (node:http)',
      'Fieldsync, memory store, via global fetch', 'Fieldsync, SQLite store, via global fetch', 'Yjs', 'TinyBase', 'Automerge',
    ]);
    for (const f of figures) {
      expect(f.cpuPerSecond, f.name).toBeGreaterThan(0);
      // Two rounds, a process each, one timed run in each; Automerge in the first round only.
      expect([f.processes, f.runs], f.name).toEqual(f.name === 'Automerge' ? [1, 1] : [2, 2]);
      expect(f.bestCpuPerSecond, f.name).toBeGreaterThanOrEqual(f.cpuPerSecond);
      expect(Number.isFinite(f.wallPerSecond), f.name).toBe(true);
      expect(f.bytesPerChange, f.name).toBeGreaterThan(5); // each peer's own encoding, really sent
    }
    // The ratio row says what it compares against, from the same run.
    expect(rows[0]?.baseline).toMatch(/^Yjs [\d,]+\/s CPU \(best run [\d,]+\), [\d,]+\/s wall$/);
    expect(rows[0]?.ratio).toMatch(/^[\d.]+x CPU \(best runs [\d.]+x\), [\d.]+x wall$/);
    expect(rows[0]?.result).toMatch(/; 2 runs in 2 processes$/);
    for (const name of ['Fieldsync', 'Fieldsync, realtime', 'TinyBase', 'Yjs']) expect(outcome.bundles[name]?.gzip, name).toBeGreaterThan(1000);
    // The realtime variant is the same example plus the poke stream: larger, never smaller.
    expect(outcome.bundles['Fieldsync, realtime']?.gzip).toBeGreaterThan(outcome.bundles.Fieldsync?.gzip ?? Infinity);
    expect(outcome.growth.map((g) => [g.changes, g.store])).toEqual([[1000, 'memory'], [1000, 'sqlite'], [2000, 'memory'], [2000, 'sqlite']]);
    expect(steps[0]).toContain('peers');
  }, 180_000);

  it("reads a contender's figure as all its timed runs' changes over their time, GC included, the best run beside it", () => {
    // Two processes of 1,000 changes: runs of 0.01 s and 0.03 s, then 0.02 s and 0.02 s.
    const f = applyFigure('X', [
      { changes: 1000, runs: [{ cpuSeconds: 0.01, wallSeconds: 0.02 }, { cpuSeconds: 0.03, wallSeconds: 0.04 }], heapBytesPerChange: 90 },
      { changes: 1000, runs: [{ cpuSeconds: 0.02, wallSeconds: 0.03 }, { cpuSeconds: 0.02, wallSeconds: 0.03 }], heapBytesPerChange: 70 },
    ], 30);
    expect(f.cpuPerSecond).toBeCloseTo(4000 / 0.08, 6); // 50,000/s, where the best run alone says 100,000
    expect(f.bestCpuPerSecond).toBeCloseTo(100_000, 6);
    expect(f.wallPerSecond).toBeCloseTo(4000 / 0.12, 6);
    expect(f.bestWallPerSecond).toBeCloseTo(50_000, 6);
    expect(f).toMatchObject({ runs: 4, processes: 2, heapBytesPerChange: 70, bytesPerChange: 30, changes: 1000 });
    expect(() => applyFigure('Y', [], 1)).toThrow(/no timing of Y/);
  });

  it('judges growth flat only when cost per change stays within the bound from the smallest size to the largest', () => {
    const step = (changes: number, store: GrowthStep['store'], cpu: number, heap: number): GrowthStep => ({ changes, store, cpuMicrosPerChange: cpu, bestPullCpuMicrosPerChange: cpu, wallMicrosPerChange: cpu, heapBytesPerChange: heap });
    const flat = growthRows([step(10, 'memory', 2, 100), step(100, 'memory', 2.5, 120)]);
    expect(flat.at(-1)).toMatchObject({ workload: '9. growth: apply, memory store, nodeFetch, 10 → 100', met: true });
    const slower = growthRows([step(10, 'memory', 2, 100), step(100, 'memory', 2 * PEERS_GOALS.flat + 0.1, 100)]);
    expect(slower.at(-1)?.met).toBe(false);
    const bigger = growthRows([step(10, 'memory', 2, 100), step(100, 'memory', 2, 100 * PEERS_GOALS.flat + 1)]);
    expect(bigger.at(-1)?.met).toBe(false);
    // The SQLite store keeps its data in SQLite: only its time per change is judged.
    expect(growthRows([step(10, 'sqlite', 2, 1), step(100, 'sqlite', 2, 9)]).at(-1)?.met).toBe(true);
  });

  it('times small pulls in groups, so that each figure carries its share of garbage collection; the best single pull stays visible', () => {
    // Ten pulls of 10,000 changes a group: a scavenge lands in some pulls only, never in all.
    const pulls = [0.02, 0.05, 0.02, 0.05, 0.02, 0.05, 0.02, 0.05, 0.02, 0.05, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03];
    expect(Math.ceil(GROUP_CHANGES / 10_000)).toBe(10);
    expect(bestGroup(pulls, 10, 10_000)).toBeCloseTo(3, 6); // 0.3 s for 100,000 changes; the best single pull says 2 µs
    expect(bestGroup([0.4, 0.3], 1, 100_000)).toBeCloseTo(3, 6);
    expect(bestGroup([0.01, 0.01, 0.01], 2, 10_000)).toBeCloseTo(1, 6); // a group not filled is not read
    const step = (changes: number, cpu: number, best: number): GrowthStep => ({ changes, store: 'memory', cpuMicrosPerChange: cpu, bestPullCpuMicrosPerChange: best, wallMicrosPerChange: cpu, heapBytesPerChange: 70 });
    const rows = growthRows([step(10_000, 3, 2), step(1_000_000, 3.3, 3.3)]);
    expect(rows[0]?.result).toMatch(/^3 µs CPU \(best single pull 2\), /);
    expect(rows.at(-1)).toMatchObject({ result: 'CPU per change 1.1x (by best single pulls 1.65x), heap per change 1x', met: true });
    expect(growthRows([step(10_000, 2, 2), step(1_000_000, 3.3, 3.3)]).at(-1)?.met).toBe(false);
  });
});
