/**
 * Two clients on one SQLite file (the app and a background syncer, docs/api.md): both read
 * the clientId from the file, each has its own clock. Their writes must still get distinct
 * hlcs, or the server, which keeps each hlc once, keeps one write of two and the devices
 * diverge for good. Against the real server, over HTTP on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cellKey, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type Commit, type Message, type SyncClient, type SyncStore } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const server = useRealServer();
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });

let file: SqliteFile;
const open: SyncClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  file?.dispose();
});

/** Both processes read one wall clock; frozen, every write falls in the same millisecond. */
const frozen = Date.now();
async function client(user: string | null, store: SyncStore = file.open()): Promise<SyncClient> {
  const remote = user === null ? undefined : createHttpRemote({ url: server.url, token: await server.token(user) });
  const c = await createSyncClient({ schema, store, autoSync: false, now: () => frozen, ...(remote ? { remote } : {}) });
  open.push(c);
  return c;
}

/** What a third device gets from the server: every row and its title. */
async function seenElsewhere(user: string): Promise<Map<string, unknown>> {
  const store = createMemoryStore();
  const other = await client(user, store);
  await other.sync();
  return new Map([...store.rows('todos')].map(([id, row]) => [id, row.title]));
}

describe('two clients on one SQLite file', () => {
  it('writes in one millisecond from both get distinct hlcs, and every one reaches the server and other devices', async () => {
    file = sqliteFile();
    const ui = await client(null);
    const syncer = await client('two-conn-a');
    expect(syncer.clientId).toBe(ui.clientId);
    const made: Message[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(await ui.set('todos', `ui${i}`, 'title', `from ui ${i}`));
      made.push(await syncer.set('todos', `bg${i}`, 'title', `from syncer ${i}`));
    }
    expect(new Set(made.map((m) => m.hlc)).size).toBe(10);
    await syncer.sync();
    expect(syncer.status.pending).toBe(0);
    expect(await seenElsewhere('two-conn-a')).toEqual(new Map(made.map((m) => [m.row, m.value])));
  });

  it('two clients opening one new file at once take one clientId, and the writes of both reach other devices', async () => {
    // Two processes started together on a new profile (the app and its background syncer):
    // both read a file without a clientId before either commits one. The one whose clientId
    // the file did not keep stamped its writes with it, and the server, which takes from a
    // client only hlcs that end with its clientId, refused them all: set aside, never synced.
    file = sqliteFile();
    const remote = createHttpRemote({ url: server.url, token: await server.token('two-conn-new') });
    const opening = [file.open(), file.open()].map((store, i) => createSyncClient({ schema, store, autoSync: false, now: () => frozen, ...(i === 1 ? { remote } : {}) }));
    const [ui, syncer] = (await Promise.all(opening)) as SyncClient[] as [SyncClient, SyncClient];
    open.push(ui, syncer);
    expect(ui.clientId).toBe(syncer.clientId);
    const fromUi = await ui.set('todos', 'ui', 'title', 'from ui');
    const fromSyncer = await syncer.set('todos', 'bg', 'title', 'from syncer');
    await syncer.sync();
    expect(syncer.status.rejected).toBe(0);
    expect(syncer.status.pending).toBe(0);
    expect(await seenElsewhere('two-conn-new')).toEqual(new Map([['ui', fromUi.value], ['bg', fromSyncer.value]]));
  });

  it('another connection\'s commit noticed first by a query, not a write, still moves the next write past it', async () => {
    file = sqliteFile();
    const ui = await client(null);
    const syncer = await client('two-conn-b');
    const theirs = await syncer.set('todos', 'bg', 'title', 'from syncer');
    // The app's status and history queries read the marks again (and see the other commit) before its next write.
    await ui.history('todos', 'bg', 'title');
    const mine = await ui.set('todos', 'ui', 'title', 'from ui');
    expect(mine.hlc > theirs.hlc).toBe(true);
    await syncer.sync();
    expect(await seenElsewhere('two-conn-b')).toEqual(new Map([['bg', 'from syncer'], ['ui', 'from ui']]));
  });

  it('the store passes plan the greatest hlc of the file once another connection committed, and the cells\' winner otherwise', () => {
    file = sqliteFile();
    const [a, b] = [file.open(), file.open()];
    a.open(schema);
    b.open(schema);
    const at = (n: number): string => formatHlc({ millis: frozen, counter: n, clientId: 'me' });
    const write = (hlc: string, row: string): Commit => {
      const m = { hlc, table: 'todos', row, column: 'title', value: row, local: true, synced: false, applied: true, error: null };
      return { insert: [m], writes: [m] };
    };
    const seen: (string | null)[] = [];
    const cell = (row: string) => [{ table: 'todos', row, column: 'title' }];
    a.transact(cell('x'), (n) => (seen.push(n), write(at(1), 'x')));
    b.transact(cell('y'), (n) => (seen.push(n), write(at(2), 'y'))); // a committed: its newest
    b.transact(cell('z'), (n) => (seen.push(n), write(at(3), 'z'))); // nobody else did: the cell's (none)
    a.transact(cell('w'), (n) => (seen.push(n), write(at(4), 'w'))); // b committed: its newest
    expect(b.messages({ kind: 'pending', limit: 10 })).toHaveLength(4); // b sees a's commit here...
    b.transact(cell('v'), (n) => (seen.push(n), write(at(5), 'v'))); // ...and its next write still passes it
    expect(seen).toEqual([null, at(1), null, at(3), at(4)]);
  });

  it('a pulled page planned before another connection\'s newer local write to its cell leaves that write in the cell', () => {
    // A sync reads the cells' winners, plans the merge, then commits: no transaction spans
    // the three. In one process the client's lock keeps its local writes out of that gap;
    // another process's local write landed in it, and the pulled, older message was written
    // over it: the file showed the older value for good, while every other device showed the newer.
    file = sqliteFile();
    const [a, b] = [file.open(), file.open()];
    a.open(schema);
    b.open(schema);
    const cell = [{ table: 'todos', row: 'x', column: 'title' }];
    const message = (hlc: string, value: string, local: boolean) =>
      ({ hlc, table: 'todos', row: 'x', column: 'title', value, local, synced: !local, applied: true, error: null });
    const pulled = message(formatHlc({ millis: frozen, counter: 1, clientId: 'other' }), 'older, pulled', false);
    const mine = message(formatHlc({ millis: frozen, counter: 2, clientId: 'me' }), 'newer, mine', true);
    expect(b.winners(cell).size).toBe(0); // the sync's read: the pulled message wins the empty cell
    a.transact(cell, () => ({ insert: [mine], writes: [mine] })); // the other process writes the cell
    b.commit({ insert: [pulled], writes: [pulled] }); // the sync commits what it planned
    expect(b.readRow('todos', 'x')?.title).toBe('newer, mine');
    expect(b.winners(cell).get(cellKey('todos', 'x', 'title'))).toBe(mine.hlc);
    expect(b.messages({ kind: 'pending', limit: 10 }).map((m) => m.hlc)).toEqual([mine.hlc]);
    expect(b.messages({ kind: 'cell', table: 'todos', row: 'x', column: 'title' }).map((m) => m.hlc).sort()).toEqual([pulled.hlc, mine.hlc]);
  });

  it('a pulled value another connection\'s newer write kept out of a cell is not reported as replacing it', async () => {
    // The pull above, seen by the app: the sync read the cell's winner (this device's edit),
    // planned the pulled value over it, and another process wrote the cell again before the
    // commit. The store kept that newer write, but the 'replaced' event still named the
    // pulled value as what the cell held now: the app told its user their edit was replaced
    // by a value the cell never showed.
    file = sqliteFile();
    const [other, mine] = [file.open(), file.open()];
    const syncer = await client('two-conn-replaced', mine);
    await syncer.set('todos', 'x', 'title', 'my edit');
    await syncer.sync();
    const laterDevice = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false, now: () => frozen + 10_000, remote: createHttpRemote({ url: server.url, token: await server.token('two-conn-replaced') }) });
    open.push(laterDevice);
    await laterDevice.sync();
    const pulled = await laterDevice.set('todos', 'x', 'title', 'pulled');
    await laterDevice.sync();
    // The other process's write, committed in the gap between the sync's plan and its commit.
    other.open(schema);
    const newest = formatHlc({ millis: frozen + 20_000, counter: 0, clientId: syncer.clientId });
    const commit = mine.commit.bind(mine);
    mine.commit = (c: Commit) => {
      if (c.insert?.some((m) => m.hlc === pulled.hlc)) {
        const m = { hlc: newest, table: 'todos', row: 'x', column: 'title', value: 'newer, other process', local: true, synced: false, applied: true, error: null };
        other.transact([m], () => ({ insert: [m], writes: [m] }));
      }
      commit(c);
    };
    const reported: unknown[] = [];
    syncer.on('replaced', (e) => reported.push(...e.cells.map((c) => c.next.value)));
    await syncer.sync();
    expect(mine.readRow('todos', 'x')?.title).toBe('newer, other process');
    expect(reported).toEqual([]);
  });

  it('a query of pending messages that finds another connection\'s in rows copies them, though a third commits meanwhile', () => {
    // The query of a connection that knew of no unpushed lists in rows ran as a read
    // transaction, and refresh() found the other connection's: its copy to the outbox wrote
    // from a snapshot another process had committed past, and SQLite refused the write
    // (SQLITE_BUSY_SNAPSHOT, "database is locked"): a sync of the app failed.
    file = sqliteFile();
    const [a, b, c] = [file.open(), file.open(), file.open()];
    for (const s of [a, b, c]) s.open(schema);
    const at = (n: number): string => formatHlc({ millis: frozen, counter: n, clientId: 'me' });
    const write = (n: number): Commit => {
      const m = { hlc: at(n), table: 'todos', row: 'x', column: 'title', value: `v${n}`, local: true, synced: false, applied: true, error: null };
      return { insert: [m], writes: [m] };
    };
    const cell = [{ table: 'todos', row: 'x', column: 'title' }];
    b.transact(cell, () => write(1));
    b.transact(cell, () => write(2)); // the first, never pushed, is kept in the row's list
    // The first write statement of a's query: c commits just before it.
    const proto = Object.getPrototypeOf(a.db.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown };
    const run = proto.run;
    let interleaved = false;
    proto.run = function (this: unknown, ...args: unknown[]) {
      if (!interleaved && a.db.inTransaction) {
        interleaved = true;
        c.db.exec(`INSERT INTO fieldsync_meta (key, value) VALUES ('elsewhere', '1')`);
      }
      return run.apply(this, args);
    };
    try {
      expect(a.messages({ kind: 'pending', limit: 10 }).map((m) => m.value)).toEqual(['v1', 'v2']);
    } finally {
      proto.run = run;
    }
    expect(interleaved).toBe(true);
  });
});
