/**
 * Property: clients on one SQLite file (the app, a background syncer, and a restarted one
 * while the crashed one's connection stays open) share the file's clientId, and every write
 * of each still reaches every device. Random writes from any of them and from another device,
 * mostly in the same millisecond of a frozen clock, random syncs from any client, restarts;
 * against the real server over HTTP (compaction on: it keeps each cell's winner). After
 * everyone syncs: no two writes got one hlc, and the file, the other device and a fresh one
 * all show, per cell, the value of the write with the greatest hlc.
 *
 * Reproduce a failure with FIELDSYNC_SEED=<seed printed by fast-check>.
 */
import fc from 'fast-check';
import { it } from 'vitest';
import { cellKey, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type JsonValue, type Message, type SyncClient, type SyncStore } from '../../sync/index.ts';
import { canonical } from '../../sync/testing/index.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { sqliteFile } from '../../../test-support/sqlite-harness.ts';
import { runsFromEnv, seedFromEnv } from '../../../test-support/seed-env.ts';

const server = useRealServer();
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });

/** Clients 0 and 1 are on the file (1 restarts on a new connection), 2 is another device. */
type Op =
  | { kind: 'write'; c: number; row: number; column: 'title' | 'done'; v: number }
  | { kind: 'sync'; c: number }
  | { kind: 'restart' }
  | { kind: 'tick'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('write' as const), c: fc.nat(2), row: fc.nat(3), column: fc.constantFrom<'title' | 'done'>('title', 'done'), v: fc.nat(99) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), c: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.nat(2) }) },
);

const rowsOf = (rows: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>): string => {
  const cells: [string, JsonValue][] = [];
  for (const [row, values] of rows) for (const column of ['title', 'done']) if (values[column] != null) cells.push([cellKey('todos', row, column), values[column] as JsonValue]);
  return canonical(cells.sort(([a], [b]) => (a < b ? -1 : 1)));
};

let run = 0;

async function scenario(ops: readonly Op[]): Promise<void> {
  const user = `prop-${process.pid}-${run++}`;
  const token = await server.token(user);
  let now = Date.now();
  const file = sqliteFile();
  const clients: SyncClient[] = [];
  const all: SyncClient[] = [];
  const open = async (store: SyncStore): Promise<SyncClient> => {
    const c = await createSyncClient({ schema, store, remote: createHttpRemote({ url: server.url, token }), autoSync: false, now: () => now });
    all.push(c);
    return c;
  };
  const device = createMemoryStore();
  try {
    const app = file.open();
    clients.push(await open(app), await open(file.open()), await open(device));
    const written: Message[] = [];
    for (const op of ops) {
      if (op.kind === 'write') {
        const value = op.column === 'title' ? `v${op.v} by ${op.c}` : op.v % 2 === 0;
        written.push(await (clients[op.c] as SyncClient).set('todos', `r${op.row}`, op.column, value));
      } else if (op.kind === 'sync') await (clients[op.c] as SyncClient).sync();
      else if (op.kind === 'restart') clients[1] = await open(file.open()); // the old connection stays open
      else now += op.ms;
    }
    for (let round = 0; round < 2; round++) for (const c of clients) await c.sync();
    const hlcs = written.map((m) => m.hlc);
    if (new Set(hlcs).size !== hlcs.length) throw new Error('two writes got one hlc');
    const model = new Map<string, Message>();
    for (const m of written) {
      const key = cellKey(m.table, m.row, m.column);
      if ((model.get(key)?.hlc ?? '') < m.hlc) model.set(key, m);
    }
    const expected = canonical([...model].map(([k, m]) => [k, m.value] as [string, JsonValue]).sort(([a], [b]) => (a < b ? -1 : 1)));
    const fresh = createMemoryStore();
    await (await open(fresh)).sync();
    const shown = { file: rowsOf(app.rows('todos')), device: rowsOf(device.rows('todos')), fresh: rowsOf(fresh.rows('todos')) };
    for (const [who, cells] of Object.entries(shown)) if (cells !== expected) throw new Error(`${who} shows ${cells}, the writes say ${expected}`);
  } finally {
    for (const c of all) await c.close();
    file.dispose();
  }
}

it('every write of clients sharing one SQLite file reaches every device (real server over HTTP, 60 runs)', async () => {
  const seed = seedFromEnv(20261201);
  const numRuns = runsFromEnv(60);
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), scenario), { numRuns, seed, endOnFailure: false });
}, 300_000);
