/**
 * Round 67: an app developer's own stores, written from docs/api.md's store contract alone
 * (harness/custom-stores.ts: one over Maps, one over node:sqlite with a SQL table per app
 * table), pass the conformance suite and sync two devices through the reference server over
 * real HTTP on loopback: offline edits, conflicting writes, a restart on the file, a delete.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient, defineSchema, type SyncClient, type SyncStore } from '../index.ts';
import { storeConformance, type StoreHarness } from '../testing/index.ts';
import { tempDir } from '../../../test-support/temp-dir.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { createMapStore, createSqlTablesStore, type RowReader } from './harness/custom-stores.ts';

const dir = tempDir('custom-store-');
afterAll(() => dir.remove());
let files = 0;
const file = (): string => join(dir.path, `${++files}.db`);

function sqlHarness(path = file()): StoreHarness {
  const db = new DatabaseSync(path);
  const store = createSqlTablesStore(db);
  return { store, readRow: (t, r) => store.readRow(t, r), reopen: () => (db.close(), sqlHarness(path)), dispose: () => void (db.isOpen && db.close()) };
}

describe('stores written from the docs pass the conformance suite', () => {
  for (const c of storeConformance(() => { const store = createMapStore(); return { store, readRow: (t, r) => store.readRow(t, r) }; }, { persistent: false, transact: false })) {
    it.skipIf(c.skip !== undefined)(`map store: ${c.skip ? `${c.name} (skipped: ${c.skip})` : c.name}`, c.run);
  }
  for (const c of storeConformance(() => sqlHarness(), { transact: false })) {
    it.skipIf(c.skip !== undefined)(`node:sqlite tables: ${c.skip ? `${c.name} (skipped: ${c.skip})` : c.name}`, c.run);
  }
});

const schema = defineSchema({
  version: 1,
  tables: { todos: { title: { type: 'string', maxLength: 200 }, done: 'boolean', rank: 'integer', notes: { type: 'json', nullable: true } } },
});
const server = useRealServer();

async function client(store: SyncStore): Promise<SyncClient> {
  return createSyncClient({ schema, store, remote: createHttpRemote({ url: server.url, token: await server.token('alice') }), autoSync: false });
}

/** Syncs each client in turn until none has anything to push and all have pulled the server's whole log (one cursor). */
async function converge(clients: SyncClient[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    for (const c of clients) await c.sync();
    if (clients.every((c) => c.status.pending === 0 && c.status.cursor === clients[0]?.status.cursor)) return;
  }
  throw new Error('did not converge in 5 rounds');
}

describe('two devices on stores written from the docs, through the reference server on loopback', () => {
  it('converge after offline edits, conflicting writes, a restart on the file and a delete', async () => {
    const path = file();
    let sqlStore = createSqlTablesStore(new DatabaseSync(path));
    const mapStore = createMapStore();
    let laptop = await client(sqlStore);
    const phone = await client(mapStore);

    await laptop.update('todos', 't1', { title: 'Buy milk', done: false, rank: 1, notes: { tags: ['home'] } });
    await converge([laptop, phone]);
    expect(mapStore.readRow('todos', 't1')).toEqual({ title: 'Buy milk', done: false, rank: 1, notes: { tags: ['home'] } });

    // Offline, both edit: one field each, and one field both (the greater hlc wins everywhere).
    laptop.setOnline(false);
    phone.setOnline(false);
    const theirs = await laptop.set('todos', 't1', 'title', 'Buy oat milk');
    await laptop.set('todos', 't1', 'rank', 5);
    await phone.set('todos', 't1', 'done', true);
    const last = await phone.set('todos', 't1', 'title', 'Buy soy milk');
    await phone.update('todos', 't2', { title: 'Call Sam', done: false, rank: 2, notes: null });
    expect(laptop.status.pending).toBe(2);

    // The laptop restarts before it syncs: its unpushed writes are on the file.
    await laptop.close();
    sqlStore.close?.();
    sqlStore = createSqlTablesStore(new DatabaseSync(path));
    laptop = await client(sqlStore);
    expect(laptop.status.pending).toBe(2);
    phone.setOnline(true);
    await converge([laptop, phone]);

    // The greater hlc wins on both (two writes in one millisecond are ordered by counter and clientId).
    const winner = theirs.hlc > last.hlc ? theirs : last;
    const expected = { title: winner.value, done: true, rank: 5, notes: { tags: ['home'] } };
    for (const s of [sqlStore, mapStore] as RowReader[]) {
      expect(s.readRow('todos', 't1')).toEqual(expected);
      expect(s.readRow('todos', 't2')).toEqual({ title: 'Call Sam', done: false, rank: 2, notes: null });
    }
    expect((await sqlStore.winners([{ table: 'todos', row: 't1', column: 'title' }])).values().next().value).toBe(winner.hlc);

    await laptop.delete('todos', 't2');
    await converge([laptop, phone]);
    expect(mapStore.readRow('todos', 't2')?._deleted).toBe(true);
    expect(sqlStore.readRow('todos', 't2')?._deleted).toBe(true);
    await laptop.close();
    await phone.close();
    sqlStore.close?.();
  });
});
