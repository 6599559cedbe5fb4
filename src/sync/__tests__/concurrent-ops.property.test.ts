/**
 * Operations a client runs at the same time, as apps run them: writes fired without awaiting
 * each one, while syncs are in flight, over stores that answer asynchronously and after random
 * delays (as IndexedDB or a database in a worker would), so that calls overlap and would finish
 * out of order. The client's queue (serial.ts) keeps each store operation whole: a write's
 * `winners()` and `commit()`, or a pull's, never interleave with another's. Without it, a write
 * planned against winners that another write then replaced commits an older value over a newer
 * one, and the device shows what it would never converge to.
 *
 * Seeded: FIELDSYNC_SEED reproduces a run, FIELDSYNC_RUNS overrides the count.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type JsonValue, type SyncClient } from '../index.ts';
import type { MemoryStore } from '../memory-store.ts';
import { createInProcessServer } from '../testing/index.ts';
import { seededRandom } from '../../../test-support/seeded-random.ts';
import { asyncStore } from './harness/test-kit.ts';
import { runsFromEnv, seedFromEnv } from '../../../test-support/seed-env.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
const COLUMNS = ['title', 'done'] as const;

const action = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), c: fc.nat(2), row: fc.nat(2), col: fc.nat(1), v: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sync' as const), c: fc.nat(2) }) },
);
const scenario = fc.record({
  seed: fc.nat(),
  batches: fc.array(fc.array(action, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function run(s: Scenario): Promise<void> {
  const server = createInProcessServer();
  const random = seededRandom(s.seed);
  const stores: MemoryStore[] = [];
  const clients: SyncClient[] = [];
  for (let i = 0; i < 3; i++) {
    const store = createMemoryStore();
    stores.push(store);
    // Every call answered after a random 0-3 ms: overlapping calls finish in any order.
    clients.push(await createSyncClient({ schema, store: asyncStore(store, () => Math.floor(random() * 4)), remote: server.remote('user'), autoSync: false }));
  }
  // The greatest hlc written to each cell, and its value: what every device must show.
  const newest = new Map<string, { hlc: string; value: JsonValue }>();
  try {
    for (const batch of s.batches) {
      await Promise.all(batch.map(async (a) => {
        const client = clients[a.c] as SyncClient;
        if (a.kind === 'sync') return void (await client.sync());
        const column = COLUMNS[a.col] as string;
        const m = await client.set('todos', `r${a.row}`, column, column === 'done' ? a.v % 2 === 0 : `v${a.v}`);
        const key = `r${a.row}/${column}`;
        const before = newest.get(key);
        if (before === undefined || m.hlc > before.hlc) newest.set(key, { hlc: m.hlc, value: m.value });
      }));
    }
    for (let round = 0; round < 2; round++) for (const client of clients) await client.sync();
    for (const [i, store] of stores.entries()) {
      for (const [key, { value }] of newest) {
        const [row, column] = key.split('/') as [string, string];
        expect(store.get('todos', row)?.[column], `client ${i}, ${key}`).toEqual(value);
      }
    }
  } finally {
    for (const client of clients) await client.close();
  }
}

it('writes and syncs run at once over jittery asynchronous stores: every device shows the newest write of each cell (30 runs)', async () => {
  const seed = seedFromEnv(20261201);
  const numRuns = runsFromEnv(30);
  await fc.assert(fc.asyncProperty(scenario, run), { numRuns, seed, endOnFailure: false });
}, 300_000);
