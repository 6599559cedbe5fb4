/**
 * The messages kept in a retyped column's rows (evict-marks.ts, round 67 mutation testing):
 * this client's unpushed one goes to the outbox and is pushed once, with the value it was
 * written with; one pulled from another device goes to the log of pulled messages and is
 * never pushed as this client's; both marks are cleared. Until this file no test retyped a
 * column holding a pulled message kept in its row.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type ColumnType, type Schema } from '../../sync/index.ts';
import { createInProcessServer } from '../../sync/testing/index.ts';
import { useFileClients } from './helpers/file-clients.ts';

const items = (version: number, code: ColumnType): Schema => defineSchema({ version, tables: { items: { code } } });

const fileClients = useFileClients();

describe('a retyped column whose rows keep messages', () => {
  it("moves this client's unpushed message to the outbox and the pulled one to the log, and clears both marks", async () => {
    const server = createInProcessServer();
    const other = await createSyncClient({ schema: items(1, 'integer'), store: createMemoryStore(), remote: server.remote('u'), autoSync: false });
    fileClients.keep(other);
    await other.set('items', 'pulled', 'code', 7);
    await other.sync();

    const file = fileClients.file();
    const v1 = await createSyncClient({ schema: items(1, 'integer'), store: file.open(), remote: server.remote('u'), autoSync: false });
    await v1.sync(); // `pulled` wins its cell: kept in its row (mark 2)
    await v1.set('items', 'mine', 'code', 1); // unpushed: kept in its row (mark 1)
    const before = file.open().db.prepare('SELECT id, _pending_code FROM items ORDER BY id').raw().all();
    expect(before).toEqual([['mine', 1], ['pulled', 2]]); // the case this file is about
    await v1.close();

    const store = file.open();
    const v2 = await createSyncClient({ schema: items(2, 'string'), store, remote: server.remote('u'), autoSync: false });
    fileClients.keep(v2);
    // Only this client's message is pending: the pulled one is not this client's to push.
    expect((await store.messages({ kind: 'pending', limit: 10 })).map((m) => [m.row, m.value])).toEqual([['mine', 1]]);
    expect(store.db.prepare('SELECT id FROM items WHERE _pending_code IS NOT NULL').pluck().all()).toEqual([]);
    expect(store.db.prepare("SELECT row, value, local, synced FROM fieldsync_messages WHERE tbl = 'items'").raw().all()).toEqual([['pulled', '7', 0, 1]]);
    expect(store.db.prepare("SELECT row, value FROM fieldsync_outbox WHERE tbl = 'items'").raw().all()).toEqual([['mine', '1']]);
    // Each cell still answers with its winning message, and the values are as written.
    expect((await store.messages({ kind: 'cell', table: 'items', row: 'pulled', column: 'code' })).map((m) => m.value)).toEqual([7]);
    expect(v2.status.pending).toBe(1);

    await v2.sync();
    expect(v2.status.pending).toBe(0);
    const fresh = createMemoryStore();
    const reader = await createSyncClient({ schema: items(1, 'integer'), store: fresh, remote: server.remote('u'), autoSync: false });
    fileClients.keep(reader);
    await reader.sync();
    expect([fresh.get('items', 'mine'), fresh.get('items', 'pulled')]).toEqual([{ code: 1 }, { code: 7 }]);
    // The server holds two messages: nothing was pushed twice, and the pulled one not again as this client's.
    await other.sync();
    expect(other.status.cursor).toBe(2);
  });
});
