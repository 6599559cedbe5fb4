/**
 * What a commit keeps in its data rows (apply-commit.ts), at its edges: a message is kept in
 * its row only when it is new, exactly its cell's write and still pending. A message already
 * stored (in this connection, in another's, or kept from a pull) is ignored as the store
 * contract says, and reaches the server once; a refused one keeps its error; a write that
 * names another cell's message takes none. And every part of a commit counts toward the
 * WAL's bound (checkpoints.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type CellWrite, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { createMemoryServerStore, type ServerStore } from '../../sync/server/index.ts';
import { createInProcessServer } from '../../sync/testing/index.ts';
import { createSqliteStore } from '../sqlite-store.ts';
import { openDatabase, type Db } from '../open-database.ts';
import { countCheckpoints, sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({
  version: 1,
  tables: { todos: { title: 'string', note: 'string' }, lists: { title: 'string' } },
});

let file: SqliteFile;
afterEach(() => file?.dispose());

const count = (db: Db, sql: string): number => db.prepare(sql).pluck().get() as number;
const base = Date.now();
/** A local, pending message of `table` `row`'s `column`, `ms` after base. */
const local = (ms: number, value: string, row = 't1', column = 'title', table = 'todos'): StoredMessage => ({
  hlc: formatHlc({ millis: base + ms, counter: 0, clientId: 'me' }), table, row, column, value,
  local: true, synced: false, applied: true, error: null,
});
const pulled = (ms: number, value: string, row: string): StoredMessage => ({
  ...local(ms, value, row), hlc: formatHlc({ millis: base + ms, counter: 0, clientId: 'other' }), local: false, synced: true,
});
const writeOf = (m: StoredMessage): CellWrite => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });
const rows = (db: Db, table: 'messages' | 'outbox'): number => count(db, `SELECT count(*) FROM fieldsync_${table}`);

function openStore() {
  file = sqliteFile();
  const store = file.open();
  store.open(schema);
  return store;
}

