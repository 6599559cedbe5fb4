/**
 * Local messages kept in their data rows (pending-cells.ts): a local write is one row, and
 * every local message still reaches the server exactly once: when its cell is written again
 * before a push, when a pull replaces it, when the server sets it aside, after a restart,
 * and in a database written by store version 1 (messages in the outbox, no marks).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type CellWrite, type JsonValue, type Message, type Remote, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { createMemoryServerStore, type ServerStore } from '../../sync/server/index.ts';
import { createInProcessServer } from '../../sync/testing/index.ts';
import { STORE_VERSION } from '../migrations.ts';
import type { Db } from '../open-database.ts';
import { refusingRemote } from '../../../test-support/refusing-remote.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean', rank: { type: 'number', nullable: true }, meta: { type: 'json', nullable: true } } } });

let file: SqliteFile;
afterEach(() => file?.dispose());

const count = (db: Db, sql: string): number => db.prepare(sql).pluck().get() as number;
/** A store on a new file, opened with the schema. */
function openStore() {
  file = sqliteFile();
  const store = file.open();
  store.open(schema);
  return store;
}
/** A local message of todos t1's title, `ms` after now, and the write that makes it the cell's. */
const localTitle = (value: string, ms = 0): StoredMessage => ({
  hlc: formatHlc({ millis: Date.now() + ms, counter: 0, clientId: 'me' }), table: 'todos', row: 't1', column: 'title', value,
  local: true, synced: false, applied: true, error: null,
});
const titleWrite = (m: StoredMessage): CellWrite => ({ table: 'todos', row: 't1', column: 'title', value: m.value, hlc: m.hlc });
const TITLE = [{ table: 'todos', row: 't1', column: 'title' }];

