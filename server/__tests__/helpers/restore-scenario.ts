/**
 * A server restored from a backup while its clients keep writing: three clients write and
 * sync through the real server over HTTP in a seeded order; a copy of the database is taken
 * mid-session; later the server stops, the clients go on writing offline, the copy is put
 * back and the server starts again on the same address; the clients go on, then sync to
 * quiescence. Afterwards every write any client made is on the server (with compaction:
 * each cell's winner) and every replica shows the same data, which is the model's.
 */
import { cellKey, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type JsonValue, type SyncClient } from 'fieldsync';
import { canonical } from 'fieldsync/testing';
import { seededRandom } from '../../../test-support/seeded-random.ts';
import { signToken } from './test-server.ts';

export interface RestorableServer {
  /** Starts the server (again) at `url`. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Copies the database while the server runs. */
  backup(): Promise<void>;
  /** Puts the copy back, while the server is stopped. */
  restore(): Promise<void>;
  /** Every message the server holds for the user, as an observer pulls them. */
  held(): Promise<{ hlc: string }[]>;
  readonly url: string;
  readonly compaction: boolean;
}

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean', rank: 'integer' } } });

type MemoryStore = ReturnType<typeof createMemoryStore>;

interface Device {
  readonly store: MemoryStore;
  readonly client: SyncClient;
}

export interface RestoreReport {
  /** The user's epoch as each client knew it before the restore, and at the end. */
  readonly epochsBefore: readonly string[];
  readonly epochsAfter: readonly string[];
  readonly writes: number;
}

const epochOf = async (d: Device): Promise<string> => (await d.store.open(schema)).meta.serverEpoch ?? '';

export async function runRestoreScenario(server: RestorableServer, seed: number): Promise<RestoreReport> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const token = await signToken({ sub: 'alice' });
  const devices: Device[] = [];
  let writes = 0;
  await server.start();
  try {
    for (let i = 0; i < 3; i++) {
      const store = createMemoryStore();
      const remote = createHttpRemote({ url: server.url, token, timeoutMs: 5000 });
      devices.push({ store, client: await createSyncClient({ schema, store, remote, autoSync: false }) });
    }
    const write = async (): Promise<void> => {
      const d = pick(devices);
      const fields: Record<string, JsonValue> = {};
      for (const column of ['title', 'done', 'rank'] as const) {
        if (random() < 0.5) fields[column] = column === 'title' ? `t${seed}-${writes}` : column === 'done' ? random() < 0.5 : writes;
      }
      if (Object.keys(fields).length === 0) fields.title = `t${seed}-${writes}`;
      await d.client.update('todos', `r${Math.floor(random() * 6)}`, fields);
      writes++;
    };
    const sync = async (): Promise<void> => {
      await pick(devices).client.sync().catch(() => undefined);
    };
    const rounds = async (n: number, online: boolean): Promise<void> => {
      for (let r = 0; r < n; r++) {
        await write();
        if (random() < 0.5) await write();
        if (online) await sync();
      }
    };

    await rounds(12, true);
    await server.backup();
    await rounds(12, true); // these are lost with the restore, except on the clients
    for (const d of devices) await d.client.sync(); // every client holds a cursor past the copy
    await rounds(3, true);
    await server.stop();
    await rounds(4, false); // the clients keep writing while the server is down
    await server.restore();
    await server.start();
    const epochsBefore = await Promise.all(devices.map(epochOf));
    await rounds(10, true);
    for (let round = 0; round < 3; round++) for (const d of devices) await d.client.sync();

    await check(devices, server);
    return { epochsBefore, epochsAfter: await Promise.all(devices.map(epochOf)), writes };
  } finally {
    for (const d of devices) await d.client.close();
    await server.stop().catch(() => undefined);
  }
}

async function check(devices: readonly Device[], server: RestorableServer): Promise<void> {
  const local: { hlc: string; table: string; row: string; column: string; value: JsonValue }[] = [];
  for (const [i, d] of devices.entries()) {
    const status = d.client.status;
    if (status.pending !== 0 || status.rejected !== 0) throw new Error(`client ${i}: ${status.pending} pending, ${status.rejected} rejected`);
    for (const m of await d.store.messages({ kind: 'recent', limit: 1_000_000 })) if (m.local) local.push(m);
  }
  const model = new Map<string, { hlc: string; value: JsonValue }>();
  for (const m of local) {
    const key = cellKey(m.table, m.row, m.column);
    const cur = model.get(key);
    if (!cur || m.hlc > cur.hlc) model.set(key, { hlc: m.hlc, value: m.value });
  }
  const held = new Set((await server.held()).map((m) => m.hlc));
  const want = server.compaction ? [...model.values()].map((w) => w.hlc) : local.map((m) => m.hlc);
  const missing = want.filter((hlc) => !held.has(hlc));
  if (missing.length > 0) throw new Error(`the server lacks ${missing.length} of ${want.length} writes, such as ${missing[0]}`);
  const expected = canonical([...model].map(([k, w]) => [k, w.value]).sort());
  for (const [i, d] of devices.entries()) {
    const cells: [string, JsonValue][] = [];
    for (const [row, values] of d.store.rows('todos')) {
      for (const [column, value] of Object.entries(values)) cells.push([cellKey('todos', row, column), value as JsonValue]);
    }
    const shown = canonical(cells.sort());
    if (shown !== expected) throw new Error(`client ${i} differs from the model:\n shows ${shown.slice(0, 300)}\n model ${expected.slice(0, 300)}`);
  }
}