describe('a commit keeps a message in its row only when it is new, its cell\'s write and pending', () => {
  it('a message already in the log, committed again with its write, is stored once and pushed once', () => {
    const store = openStore();
    // Two commits, the second out of hlc order: what the store knows is the greatest hlc
    // stored, whichever commit stored it and wherever it came in the commit.
    const first = local(5, 'first', 't1');
    const newer = local(20, 'newer', 't2');
    const older = local(10, 'older', 't3');
    store.commit({ insert: [first] }); // no writes: to the outbox
    store.commit({ insert: [newer, older] });
    store.commit({ insert: [newer], writes: [writeOf(newer)] });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([first, older, newer]);
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(0);
    // The server took both: nothing is left to push (a copy kept in the row was pushed again).
    store.commit({ update: [first, newer, older].map((m) => ({ hlc: m.hlc, synced: true })) });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    expect(store.messages({ kind: 'recent', limit: 10 })).toEqual([newer, older, first].map((m) => ({ ...m, synced: true })));
  });

  it('the same, when the message was stored by another connection to the file', () => {
    file = sqliteFile();
    const here = file.open();
    here.open(schema);
    const there = file.open();
    there.open(schema);
    const m = local(10, 'from the syncer');
    there.commit({ insert: [m] });
    here.commit({ insert: [m], writes: [writeOf(m)] });
    expect(here.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
    here.commit({ update: [{ hlc: m.hlc, synced: true }] });
    expect(here.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    expect(there.messages({ kind: 'pending', limit: 10 })).toEqual([]);
  });

  it('a pulled page older than a stored message does not make that message look new', () => {
    const store = openStore();
    const stored = local(30, 'stored first', 't9');
    store.commit({ insert: [stored] });
    // A pulled page, every message its cell's winner (kept in its row), all older than `stored`.
    const page = [pulled(1, 'a', 'p1'), pulled(2, 'b', 'p2'), pulled(3, 'c', 'p3')];
    store.commit({ insert: page, writes: page.map(writeOf) });
    store.commit({ insert: [stored], writes: [writeOf(stored)] });
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(0);
    store.commit({ update: [{ hlc: stored.hlc, synced: true }] });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    expect(store.messages({ kind: 'recent', limit: 10 })).toEqual([{ ...stored, synced: true }, ...page.reverse()]);
  });

  it('a page pulled again (a new epoch, a second connection) adds no copy of what its rows keep', () => {
    const store = openStore();
    const page = [pulled(1, 'a', 'p1'), pulled(2, 'b', 'p2'), pulled(3, 'c', 'p3')];
    store.commit({ insert: page, writes: page.map(writeOf) });
    // Pulled again, the messages win nothing (each is its cell's winner already): no writes.
    store.commit({ insert: page });
    // One of them in any other guise (here a local copy of its hlc) is stored already too.
    store.commit({ insert: [{ ...(page[1] as StoredMessage), local: true, synced: false }] });
    expect(rows(store.db, 'messages') + rows(store.db, 'outbox')).toBe(0);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    expect(store.messages({ kind: 'recent', limit: 10 })).toEqual([...page].reverse());
    // A message its cell no longer keeps (a newer one replaced it) goes to the log as before.
    const newer = pulled(4, 'newer', 'p1');
    store.commit({ insert: [newer], writes: [writeOf(newer)] });
    store.commit({ insert: page });
    expect(store.messages({ kind: 'cell', table: 'todos', row: 'p1', column: 'title' })).toEqual(expect.arrayContaining([page[0], newer]));
    expect(rows(store.db, 'messages')).toBe(1);
    // Only a message kept in its row counts: one in the log whose cell holds it (a value a row
    // cannot keep exactly), once removed, is stored again when it comes again.
    const odd = pulled(5, 'half \ud83d pair', 'p5');
    store.commit({ insert: [odd], writes: [writeOf(odd)] });
    store.commit({ remove: [odd.hlc] });
    store.commit({ insert: [odd] });
    expect(store.messages({ kind: 'cell', table: 'todos', row: 'p5', column: 'title' })).toEqual([odd]);
  });

  it('a client starting over after the server\'s database was replaced keeps one copy of each message', async () => {
    let serverStore: ServerStore = createMemoryServerStore();
    const server = createInProcessServer({
      store: { push: (u, m) => serverStore.push(u, m), pull: (u, o) => serverStore.pull(u, o), renewEpoch: (u, e) => serverStore.renewEpoch(u, e) },
    });
    const writer = await createSyncClient({ schema, store: createMemoryStore(), remote: server.remote(), autoSync: false });
    for (let i = 0; i < 50; i++) await writer.set('todos', `r${i}`, 'title', `title ${i}`);
    await writer.sync();
    file = sqliteFile();
    const store = file.open();
    const reader = await createSyncClient({ schema, store, remote: server.remote(), autoSync: false });
    await reader.sync(); // each message kept in its row: no message rows
    expect(rows(store.db, 'messages')).toBe(0);
    serverStore = createMemoryServerStore(); // a new epoch: both start over
    await writer.sync(); // pushes its 50 again
    await reader.sync(); // and pulls them again
    await reader.sync();
    expect(rows(store.db, 'messages')).toBe(0);
    expect(store.messages({ kind: 'recent', limit: 100 })).toHaveLength(50);
    expect(store.readRow('todos', 'r49')?.title).toBe('title 49');
    await writer.close();
    await reader.close();
  });

  it('a message the one-cell write stored (transact) is known as stored too', () => {
    const store = openStore();
    const cell = [{ table: 'todos', row: 't1', column: 'title' }];
    const first = local(10, 'first');
    const second = local(20, 'second');
    const third = local(30, 'third');
    const earlier = local(0, 'earlier', 't0');
    store.commit({ insert: [earlier] });
    // The first takes an empty cell; each of the others replaces one, which goes to the row's
    // unpushed list. Committed again with its write, each stays there, once.
    for (const m of [first, second, third]) store.transact?.(cell, () => ({ insert: [m], writes: [writeOf(m)] }));
    store.commit({ insert: [second], writes: [writeOf(second)] });
    store.commit({ insert: [first], writes: [writeOf(first)] });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([earlier, first, second, third]);
    store.commit({ update: [earlier, first, second, third].map((m) => ({ hlc: m.hlc, synced: true })) });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
  });

  it('a local message that arrives with an error (refused already) keeps it: it is not pending', () => {
    const store = openStore();
    const refused = { ...local(10, 'too long'), error: 'value_too_large: the server refused it' };
    store.commit({ insert: [refused], writes: [writeOf(refused)] });
    expect(store.messages({ kind: 'rejected' })).toEqual([refused]);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
  });

  it.each([
    ['row', local(0, 'x', 't2')],
    ['column', local(0, 'x', 't1', 'note')],
    ['table', local(0, 'x', 't1', 'title', 'lists')],
  ])('a write that names the hlc of a message of another %s does not take that message into its row', (_, target) => {
    const store = openStore();
    const m = local(10, 'x');
    store.commit({ insert: [m], writes: [{ ...writeOf(target), hlc: m.hlc }] });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
    expect(rows(store.db, 'outbox')).toBe(1);
  });

  it('an update that leaves a kept message pending leaves it in its row', () => {
    const store = openStore();
    const m = local(10, 'kept');
    store.commit({ insert: [m], writes: [writeOf(m)] });
    store.commit({ update: [{ hlc: m.hlc, applied: true, error: null }] });
    expect(rows(store.db, 'outbox')).toBe(0);
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(1);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
  });

  it('a kept message written into its cell again stays in its row, pending once', () => {
    const store = openStore();
    const m = local(10, 'kept');
    store.commit({ insert: [m], writes: [writeOf(m)] });
    store.commit({ writes: [writeOf(m)] });
    expect(rows(store.db, 'outbox') + rows(store.db, 'messages')).toBe(0);
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _pending_title = 1')).toBe(1);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
  });
});

describe('every part of a commit counts toward the WAL\'s bound', () => {
  /** A store whose checkpoints are counted, on a new file, that checkpoints at idle only after a minute. */
  function counted(maxPages: number) {
    file = sqliteFile();
    const db = openDatabase(file.file);
    const calls = countCheckpoints(db);
    const store = createSqliteStore(db, { checkpoints: { idleMs: 60_000, maxPages } });
    store.open(schema);
    return { store, calls, close: () => db.close() };
  }
  // 320 messages: about 20 pages (16 rows a page) and two per commit. Three such commits
  // cross a bound of 60; a part counted as negative rows would never reach it.
  const messages = (from: number): StoredMessage[] =>
    Array.from({ length: 320 }, (_, i) => ({ ...pulled(from + i, `v${i}`, `r${from + i}`), synced: false }));

  it('messages to the log (no cell of theirs written)', () => {
    const s = counted(60);
    for (let k = 0; k < 3; k++) s.store.commit({ insert: messages(k * 1000) });
    expect(s.calls.checkpoints).toBe(1);
    s.close();
  });

  it('updates of the messages\' flags', () => {
    const s = counted(60);
    const all = messages(0);
    s.store.commit({ insert: all });
    const before = s.calls.checkpoints;
    for (let k = 0; k < 3; k++) s.store.commit({ update: all.slice(0, 160).map((m) => ({ hlc: m.hlc, synced: k % 2 === 0 })) });
    expect(s.calls.checkpoints).toBe(before + 1);
    s.close();
  });

  // The first commit keeps 320 messages in their rows: 320 data rows and 320 key entries,
  // about 42 pages (46 with the ring of pulled ones). The second writes the same cells
  // locally and moves those 320 out of their rows: about 62. Together they cross 100.
  it.each([
    ['marked messages that their cells\' new writes move to the outbox', (i: number) => local(i, 'first', `r${i}`), 'outbox'],
    ['kept pulled messages that their cells\' local writes move to the log', (i: number) => pulled(i, 'pulled', `r${i}`), 'messages'],
  ] as const)('%s', (_, kept, movedTo) => {
    const s = counted(100);
    const first = Array.from({ length: 320 }, (_, i) => kept(i));
    s.store.commit({ insert: first, writes: first.map(writeOf) });
    expect(s.calls.checkpoints).toBe(0);
    const mine = Array.from({ length: 320 }, (_, i) => local(1000 + i, 'mine', `r${i}`));
    s.store.commit({ insert: mine, writes: mine.map(writeOf) });
    expect(rows(s.store.db, movedTo)).toBe(320);
    expect(s.calls.checkpoints).toBe(1);
    s.close();
  });

  it('a commit of meta only (a cursor saved) counts its row', () => {
    // Two pages each (checkpoints.ts: every commit writes at least one page, and its row).
    const s = counted(20);
    for (let k = 0; k < 10; k++) s.store.commit({ meta: { cursor: String(k) } });
    expect(s.calls.checkpoints).toBe(1);
    s.close();
  });
});
