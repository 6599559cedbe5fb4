/**
 * Fieldsync's side of the `peers` workload, through the real pull path: the reference server
 * in its own process on loopback HTTP holds another device's messages; a fresh client in
 * this process runs `client.sync()`, which pulls pages of 1,000 (HTTP remote, response
 * parsing, `winners` + `planMerge`, one store commit per page). The client's CPU time is this
 * process's; the server's is its own process's, so it is in the wall time only.
 *
 * The remote's transport is `nodeFetch()` of `fieldsync/node` (node:http with a keep-alive
 * agent), what a client in Node runs (the desktop app's main process, the browser host), or
 * Node's global `fetch`, what such a client ran until round 4 and what a client that passes
 * no `fetch` still runs: both are measured, so both stay visible.
 */
import { join } from 'node:path';
import { createHttpRemote, createMemoryStore, createSyncClient, type SyncClient, type SyncStore } from 'fieldsync';
import { nodeFetch } from 'fieldsync/node';
import { createSqliteServerStore } from '../../server/stores/sqlite-server-store.ts';
import { benchSchema, openStore, tempDir, type BenchDir } from './client-db.ts';
import { heapInUse, measure, type Timing } from './cpu.ts';
import { PAGE, changeMessage } from './peer-changes.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

export type FieldsyncStoreKind = 'memory' | 'sqlite';
/** The HTTP remote's `fetch`: `fieldsync/node`'s, or Node's global one. */
export type Transport = 'node:http' | 'fetch';
export const TRANSPORT_LABEL: Record<Transport, string> = { 'node:http': 'nodeFetch (node:http)', fetch: 'via global fetch' };

export interface PullRun extends Timing {
  /** The cursor the client reached. */
  readonly cursor: number;
  /** Closes the client and its store, and lets them go. */
  release(): Promise<void>;
}

export interface PullServer {
  readonly changes: number;
  readonly url: string;
  readonly token: string;
  pull(kind: FieldsyncStoreKind, transport?: Transport): Promise<PullRun>;
  stop(): Promise<void>;
}

/** A server holding `changes` messages of another device (compaction off: every one is pulled). */
export async function startPullServer(changes: number): Promise<PullServer> {
  const dir: BenchDir = tempDir('peers');
  let server: ServerProcess | undefined;
  try {
    const seed = createSqliteServerStore({ file: join(dir.path, 'server', 'fieldsync.sqlite'), compaction: false });
    for (let start = 0; start < changes; start += 5000) {
      const end = Math.min(changes, start + 5000);
      const batch = [];
      for (let i = start; i < end; i++) batch.push(changeMessage(i, changes));
      seed.push('bench', batch);
    }
    seed.close();
    server = await startServerProcess({ FIELDSYNC_COMPACTION: 'off' }, join(dir.path, 'server'));
  } catch (err) {
    dir.remove();
    throw err;
  }
  const running = server;
  const token = await running.token('bench');
  const client = pullClient(running.url, token, changes);
  return {
    changes,
    url: running.url,
    token,
    pull: client.pull,
    async stop() {
      client.close();
      try {
        await running.stop();
      } finally {
        dir.remove();
      }
    },
  };
}

/** What pulls from a server: `pull` makes a fresh client that pulls everything. */
export type Puller = Pick<PullServer, 'changes' | 'pull'>;

/**
 * Fresh clients that pull the `changes` messages of the server at `url`, in this process
 * (the server may be another process's: bench/lib/apply-child.ts). `close` ends its
 * connections and removes its client files.
 */
export function pullClient(url: string, token: string, changes: number): Puller & { close(): void } {
  const dir: BenchDir = tempDir('peers-client');
  // One per process, as an app keeps one: its connections stay open between pulls.
  const viaNode = nodeFetch();
  let n = 0;
  return {
    changes,
    async pull(kind, transport = 'node:http') {
      const file = dir.file(`client-${n++}.db`);
      let store: (SyncStore & { close?(): unknown }) | null = kind === 'memory' ? createMemoryStore() : openStore(file);
      const remote = createHttpRemote({ url, token, ...(transport === 'node:http' ? { fetch: viaNode } : {}) });
      let client: SyncClient | null = await createSyncClient({ schema: benchSchema, store, remote, autoSync: false, pullLimit: PAGE });
      const timing = await measure(() => (client as SyncClient).sync());
      const cursor = client.status.cursor;
      if (cursor < changes) throw new Error(`the ${kind} client pulled up to ${cursor} of ${changes}`);
      return {
        ...timing,
        cursor,
        async release() {
          await client?.close();
          await store?.close?.();
          // Nothing here may keep them alive once released.
          client = null;
          store = null;
        },
      };
    },
    close() {
      viaNode.close();
      dir.remove();
    },
  };
}

export interface PullRuns {
  readonly runs: readonly PullRun[];
  /** The heap the clients and their stores kept, per change pulled. */
  readonly heapBytesPerChange: number;
}

/**
 * `count` fresh clients pull everything. Memory stores are each kept until the end: the heap
 * they keep is the heap with all of them, less the heap once they are gone (several at small
 * sizes, so that what they keep stands out of the heap's own noise of a megabyte or so).
 * A SQLite client is closed before the next one pulls: an open database's idle WAL checkpoint
 * would otherwise fall into the next pull's timed window. Its heap is what the last one keeps
 * while open. No full GC runs just before a timed pull, as none runs before the peers' (one
 * there left V8's heap shrunk, and the pull paid to grow it again: 2.4 instead of 1.75 µs of
 * CPU per change).
 */
export async function pullRuns(server: Puller, kind: FieldsyncStoreKind, count: number, transport: Transport = 'node:http'): Promise<PullRuns> {
  const runs: PullRun[] = [];
  if (kind === 'sqlite') {
    for (let i = 0; i < count; i++) {
      await runs.at(-1)?.release();
      runs.push(await server.pull(kind, transport));
    }
    const kept = heapInUse();
    await runs.at(-1)?.release();
    return { runs, heapBytesPerChange: (kept - heapInUse()) / server.changes };
  }
  for (let i = 0; i < count; i++) runs.push(await server.pull(kind, transport));
  const kept = heapInUse();
  for (const r of runs) await r.release();
  return { runs, heapBytesPerChange: (kept - heapInUse()) / (count * server.changes) };
}
