/**
 * Fieldsync's side of the `peers` workload, through the real pull path: the reference server
 * in its own process on loopback HTTP holds another device's messages; a fresh client in
 * this process runs `client.sync()`, which pulls pages of 1,000 (HTTP remote, response
 * parsing, `winners` + `planMerge`, one store commit per page). The client's CPU time is this
 * process's; the server's is its own process's, so it is in the wall time only.
 */
import { join } from 'node:path';
import { createHttpRemote, createMemoryStore, createSyncClient, type SyncStore } from 'fieldsync';
import { createSqliteServerStore } from '../../server/stores/sqlite-server-store.ts';
import { benchSchema, openStore, tempDir, type BenchDir } from './client-db.ts';
import { heapInUse, measure, type Timing } from './cpu.ts';
import { PAGE, changeMessage } from './peer-changes.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

export type FieldsyncStoreKind = 'memory' | 'sqlite';

export interface PullRun extends Timing {
  /** Heap kept by the client and its store after the pull (after a full GC), in bytes. */
  readonly heapBytes: number;
  /** The cursor the client reached. */
  readonly cursor: number;
}

export interface PullServer {
  readonly changes: number;
  readonly url: string;
  readonly token: string;
  pull(kind: FieldsyncStoreKind): Promise<PullRun>;
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
  let n = 0;
  return {
    changes,
    url: running.url,
    token,
    async pull(kind) {
      const file = dir.file(`client-${n++}.db`);
      const store: SyncStore & { close?(): unknown } = kind === 'memory' ? createMemoryStore() : openStore(file);
      const client = await createSyncClient({ schema: benchSchema, store, remote: createHttpRemote({ url: running.url, token }), autoSync: false, pullLimit: PAGE });
      const before = heapInUse();
      const timing = await measure(() => client.sync());
      const heapBytes = heapInUse() - before;
      const cursor = client.status.cursor;
      await client.close();
      await store.close?.();
      if (cursor < changes) throw new Error(`the ${kind} client pulled up to ${cursor} of ${changes}`);
      return { ...timing, heapBytes, cursor };
    },
    async stop() {
      try {
        await running.stop();
      } finally {
        dir.remove();
      }
    },
  };
}
