/**
 * 9. Peers: the same field changes (another device's, pages of 1,000) applied by Fieldsync
 * through its real pull path (bench/lib/fieldsync-pull.ts), with the memory store and the
 * SQLite client store, and by Yjs, TinyBase's MergeableStore and Automerge, each receiving
 * its own updates (bench/lib/peers.ts), each contender in a fresh process of its own.
 * Throughput is by that process's CPU time (stable on a shared machine) and by wall time; the
 * heap is what the replica keeps after a full GC; the bytes are each one's own encoding of the
 * changes as it sends them (Fieldsync: the pull responses' JSON).
 */
import type { Timing } from '../lib/cpu.ts';
import { TRANSPORT_LABEL, startPullServer, type FieldsyncStoreKind, type PullServer, type Transport } from '../lib/fieldsync-pull.ts';
import { applyInProcess, type ApplyTiming } from '../lib/isolated-apply.ts';
import { PAGE } from '../lib/peer-changes.ts';
import { PEERS } from '../lib/peers.ts';

export interface ApplyFigure {
  readonly name: string;
  readonly changes: number;
  /** Changes per second of CPU time, and of wall time (best run of each). */
  readonly cpuPerSecond: number;
  readonly wallPerSecond: number;
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

const best = (runs: readonly Timing[]): { cpu: number; wall: number } => ({
  cpu: Math.min(...runs.map((r) => r.cpuSeconds)),
  wall: Math.min(...runs.map((r) => r.wallSeconds)),
});

function figure(name: string, t: ApplyTiming, bytesPerChange: number): ApplyFigure {
  const b = best(t.runs);
  return { name, changes: t.changes, cpuPerSecond: t.changes / b.cpu, wallPerSecond: t.changes / b.wall, heapBytesPerChange: t.heapBytesPerChange, bytesPerChange };
}

/** Fieldsync pulling everything from `server`, in a process of its own. */
async function fieldsyncApply(server: PullServer, store: FieldsyncStoreKind, transport: Transport, repeats: number, bytesPerChange: number): Promise<ApplyFigure> {
  const t = await applyInProcess({ kind: 'fieldsync', store, transport, url: server.url, token: server.token, changes: server.changes, repeats });
  return figure(`${store === 'memory' ? 'Fieldsync, memory store' : 'Fieldsync, SQLite store'}, ${TRANSPORT_LABEL[transport]}`, t, bytesPerChange);
}

/**
 * Every contender in a fresh process of its own (bench/lib/apply-child.ts), one after
 * another: each starts cold, warms up with one uncounted run, and is timed `repeats` times.
 */
export async function peers(options: { changes: number; repeats: number; automergeChanges?: number }): Promise<PeersResult> {
  const { changes, repeats } = options;
  const server = await startPullServer(changes);
  let fieldsync: Record<FieldsyncStoreKind, ApplyFigure>;
  let viaFetch: Record<FieldsyncStoreKind, ApplyFigure>;
  try {
    const bytes = await pullBytes(server.url, server.token, changes);
    fieldsync = { memory: await fieldsyncApply(server, 'memory', 'node:http', repeats, bytes), sqlite: await fieldsyncApply(server, 'sqlite', 'node:http', repeats, bytes) };
    viaFetch = { memory: await fieldsyncApply(server, 'memory', 'fetch', repeats, bytes), sqlite: await fieldsyncApply(server, 'sqlite', 'fetch', repeats, bytes) };
  } finally {
    await server.stop();
  }
  const out: ApplyFigure[] = [];
  for (const peer of PEERS) {
    const automerge = peer.name === 'Automerge';
    const n = automerge ? Math.min(changes, options.automergeChanges ?? changes) : changes;
    const t = await applyInProcess({ kind: 'peer', name: peer.name, changes: n, repeats: automerge ? 1 : repeats });
    out.push(figure(peer.name, t, t.bytesPerChange ?? 0));
  }
  return { changes, fieldsync, viaFetch, peers: out };
}
