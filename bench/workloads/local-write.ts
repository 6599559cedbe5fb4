/**
 * 1. Local write latency: one field change through the sync client on better-sqlite3 (a
 * file database in WAL mode), against a raw single-row upsert in a transaction on a file
 * with the same settings. The client runs without a server here: a local write never waits
 * for the network, and what is measured is exactly what a write costs the app.
 */
import { createSyncClient } from 'fieldsync';
import { openRawTodos, openStore, tempDir } from '../lib/client-db.ts';
import { summarize, timeEach } from '../lib/stats.ts';

export interface LatencyResult {
  readonly writes: number;
  readonly syncMedianUs: number;
  readonly syncP99Us: number;
  readonly rawMedianUs: number;
  readonly rawP99Us: number;
  readonly medianRatio: number;
  readonly p99Ratio: number;
}

export async function localWrite(options: { writes: number }): Promise<LatencyResult> {
  const dir = tempDir('local-write');
  try {
    const rows = 1000;
    const id = (i: number): string => `todo-${(i * 7919) % rows}`;
    const title = (i: number): string => `Write the quarterly report, draft ${i}`;

    const raw = openRawTodos(dir.file('raw.db'));
    const upsert = raw.prepare('INSERT INTO todos (id, title) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET title = excluded.title');
    const rawWrite = raw.transaction((i: number) => upsert.run(id(i), title(i)));

    const store = openStore(dir.file('client.db'));
    const client = await createSyncClient({ schema: (await import('../lib/client-db.ts')).benchSchema, store, autoSync: false });

    // Warm both up (JIT, statement caches, the first pages of each file), then interleave
    // rounds, so that both see the same machine conditions.
    for (let i = 0; i < 2000; i++) {
      rawWrite(i);
      await client.set('todos', id(i), 'title', title(i));
    }
    const rawSamples: number[] = [];
    const syncSamples: number[] = [];
    const round = 500;
    for (let done = 0; done < options.writes; done += round) {
      rawSamples.push(...(await timeEach(round, (i) => rawWrite(done + i))));
      syncSamples.push(...(await timeEach(round, (i) => client.set('todos', id(done + i), 'title', title(done + i)))));
    }
    await client.close();
    store.close();
    raw.close();
    const s = summarize(syncSamples);
    const r = summarize(rawSamples);
    return {
      writes: s.n,
      syncMedianUs: s.median,
      syncP99Us: s.p99,
      rawMedianUs: r.median,
      rawP99Us: r.p99,
      medianRatio: s.median / r.median,
      p99Ratio: s.p99 / r.p99,
    };
  } finally {
    dir.remove();
  }
}
