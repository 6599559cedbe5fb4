/**
 * 1. Local write latency: one field change through the sync client on better-sqlite3 (a
 * file database in WAL mode), against a raw single-row upsert in a transaction on a file
 * with the same settings (SQLite's own automatic checkpoints, as an app that writes SQLite
 * directly would have them). Rounds of each alternate, so that all see the same machine.
 *
 * Two cases, because the store does different work in each (src/sqlite/pending-cells.ts):
 *
 * - **online** (the goal rows): the client syncs with a server between rounds, outside the
 *   timed writes, as an online app does a few milliseconds after each write; each write
 *   replaces a cell whose last message the server already holds. The write is one row
 *   upsert, its message kept in the data row.
 * - **offline, rewriting unpushed cells**: no server; every write replaces a cell whose
 *   previous message has not been pushed, so that message moves from the data row to the
 *   outbox first (every local change reaches the server): two rows per write.
 */
import { createSyncClient, type SyncClient } from 'fieldsync';
import { createInProcessServer } from 'fieldsync/testing';
import { benchSchema, openRawTodos, openStore, tempDir } from '../lib/client-db.ts';
import { summarize, timeEach } from '../lib/stats.ts';

export interface LatencyCase {
  readonly writes: number;
  readonly syncMedianUs: number;
  readonly syncP99Us: number;
  readonly rawMedianUs: number;
  readonly rawP99Us: number;
  readonly medianRatio: number;
  readonly p99Ratio: number;
}

export interface LatencyResult extends LatencyCase {
  /** Every write replaces a cell whose previous message was not pushed yet. */
  readonly offline: LatencyCase;
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

    const server = createInProcessServer();
    const onlineStore = openStore(dir.file('online.db'));
    const online = await createSyncClient({ schema: benchSchema, store: onlineStore, remote: server.remote('bench'), autoSync: false });
    const offlineStore = openStore(dir.file('offline.db'));
    const offline = await createSyncClient({ schema: benchSchema, store: offlineStore, autoSync: false });
    const set = (client: SyncClient, i: number): Promise<unknown> => client.set('todos', id(i), 'title', title(i));

    // Warm all up (JIT, statement caches, the first pages of each file), then interleave
    // rounds. A round writes 500 distinct rows (7919 is prime to 1000).
    for (let i = 0; i < 2000; i++) {
      rawWrite(i);
      await set(online, i);
      await set(offline, i);
    }
    await online.sync();
    const samples = { raw: [] as number[], online: [] as number[], offline: [] as number[] };
    const round = 500;
    for (let done = 0; done < options.writes; done += round) {
      samples.raw.push(...(await timeEach(round, (i) => rawWrite(done + i))));
      samples.online.push(...(await timeEach(round, (i) => set(online, done + i))));
      samples.offline.push(...(await timeEach(round, (i) => set(offline, done + i))));
      await online.sync(); // not timed: the push an online app makes after its writes
    }
    await Promise.all([online.close(), offline.close()]);
    onlineStore.close();
    offlineStore.close();
    raw.close();
    const r = summarize(samples.raw);
    const ratios = (s: ReturnType<typeof summarize>): LatencyCase => ({
      writes: s.n,
      syncMedianUs: s.median,
      syncP99Us: s.p99,
      rawMedianUs: r.median,
      rawP99Us: r.p99,
      medianRatio: s.median / r.median,
      p99Ratio: s.p99 / r.p99,
    });
    return { ...ratios(summarize(samples.online)), offline: ratios(summarize(samples.offline)) };
  } finally {
    dir.remove();
  }
}
