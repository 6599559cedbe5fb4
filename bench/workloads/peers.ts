/**
 * 9. Peers: the same field changes (another device's, pages of 1,000) applied by Fieldsync
 * through its real pull path (bench/lib/fieldsync-pull.ts), with the memory store and the
 * SQLite client store, and by Yjs, TinyBase's MergeableStore and Automerge, each receiving
 * its own updates (bench/lib/peers.ts). Throughput is by this process's CPU time (stable on
 * a shared machine) and by wall time; the heap is what the replica keeps after a full GC; the
 * bytes are each one's own encoding of the changes as it sends them (Fieldsync: the pull
 * responses' JSON).
 */
import { heapInUse, measure, type Timing } from '../lib/cpu.ts';
import { TRANSPORT_LABEL, pullRuns, startPullServer, type FieldsyncStoreKind, type PullServer, type Transport } from '../lib/fieldsync-pull.ts';
import { PAGE, changePages } from '../lib/peer-changes.ts';
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

export async function fieldsyncApply(server: PullServer, kind: FieldsyncStoreKind, transport: Transport, repeats: number, bytesPerChange: number): Promise<ApplyFigure> {
  // A first pull, not counted, warms the JIT up (each peer gets the same below).
  await (await server.pull(kind, transport)).release();
  const { runs, heapBytesPerChange } = await pullRuns(server, kind, repeats, transport);
  const t = best(runs);
  const name = `${kind === 'memory' ? 'Fieldsync, memory store' : 'Fieldsync, SQLite store'}, ${TRANSPORT_LABEL[transport]}`;
  return { name, changes: server.changes, cpuPerSecond: server.changes / t.cpu, wallPerSecond: server.changes / t.wall, heapBytesPerChange, bytesPerChange };
}

export async function peers(options: { changes: number; repeats: number; automergeChanges?: number }): Promise<PeersResult> {
  const { changes, repeats } = options;
  const server = await startPullServer(changes);
  let fieldsync: Record<FieldsyncStoreKind, ApplyFigure>;
  let viaFetch: Record<FieldsyncStoreKind, ApplyFigure>;
  try {
    const bytes = await pullBytes(server.url, server.token, changes);
    // Each transport's pair back to back, so that the two stay comparable on a busy machine.
    fieldsync = { memory: await fieldsyncApply(server, 'memory', 'node:http', repeats, bytes), sqlite: await fieldsyncApply(server, 'sqlite', 'node:http', repeats, bytes) };
    viaFetch = { memory: await fieldsyncApply(server, 'memory', 'fetch', repeats, bytes), sqlite: await fieldsyncApply(server, 'sqlite', 'fetch', repeats, bytes) };
  } finally {
    await server.stop();
  }
  const out: ApplyFigure[] = [];
  for (const peer of PEERS) {
    const n = peer.name === 'Automerge' ? Math.min(changes, options.automergeChanges ?? changes) : changes;
    const updates = peer.send(changePages(n));
    const bytes = updates.reduce((s, u) => s + peer.bytes(u as never), 0);
    const runs: Timing[] = [];
    peer.receive(updates.slice(0, 10) as never); // warms the JIT up, not counted
    // What the replicas keep: the heap with them all, less the heap once they are gone.
    const replicas: unknown[] = [];
    for (let i = 0; i < (peer.name === 'Automerge' ? 1 : repeats); i++) {
      runs.push(await measure(() => {
        replicas.push(peer.receive(updates as never));
      }));
    }
    const kept = heapInUse();
    const count = replicas.length;
    replicas.length = 0;
    const heap = (kept - heapInUse()) / count;
    const t = best(runs);
    out.push({ name: peer.name, changes: n, cpuPerSecond: n / t.cpu, wallPerSecond: n / t.wall, heapBytesPerChange: heap / n, bytesPerChange: bytes / n });
  }
  return { changes, fieldsync, viaFetch, peers: out };
}
