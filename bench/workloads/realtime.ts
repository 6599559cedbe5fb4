/**
 * 5. Realtime: from a write on client A until it is applied on client B, through the server
 * (its own process) and B's SSE poke stream: A's debounced push, the server's poke, B's pull
 * and apply. Both clients use SQLite stores on files and `fieldsync/node`'s transport, as the
 * app does.
 */
import { createHttpRemote, createSyncClient, pokeStream, type SyncClient } from 'fieldsync';
import { nodeFetch, type NodeFetch } from 'fieldsync/node';
import { benchSchema, openStore, tempDir } from '../lib/client-db.ts';
import { startServerProcess } from '../lib/server-process.ts';
import { summarize } from '../lib/stats.ts';

export interface RealtimeResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function open(file: string, url: string, token: string, fetch: NodeFetch): Promise<SyncClient> {
  return createSyncClient({ schema: benchSchema, store: openStore(file), remote: createHttpRemote({ url, token, fetch, pokes: pokeStream() }), intervalMs: 0 });
}

export async function realtime(options: { samples: number }): Promise<RealtimeResult> {
  const dir = tempDir('realtime');
  const server = await startServerProcess();
  const fetch = nodeFetch();
  try {
    const token = await server.token('bench');
    const a = await open(dir.file('a.db'), server.url, token, fetch);
    const b = await open(dir.file('b.db'), server.url, token, fetch);
    await Promise.all([a.sync(), b.sync()]);
    await new Promise((r) => setTimeout(r, 200)); // B's poke stream is connected
    const waiting = new Map<string, (t: number) => void>();
    b.on('change', (e) => {
      const now = performance.now();
      if (e.source !== 'remote') return;
      for (const row of e.changes.todos ?? []) waiting.get(row)?.(now);
    });
    const samples: number[] = [];
    for (let i = 0; i < options.samples + 10; i++) {
      const row = `todo-${i}`;
      const arrived = new Promise<number>((resolve) => waiting.set(row, resolve));
      const t0 = performance.now();
      await a.set('todos', row, 'title', `Realtime ${i}`);
      const t1 = await arrived;
      waiting.delete(row);
      if (i >= 10) samples.push(t1 - t0); // the first ones warm up both sides
      await new Promise((r) => setTimeout(r, 5));
    }
    await a.close();
    await b.close();
    const s = summarize(samples);
    return { samples: s.n, p50Ms: s.median, p99Ms: s.p99 };
  } finally {
    fetch.close();
    await server.stop();
    dir.remove();
  }
}
