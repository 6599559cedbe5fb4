/**
 * 9. Peers: the same field changes (another device's, pages of 1,000) applied by Fieldsync
 * through its real pull path (bench/lib/fieldsync-pull.ts), with the memory store and the
 * SQLite client store, and by Yjs, TinyBase's MergeableStore and Automerge, each receiving
 * its own updates (bench/lib/peers.ts), each contender in fresh processes of its own.
 * Throughput is by those processes' CPU time (stable on a shared machine) and by wall time;
 * the heap is what the replica keeps after a full GC; the bytes are each one's own encoding of
 * the changes as it sends them (Fieldsync: the pull responses' JSON).
 *
 * Each figure is the changes of all timed runs over their time: the mean cost per change,
 * with the garbage collection the changes cause. The best single run is shown beside it, as
 * the figure read until round 28. Why: a run of 100,000 changes is a fraction of a second, and
 * whether a major collection lands in it decides much of its time. Best runs were the runs
 * that paid for none, and Yjs, whose replicas keep 400 B per change, varied most: in one
 * process its runs took 160,000 to 640,000 changes per CPU second, where the memory store's
 * took 415,000 to 520,000. The ratio of best runs moved from 0.89x to 1.8x between rounds of
 * one sitting, and from 0.99x to 2.14x between the README's tables. The contenders also run
 * in rounds, each round one fresh process of each in turn, in a turning order, so that a
 * slower stretch of a shared host falls on all of them.
 */
import type { Timing } from '../lib/cpu.ts';
import { TRANSPORT_LABEL, startPullServer, type FieldsyncStoreKind, type Transport } from '../lib/fieldsync-pull.ts';
import { applyInProcess, type ApplyTask, type ApplyTiming } from '../lib/isolated-apply.ts';
import { PAGE } from '../lib/peer-changes.ts';
import { PEERS } from '../lib/peers.ts';
import { percentile } from '../lib/stats.ts';

export interface ApplyFigure {
  readonly name: string;
  readonly changes: number;
  /** Changes per second of CPU time, and of wall time: all timed runs' changes over their time. */
  readonly cpuPerSecond: number;
  readonly wallPerSecond: number;
  /** The same for the best single run (by CPU, and by wall time). */
  readonly bestCpuPerSecond: number;
  readonly bestWallPerSecond: number;
  /** Timed runs, and the processes they ran in. */
  readonly runs: number;
  readonly processes: number;
  /** The median of the processes' figures. */
  readonly heapBytesPerChange: number;
  readonly bytesPerChange: number;
}

export interface PeersResult {
  readonly changes: number;
  /** Through `fieldsync/node`'s nodeFetch, what a client in Node runs. */
  readonly fieldsync: Record<FieldsyncStoreKind, ApplyFigure>;
  /** The same through Node's global fetch, what a client that passes no `fetch` runs. */
  readonly viaFetch: Record<FieldsyncStoreKind, ApplyFigure>;
  readonly peers: readonly ApplyFigure[];
}

/**
 * Pulled JSON bytes per message, as the server answers pages of PAGE to a fresh client: in
 * the columns format, which the library's HTTP remote asks for (docs/protocol.md §5).
 */
async function pullBytes(url: string, token: string, changes: number): Promise<number> {
  let cursor = 0;
  let bytes = 0;
  for (;;) {
    const res = await fetch(`${url}/v1/sync`, {
      method: 'POST',
      // Plain pages: the JSON is what is counted (compression is the wire-size workload's).
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-encoding': 'identity' },
      body: JSON.stringify({ clientId: 'byteCounter', cursor, limit: PAGE, format: 'columns' }),
    });
    const text = await res.text();
    bytes += Buffer.byteLength(text);
    const body = JSON.parse(text) as { cursor: number; more: boolean };
    cursor = body.cursor;
    if (!body.more) return bytes / changes;
  }
}

/** One contender's figure from the timings of its processes (see the top of this file). */
export function applyFigure(name: string, timings: readonly ApplyTiming[], bytesPerChange: number): ApplyFigure {
  const first = timings[0];
  if (!first) throw new Error(`no timing of ${name}`);
  const runs: Timing[] = timings.flatMap((t) => t.runs);
  const sum = (pick: (r: Timing) => number): number => runs.reduce((s, r) => s + pick(r), 0);
  const changes = first.changes;
  return {
    name,
    changes,
    cpuPerSecond: (changes * runs.length) / sum((r) => r.cpuSeconds),
    wallPerSecond: (changes * runs.length) / sum((r) => r.wallSeconds),
    bestCpuPerSecond: changes / Math.min(...runs.map((r) => r.cpuSeconds)),
    bestWallPerSecond: changes / Math.min(...runs.map((r) => r.wallSeconds)),
    runs: runs.length,
    processes: timings.length,
    heapBytesPerChange: percentile(timings.map((t) => t.heapBytesPerChange).sort((a, b) => a - b), 50),
    bytesPerChange,
  };
}

const label = (store: FieldsyncStoreKind, transport: Transport): string =>
  `${store === 'memory' ? 'Fieldsync, memory store' : 'Fieldsync, SQLite store'}, ${TRANSPORT_LABEL[transport]}`;

interface Contender {
  readonly name: string;
  readonly task: ApplyTask;
  /** Runs in the first round only (Automerge: one run of 100,000 takes seconds). */
  readonly once?: boolean;
}

/**
 * Every contender in `rounds` fresh processes of its own (bench/lib/apply-child.ts), one
 * process at a time: each starts cold, warms up with one uncounted run, and is timed
 * `repeats` times. Each round runs every contender once, starting one further along the list.
 */
export async function peers(options: { changes: number; repeats: number; rounds: number; automergeChanges?: number }): Promise<PeersResult> {
  const { changes, repeats } = options;
  const server = await startPullServer(changes);
  const timings = new Map<string, ApplyTiming[]>();
  let bytes = 0;
  try {
    bytes = await pullBytes(server.url, server.token, changes);
    const fieldsync = (store: FieldsyncStoreKind, transport: Transport): Contender => ({
      name: label(store, transport),
      task: { kind: 'fieldsync', store, transport, url: server.url, token: server.token, changes, repeats },
    });
    const contenders: Contender[] = [
      fieldsync('memory', 'node:http'), fieldsync('sqlite', 'node:http'), fieldsync('memory', 'fetch'), fieldsync('sqlite', 'fetch'),
      ...PEERS.map((peer): Contender => peer.name === 'Automerge'
        ? { name: peer.name, once: true, task: { kind: 'peer', name: peer.name, changes: Math.min(changes, options.automergeChanges ?? changes), repeats: 1 } }
        : { name: peer.name, task: { kind: 'peer', name: peer.name, changes, repeats } }),
    ];
    for (let round = 0; round < Math.max(1, options.rounds); round++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(i + round) % contenders.length] as Contender;
        if (c.once === true && timings.has(c.name)) continue;
        timings.set(c.name, [...(timings.get(c.name) ?? []), await applyInProcess(c.task)]);
      }
    }
  } finally {
    await server.stop();
  }
  const figureOf = (name: string): ApplyFigure => {
    const t = timings.get(name) ?? [];
    return applyFigure(name, t, t[0]?.bytesPerChange ?? bytes);
  };
  return {
    changes,
    fieldsync: { memory: figureOf(label('memory', 'node:http')), sqlite: figureOf(label('sqlite', 'node:http')) },
    viaFetch: { memory: figureOf(label('memory', 'fetch')), sqlite: figureOf(label('sqlite', 'fetch')) },
    peers: PEERS.map((p) => figureOf(p.name)),
  };
}