describe('local messages kept in their data rows', () => {
  it('a local write adds no message row; its message is read from the row, exactly', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const values = { title: 'Ünïcode 👍 "q"', done: false, rank: 0.1 + 0.2, meta: { tags: ['x'], __proto__: 1 } as never };
    const written = await client.update('todos', 't1', values);
    expect(count(store.db, 'SELECT count(*) FROM fieldsync_outbox') + count(store.db, 'SELECT count(*) FROM fieldsync_messages')).toBe(0);
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1 AND _pending_done = 1 AND _pending_rank = 1 AND _pending_meta = 1')).toBe(1);
    const pending = store.messages({ kind: 'pending', limit: 10 });
    expect(pending).toEqual(written.map((m) => ({ ...m, local: true, synced: false, applied: true, error: null })));
    expect(client.status.pending).toBe(4);
    await client.close();
  });

  it('a value a column cannot keep exactly (a lone surrogate) goes to the outbox instead', () => {
    const store = openStore();
    const m = localTitle('half \ud83d pair');
    store.commit({ insert: [m], writes: [titleWrite(m)] });
    expect(count(store.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(1);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
  });

  it('writing a cell again before the push keeps the earlier message, pending, in order', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const written = [];
    for (const title of ['B', 'Bu', 'Buy', 'Buy milk']) written.push(await client.set('todos', 't1', 'title', title));
    const pending = store.messages({ kind: 'pending', limit: 10 });
    expect(pending.map((m) => [m.hlc, m.value])).toEqual(written.map((m) => [m.hlc, m.value]));
    expect(store.messages({ kind: 'pending', limit: 2 }).map((m) => m.value)).toEqual(['B', 'Bu']);
    expect(store.messages({ kind: 'recent', limit: 2 }).map((m) => m.value)).toEqual(['Buy milk', 'Buy']);
    expect(store.messages({ kind: 'cell', table: 'todos', row: 't1', column: 'title' })).toHaveLength(4);
    expect(count(store.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(3);
    await client.close();
  });

  it('every local message reaches the server exactly once, across rewrites, a pull that replaces one, and a restart', async () => {
    const server = createInProcessServer();
    const pushed: Message[] = [];
    const recording: Remote = {
      sync: (request, options) => server.remote().sync(request, options).then((response) => {
        pushed.push(...(request.messages ?? []));
        return response;
      }),
    };
    file = sqliteFile();
    const a = file.open();
    const clientA = await createSyncClient({ schema, store: a, remote: recording, autoSync: false });
    const other = await createSyncClient({ schema, store: createMemoryStore(), remote: server.remote(), autoSync: false });
    await clientA.set('todos', 't1', 'title', 'one');
    await clientA.set('todos', 't1', 'title', 'two');
    await clientA.set('todos', 't2', 'title', 'kept');
    // Another device's later write to t2 arrives before t2's local message was pushed.
    await new Promise((r) => setTimeout(r, 5));
    await other.set('todos', 't2', 'title', 'theirs');
    await other.sync();
    const restarted = file.open(); // a crash: a new connection, the old one abandoned
    const clientA2 = await createSyncClient({ schema, store: restarted, remote: recording, autoSync: false });
    expect(clientA2.status.pending).toBe(3);
    await clientA2.sync();
    await clientA2.sync();
    expect(clientA2.status.pending).toBe(0);
    expect(restarted.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    expect(pushed.map((m) => m.value)).toEqual(['one', 'two', 'kept']);
    expect(new Set(pushed.map((m) => m.hlc)).size).toBe(3);
    expect(restarted.readRow('todos', 't2')?.title).toBe('theirs');
    expect(restarted.readRow('todos', 't1')?.title).toBe('two');
    // Acknowledged messages join the local history; no marks remain.
    expect(count(restarted.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(0);
    expect((await clientA2.history('todos', 't1', 'title')).map((m) => [m.value, m.synced, m.won])).toEqual([['two', true, true], ['one', true, false]]);
    await Promise.all([clientA.close(), clientA2.close(), other.close()]);
  });

  it('a pull that replaces the only marked cell moves its message and clears the mark, on disk too', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(schema);
    const at = (n: number, clientId: string): string => formatHlc({ millis: Date.UTC(2026, 0, 1) + n, counter: 0, clientId });
    const mine: StoredMessage = { hlc: at(1, 'me'), table: 'todos', row: 't1', column: 'title', value: 'mine', local: true, synced: false, applied: true, error: null };
    store.commit({ insert: [mine], writes: [{ table: 'todos', row: 't1', column: 'title', value: 'mine', hlc: mine.hlc }] });
    const theirs: StoredMessage = { ...mine, hlc: at(2, 'them'), value: 'theirs', local: false, synced: true };
    store.commit({ insert: [theirs], writes: [{ table: 'todos', row: 't1', column: 'title', value: 'theirs', hlc: theirs.hlc }], meta: { cursor: '1' } });
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(0);
    const reopened = file.open();
    reopened.open(schema);
    expect(reopened.messages({ kind: 'pending', limit: 10 })).toEqual([mine]);
    expect(reopened.readRow('todos', 't1')?.title).toBe('theirs');
  });

  it('the epoch restart pushes acknowledged and row-kept messages again; a refused one is set aside and its cell falls back', async () => {
    let serverStore: ServerStore = createMemoryServerStore();
    const server = createInProcessServer({
      store: { push: (u, m) => serverStore.push(u, m), pull: (u, o) => serverStore.pull(u, o), renewEpoch: (u, e) => serverStore.renewEpoch(u, e) },
    });
    const remote = refusingRemote(server.remote(), 'too large');
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, remote, autoSync: false });
    await client.update('todos', 't1', { title: 'one', done: false });
    await client.sync(); // acknowledged: now in the messages table
    await client.set('todos', 't2', 'title', 'kept in its row');
    serverStore = createMemoryServerStore(); // the server's database is replaced: a new epoch
    await client.sync();
    await client.sync();
    expect(client.status.pending).toBe(0);
    const held = (await serverStore.pull('user', { cursor: 0, limit: 100, excludeClientId: 'nobody' })).messages.map((m) => m.value);
    expect(held.sort()).toEqual([false, 'kept in its row', 'one']);

    await client.set('todos', 't1', 'title', 'too large');
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(1);
    await client.sync();
    expect((await client.rejected()).map((m) => [m.value, m.error?.startsWith('payload_too_large')])).toEqual([['too large', true]]);
    expect(store.readRow('todos', 't1')?.title).toBe('one'); // back to the best message the server holds
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(0);
    expect(client.status).toMatchObject({ pending: 0, rejected: 1 });
    await client.close();
  });

  it('after a restart, pending and recent with a limit give the oldest and the newest, whatever order the rows are in', async () => {
    file = sqliteFile();
    const client = await createSyncClient({ schema, store: file.open(), autoSync: false });
    // Rows a, b, c in that order, then a again: the file's row order is no longer the hlcs'.
    const a = await client.set('todos', 'a', 'done', true);
    const b = await client.set('todos', 'b', 'done', true);
    const c = await client.set('todos', 'c', 'done', true);
    const a2 = await client.set('todos', 'a', 'title', 'later');
    await client.close();
    const store = file.open();
    store.open(schema);
    expect(store.messages({ kind: 'pending', limit: 2 }).map((m) => m.hlc)).toEqual([a.hlc, b.hlc]);
    expect(store.messages({ kind: 'pending', limit: 3 }).map((m) => m.hlc)).toEqual([a.hlc, b.hlc, c.hlc]);
    expect(store.messages({ kind: 'recent', limit: 2 }).map((m) => m.hlc)).toEqual([a2.hlc, c.hlc]);
  });

  it('a local message committed twice (a retried commit) is pending once, before and after a restart, and once acknowledged is not', () => {
    const store = openStore();
    const m = localTitle('once');
    const commit = { insert: [m], writes: [titleWrite(m)] };
    store.transact(TITLE, () => commit); // the one-field path
    store.transact(TITLE, () => commit);
    store.commit(commit); // the general path
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
    const again = file.open();
    expect(again.open(schema).pendingCount).toBe(1);
    again.commit({ update: [{ hlc: m.hlc, synced: true, applied: true, error: null }] });
    const third = file.open();
    expect(third.open(schema).pendingCount).toBe(0);
    expect(third.messages({ kind: 'pending', limit: 10 })).toEqual([]);
  });

  it('two local messages of one cell in one commit, with the same value: both are pending, only the last is kept in the row', () => {
    const store = openStore();
    const [m1, m2] = [localTitle('same'), localTitle('same', 1)];
    store.commit({ insert: [m1, m2], writes: [titleWrite(m2)] });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m1, m2]);
    expect(count(store.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(1);
  });

  it('a local message kept in its row, then removed (re-issued after clock drift), stays removed after a restart', () => {
    const store = openStore();
    const m = localTitle('drifted');
    store.transact(TITLE, () => ({ insert: [m], writes: [titleWrite(m)] }));
    store.commit({ remove: [m.hlc] });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    const again = file.open();
    expect(again.open(schema).pendingCount).toBe(0);
    expect(again.messages({ kind: 'pending', limit: 10 })).toEqual([]);
  });

  it('a commit whose messages are not in hlc order: pending with a limit still gives the oldest', () => {
    const store = openStore();
    // The store contract leaves a commit's order to the caller: here y's message comes first.
    const mine = (row: string, column: string, value: JsonValue, ms: number): StoredMessage => ({ ...localTitle('', ms), row, column, value });
    const [m1, m2, m3] = [mine('x', 'title', 'one', 0), mine('y', 'title', 'two', 1), mine('x', 'done', true, 2)];
    const order = [m2, m1, m3];
    store.commit({ insert: order, writes: order.map((m) => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc })) });
    expect(store.messages({ kind: 'pending', limit: 1 }).map((m) => m.hlc)).toEqual([m1.hlc]);
    expect(store.messages({ kind: 'pending', limit: 2 }).map((m) => m.hlc)).toEqual([m1.hlc, m2.hlc]);
  });

  it('a one-field write acknowledged, then a commit of several fields: the new marks are found', () => {
    const store = openStore();
    const first = localTitle('first');
    store.transact(TITLE, () => ({ insert: [first], writes: [titleWrite(first)] })); // the one-field path
    store.commit({ update: [{ hlc: first.hlc, synced: true, applied: true, error: null }] });
    const [a, b] = [{ ...localTitle('a', 1), row: 't2' }, { ...localTitle('', 2), row: 't2', column: 'done', value: true }];
    store.commit({ insert: [a, b], writes: [a, b].map((m) => ({ table: 'todos', row: 't2', column: m.column, value: m.value, hlc: m.hlc })) });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([a, b]);
    expect(store.messages({ kind: 'cell', table: 'todos', row: 't2', column: 'done' })).toEqual([b]);
  });

  it('two connections on one file: each sees the marks the other wrote or moved', () => {
    file = sqliteFile();
    const a = file.open();
    const b = file.open();
    a.open(schema);
    b.open(schema); // opened before A writes anything
    const at = (n: number, clientId: string): string => formatHlc({ millis: Date.UTC(2026, 0, 1) + n, counter: 0, clientId });
    const mine: StoredMessage = { hlc: at(1, 'me'), table: 'todos', row: 't1', column: 'title', value: 'mine', local: true, synced: false, applied: true, error: null };
    a.commit({ insert: [mine], writes: [{ table: 'todos', row: 't1', column: 'title', value: 'mine', hlc: mine.hlc }] });
    expect(b.messages({ kind: 'pending', limit: 10 })).toEqual([mine]);
    // B pulls a later write of the same cell: the message A kept in the row moves to the outbox.
    const theirs: StoredMessage = { ...mine, hlc: at(2, 'them'), value: 'theirs', local: false, synced: true };
    b.commit({ insert: [theirs], writes: [{ table: 'todos', row: 't1', column: 'title', value: 'theirs', hlc: theirs.hlc }] });
    expect(count(a.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(0);
    expect(a.messages({ kind: 'pending', limit: 10 })).toEqual([mine]);
    expect(a.messages({ kind: 'cell', table: 'todos', row: 't1', column: 'title' }).map((m) => m.value).sort()).toEqual(['mine', 'theirs']);
    // A writes the cell again and B acknowledges both: nothing pending on either side.
    const again: StoredMessage = { ...mine, hlc: at(3, 'me'), value: 'again' };
    a.commit({ insert: [again], writes: [{ table: 'todos', row: 't1', column: 'title', value: 'again', hlc: again.hlc }] });
    expect(b.messages({ kind: 'pending', limit: 10 }).map((m) => m.value)).toEqual(['mine', 'again']);
    b.commit({ update: [{ hlc: mine.hlc, synced: true }, { hlc: again.hlc, synced: true }] });
    expect(a.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    expect(a.open(schema).pendingCount).toBe(0);
  });

  it('a UI process writes and a background process syncs, on one file: every write reaches the server once', async () => {
    const server = createInProcessServer();
    const pushed: Message[] = [];
    const remote: Remote = { sync: (request, options) => server.remote().sync(request, options).then((r) => (pushed.push(...(request.messages ?? [])), r)) };
    file = sqliteFile();
    const writer = await createSyncClient({ schema, store: file.open(), autoSync: false });
    const syncer = await createSyncClient({ schema, store: file.open(), remote, autoSync: false });
    await writer.set('todos', 't1', 'title', 'one');
    await syncer.sync();
    await writer.set('todos', 't1', 'title', 'two');
    await writer.set('todos', 't1', 'title', 'three');
    await syncer.sync();
    expect(pushed.map((m) => m.value)).toEqual(['one', 'two', 'three']);
    expect(syncer.status.pending).toBe(0);
    const other = await createSyncClient({ schema, store: createMemoryStore(), remote: server.remote(), autoSync: false });
    await other.sync();
    expect((await other.history('todos', 't1', 'title')).map((m) => m.value)).toEqual(['three']); // the server keeps the winner
    await Promise.all([writer.close(), syncer.close(), other.close()]);
  });

  it('a commit that fails partway leaves the marks and the messages as they were', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const first = await client.set('todos', 't1', 'title', 'first');
    const hlc = (counter: number): string => formatHlc({ millis: Date.now() + 60_000, counter, clientId: client.clientId });
    const good: StoredMessage = { hlc: hlc(0), table: 'todos', row: 't1', column: 'title', value: 'second', local: true, synced: false, applied: true, error: null };
    const poisoned = { table: 'todos', row: 't2', column: 'title', hlc: hlc(1) } as CellWrite;
    Object.defineProperty(poisoned, 'value', { enumerable: true, get: () => { throw new Error('injected failure'); } });
    // The first write replaces t1's marked message (moving it to the outbox) and marks its own.
    expect(() => store.commit({ insert: [good], writes: [{ table: 'todos', row: 't1', column: 'title', value: good.value, hlc: good.hlc }, poisoned] })).toThrow(/injected/);
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => [m.hlc, m.value])).toEqual([[first.hlc, 'first']]);
    expect(store.readRow('todos', 't1')?.title).toBe('first');
    expect(count(store.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(0);
    await client.close();
  });

  it('opens a database written by store version 1: its outbox is pushed with the new writes, oldest first', async () => {
    file = sqliteFile();
    const old = file.open().db;
    writeStoreV1(old);
    const at = (n: number): string => formatHlc({ millis: Date.UTC(2026, 0, 1) + n, counter: 0, clientId: 'oldClient' });
    old.prepare('INSERT INTO fieldsync_meta VALUES (?, ?)').run('clientId', 'oldClient');
    old.prepare('INSERT INTO fieldsync_outbox VALUES (?, ?, ?, ?, ?, 1, NULL)').run(at(1), 'todos', 't1', 'title', '"old pending"');
    old.prepare('INSERT INTO fieldsync_outbox VALUES (?, ?, ?, ?, ?, 0, ?)').run(at(2), 'todos', 't1', 'done', 'true', 'refused');
    old.prepare('INSERT INTO fieldsync_messages VALUES (?, ?, ?, ?, ?, 1, 1, 1, NULL)').run(at(0), 'todos', 't0', 'title', '"synced"');
    old.prepare('INSERT INTO todos (id, title, _hlc_title) VALUES (?, ?, ?)').run('t1', 'old pending', at(1));
    old.close();

    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    expect(store.db.pragma('user_version', { simple: true })).toBe(STORE_VERSION);
    expect(client.clientId).toBe('oldClient');
    expect(client.status.pending).toBe(1);
    expect(await client.rejected()).toHaveLength(1);
    const next = await client.set('todos', 't1', 'title', 'new');
    expect(next.hlc > at(2)).toBe(true);
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => [m.hlc, m.value])).toEqual([[at(1), 'old pending'], [next.hlc, 'new']]);
    expect(store.readRow('todos', 't1')?.title).toBe('new');
    expect(store.messages({ kind: 'recent', limit: 10 }).map((m) => m.value)).toEqual(['new', true, 'old pending', 'synced']);
    await client.close();
  });
});

/** The layout store version 1 wrote: no `_pending_` columns, every pending message in the outbox. */
function writeStoreV1(db: Db): void {
  db.exec(`
    CREATE TABLE fieldsync_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
    CREATE TABLE fieldsync_messages (hlc TEXT PRIMARY KEY NOT NULL, tbl TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL,
      value TEXT NOT NULL, local INTEGER NOT NULL, synced INTEGER NOT NULL, applied INTEGER NOT NULL, error TEXT) WITHOUT ROWID;
    CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
    CREATE TABLE fieldsync_outbox (hlc TEXT PRIMARY KEY NOT NULL, tbl TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL,
      value TEXT NOT NULL, applied INTEGER NOT NULL, error TEXT) WITHOUT ROWID;
    CREATE TABLE todos (id TEXT PRIMARY KEY NOT NULL, title TEXT, _hlc_title TEXT, done INTEGER, _hlc_done TEXT,
      rank REAL, _hlc_rank TEXT, meta TEXT, _hlc_meta TEXT, _deleted INTEGER, _hlc__deleted TEXT);
    PRAGMA user_version = 1;
  `);
}
