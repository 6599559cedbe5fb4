/**
 * Pulled messages kept only in their data rows (pulled-in-row.ts): what a pull no longer
 * writes to the message log, and what the store still answers about those messages: the
 * cell query and `history()`, `recent`, the clock's restart point, and the fallback of a
 * refused local write (a kept message moves to the log before a write replaces it,
 * kept-moves.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cellKey, createMemoryStore, createSyncClient, defineSchema, type CellWrite, type JsonValue, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { conformanceSchema, createInProcessServer } from '../../sync/testing/index.ts';
import { refusingRemote } from '../../../test-support/refusing-remote.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';
import { STORE_VERSION } from '../migrations.ts';
import { RECENT_PULLED } from '../pulled-in-row.ts';

const T0 = Date.UTC(2026, 10, 24, 15);
const pulledMsg = (n: number, row: string, column: string, value: JsonValue): StoredMessage => ({
  hlc: formatHlc({ millis: T0 + n, counter: 0, clientId: 'otherClient' }), table: 'notes', row, column, value,
  local: false, synced: true, applied: true, error: null,
});
const localMsg = (n: number, row: string, column: string, value: JsonValue): StoredMessage => ({
  ...pulledMsg(n, row, column, value), hlc: formatHlc({ millis: T0 + n, counter: 0, clientId: 'localClient' }), local: true, synced: false,
});
const write = (m: StoredMessage): CellWrite => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });
/** What a pull commits: the messages, and a write for each (every one wins its cell here). */
const pull = (list: StoredMessage[]) => ({ insert: list, writes: list.map(write) });
const count = (store: ReturnType<SqliteFile['open']>, sql: string): number => store.db.prepare(sql).pluck().get() as number;

describe('pulled messages kept in their data rows', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  const open = () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    return store;
  };

  it('writes no message row for a pulled winner; the cell query and recent still return it', () => {
    const store = open();
    const title = pulledMsg(1, 'a', 'title', 'Oat "milk" 👍');
    const meta = pulledMsg(2, 'a', 'meta', { tags: ['x'], n: 1 });
    store.commit(pull([title, meta]));
    expect(count(store, 'SELECT count(*) FROM fieldsync_messages')).toBe(0);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' })).toEqual([title]);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'meta' })).toEqual([meta]);
    expect(store.messages({ kind: 'recent', limit: 10 })).toEqual([meta, title]);
    expect(store.readRow('notes', 'a')).toMatchObject({ title: title.value, meta: meta.value });
  });

  it('a local write over a kept message moves it to the log first, value exact, so a refusal can fall back to it', () => {
    const store = open();
    const kept: StoredMessage[] = [
      pulledMsg(1, 'a', 'title', 'line\n"quoted" \\ ünï 👍'),
      pulledMsg(2, 'a', 'count', -42),
      pulledMsg(3, 'a', 'done', false),
      pulledMsg(4, 'a', 'meta', { a: [1, 'two', null], b: true }),
      pulledMsg(5, 'a', 'body', null),
    ];
    store.commit(pull(kept));
    const local = kept.map((m, i) => localMsg(10 + i, m.row, m.column, m.column === 'count' ? 7 : m.column === 'done' ? true : `mine ${i}`));
    for (const m of local) store.commit({ insert: [m], writes: [write(m)] });
    for (const m of kept) {
      const history = store.messages({ kind: 'cell', table: 'notes', row: 'a', column: m.column });
      expect(history.find((h) => h.hlc === m.hlc), m.column).toEqual(m);
    }
    expect(count(store, 'SELECT count(*) FROM fieldsync_messages')).toBe(kept.length);
  });

  it('a newer pulled message replacing a kept one moves nothing to the log', () => {
    const store = open();
    store.commit(pull([pulledMsg(1, 'a', 'title', 'old')]));
    store.commit(pull([pulledMsg(2, 'a', 'title', 'new')]));
    expect(count(store, 'SELECT count(*) FROM fieldsync_messages')).toBe(0);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }).map((m) => m.value)).toEqual(['new', 'old']);
  });

  it('keeps only a cell\'s last write of a commit in its row; an earlier one\'s message goes to the log', () => {
    const store = open();
    const first = pulledMsg(1, 'a', 'title', 'first');
    const last = pulledMsg(2, 'a', 'title', 'last');
    store.commit(pull([first, last]));
    expect(store.readRow('notes', 'a')?.title).toBe('last');
    expect(store.db.prepare('SELECT hlc FROM fieldsync_messages').pluck().all()).toEqual([first.hlc]);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }).map((m) => m.value).sort()).toEqual(['first', 'last']);
  });

  it('a row whose cells are partly kept marks each cell as its own: a pulled value that cannot be kept moves the kept one before it to the log', () => {
    const store = open();
    const before = [pulledMsg(1, 'a', 'title', 'kept title'), pulledMsg(2, 'a', 'count', 1)];
    store.commit(pull(before));
    // A lone surrogate does not read back exactly from a TEXT column: this title goes to the
    // log, while the count beside it in the same row stays kept.
    const lone = pulledMsg(3, 'a', 'title', 'lone \ud800');
    const count2 = pulledMsg(4, 'a', 'count', 2);
    store.commit(pull([lone, count2]));
    expect(store.db.prepare('SELECT hlc FROM fieldsync_messages ORDER BY hlc').pluck().all()).toEqual([before[0]?.hlc, lone.hlc]);
    // Enough newer kept messages elsewhere to push all of the above out of the ring.
    store.commit(pull(Array.from({ length: RECENT_PULLED }, (_, i) => pulledMsg(10 + i, `other${i}`, 'title', `t${i}`))));
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }).map((m) => m.value).sort()).toEqual(['kept title', 'lone \ud800']);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'count' })).toEqual([count2]);
  });

  it('in a table wider than the row shapes\' bits, a kept cell past position 30 beside one that cannot be kept keeps its mark, and a local write moves it to the log', () => {
    file = sqliteFile();
    const store = file.open();
    const width = 34;
    store.open(defineSchema({ version: 1, tables: { w: Object.fromEntries(Array.from({ length: width }, (_, c) => [`c${c}`, { type: 'string', nullable: true }])) } }));
    const at = (n: number, column: string, value: string): StoredMessage => ({ ...pulledMsg(n, 'r', column, value), table: 'w' });
    // One row, its marks bound cell by cell: c31 and c2 kept, c32 (a lone surrogate) not.
    const kept = at(1, 'c31', 'kept far');
    const near = at(2, 'c2', 'kept near');
    store.commit(pull([kept, near, at(3, 'c32', 'lone \ud800')]));
    expect(store.db.prepare('SELECT "_pending_c31", "_pending_c2", "_pending_c32" FROM "w"').raw().get()).toEqual([2, 2, null]);
    const mine = { ...localMsg(4, 'r', 'c31', 'mine'), table: 'w' };
    store.commit({ insert: [mine], writes: [write(mine)] });
    expect(store.db.prepare('SELECT value FROM fieldsync_messages WHERE hlc = ?').pluck().get(kept.hlc)).toBe('"kept far"');
  });

  it('a commit that writes some cells of a row leaves the kept messages of the others in the row: none is copied to the log', () => {
    const store = open();
    const kept = [pulledMsg(1, 'a', 'title', 'kept title'), pulledMsg(2, 'a', 'done', true), pulledMsg(3, 'a', 'count', 1)];
    store.commit(pull(kept));
    // A lone surrogate cannot be kept: the title's kept message moves, the others stay.
    const lone = pulledMsg(4, 'a', 'title', 'lone \ud800');
    store.commit(pull([lone]));
    expect(store.db.prepare('SELECT hlc FROM fieldsync_messages ORDER BY hlc').pluck().all()).toEqual([kept[0]?.hlc, lone.hlc]);
    expect(store.db.prepare('SELECT "_pending_done", "_pending_count" FROM "notes" WHERE id = ?').raw().get('a')).toEqual([2, 2]);
  });

  it('a pulled message listed twice in one commit marks its one cell: the cell beside it that cannot be kept is not taken as kept', () => {
    const store = open();
    const before = [pulledMsg(1, 'a', 'title', 'kept title'), pulledMsg(2, 'a', 'count', 1)];
    store.commit(pull(before));
    const lone = pulledMsg(3, 'a', 'title', 'lone \ud800');
    const count2 = pulledMsg(4, 'a', 'count', 2);
    // The same message twice (a page may repeat one): one write per cell, two inserts.
    store.commit({ insert: [lone, count2, count2], writes: [write(lone), write(count2)] });
    expect(store.db.prepare('SELECT hlc FROM fieldsync_messages ORDER BY hlc').pluck().all()).toEqual([before[0]?.hlc, lone.hlc]);
    expect(store.db.prepare('SELECT "_pending_title", "_pending_count" FROM "notes" WHERE id = ?').raw().get('a')).toEqual([null, 2]);
  });

  it('keeps a number column\'s pulled messages in the log, whose JSON keeps every digit', () => {
    const store = open();
    const score = pulledMsg(1, 'a', 'score', 0.1 + 0.2);
    store.commit(pull([score]));
    expect(count(store, 'SELECT count(*) FROM fieldsync_messages')).toBe(1);
    const mine = localMsg(2, 'a', 'score', 1.5);
    store.commit({ insert: [mine], writes: [write(mine)] });
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'score' }).find((m) => m.hlc === score.hlc)?.value).toBe(0.1 + 0.2);
  });

  it('restarts the clock after the newest kept message, and keeps its own keys out of the meta it reports', () => {
    const store = open();
    const newest = pulledMsg(50, 'b', 'title', 'newest');
    store.commit({ ...pull([pulledMsg(1, 'a', 'title', 'x'), newest, pulledMsg(3, 'c', 'title', 'y')]), meta: { cursor: '3' } });
    const again = file.open();
    const state = again.open(conformanceSchema);
    expect(state.maxHlc).toBe(newest.hlc);
    expect(state.meta).toEqual({ cursor: '3' });
    expect(Object.fromEntries(again.winners([newest]))).toEqual({ [cellKey('notes', 'b', 'title')]: newest.hlc });
  });


  it('after a page whose messages are all kept, a local message not newer than the newest of them takes the checked path (the outbox), not its row', () => {
    const store = open();
    // Every message kept in its row, the newest not last: the store's clock must still reach it.
    store.commit(pull([pulledMsg(1, 'a', 'title', 'x'), pulledMsg(50, 'b', 'title', 'newest'), pulledMsg(3, 'c', 'title', 'y')]));
    expect(count(store, 'SELECT count(*) FROM fieldsync_messages')).toBe(0);
    // Older than the kept newest: it might be stored already, so it is not trusted into its row.
    const older = localMsg(20, 'd', 'title', 'mine');
    store.commit({ insert: [older], writes: [write(older)] });
    expect(count(store, 'SELECT count(*) FROM fieldsync_outbox')).toBe(1);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([older]);
    // Newer than everything stored: kept in its row, marked, as every local write is.
    const newer = localMsg(60, 'e', 'title', 'mine too');
    store.commit({ insert: [newer], writes: [write(newer)] });
    expect(count(store, 'SELECT count(*) FROM fieldsync_outbox')).toBe(1);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([older, newer]);
  });
  it('recent: the latest kept messages, bounded, with the local ones, newest first', () => {
    const store = open();
    const pulled = Array.from({ length: RECENT_PULLED + 40 }, (_, i) => pulledMsg(i + 1, `r${i}`, 'title', `v${i}`));
    for (let i = 0; i < pulled.length; i += 100) store.commit(pull(pulled.slice(i, i + 100)));
    const mine = localMsg(100_000, 'r0', 'title', 'mine');
    store.commit({ insert: [mine], writes: [write(mine)] });
    const recent = store.messages({ kind: 'recent', limit: 10_000 });
    expect(recent[0]).toEqual(mine);
    // The ring keeps the latest RECENT_PULLED; r0's message left it, but moved to the log
    // when the local write replaced it.
    expect(recent.slice(1, RECENT_PULLED + 1)).toEqual(pulled.slice(-RECENT_PULLED).reverse());
    expect(recent.at(-1)).toEqual(pulled[0]);
    expect(recent).toHaveLength(RECENT_PULLED + 2);
  });

  /**
   * The file as store versions 3 and 4 left it: a trigger per column that moved a kept
   * message, named `fieldsync_kept` and watching value, hlc and mark (`old`), or, from the
   * same version 4 on, `fieldsync_kept_mark` watching the mark only (`mark`).
   */
  function addOldTriggers(db: ReturnType<SqliteFile['open']>['db'], style: 'old' | 'mark'): void {
    for (const column of ['title', 'count', 'done', 'meta', 'body']) {
      const name = style === 'mark' ? `fieldsync_kept_mark notes.${column}` : `fieldsync_kept notes.${column}`;
      const watched = style === 'mark' ? `"_pending_${column}"` : `"${column}", "_hlc_${column}", "_pending_${column}"`;
      db.exec(`CREATE TRIGGER "${name}" AFTER UPDATE OF ${watched} ON "notes"
        WHEN old."_pending_${column}" = 2 AND new."_pending_${column}" IS NOT 2
        BEGIN INSERT INTO fieldsync_messages (hlc, tbl, row, col, value, local, synced, applied, error)
          VALUES (old."_hlc_${column}", 'notes', old.id, '${column}', 'null', 0, 1, 1, NULL) ON CONFLICT(hlc) DO NOTHING; END`);
    }
    db.pragma(`user_version = ${style === 'mark' ? 4 : 3}`);
  }
  const triggers = (db: ReturnType<SqliteFile['open']>['db']): string[] =>
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all() as string[];

  for (const style of ['old', 'mark'] as const) {
    it(`the kept triggers of store version ${style === 'old' ? 3 : 4} (${style === 'old' ? 'on value, hlc and mark' : 'on the mark'}) are dropped when the file opens; a local write still moves a kept message, exact`, async () => {
      const store = open();
      addOldTriggers(store.db, style);
      expect(triggers(store.db)).toHaveLength(5);
      store.close();
      const again = file.open();
      again.open(conformanceSchema);
      expect(again.db.pragma('user_version', { simple: true })).toBe(STORE_VERSION);
      expect(triggers(again.db)).toEqual([]);
      const kept = pulledMsg(1, 'a', 'title', 'kept "exact"');
      again.commit(pull([kept]));
      const client = await createSyncClient({ schema: conformanceSchema, store: again, autoSync: false });
      await client.set('notes', 'a', 'title', 'mine');
      // In the log, not only in the ring of recent ones (which forgets); its value as pulled, not an old trigger's.
      expect(again.db.prepare('SELECT value FROM fieldsync_messages WHERE hlc = ?').pluck().get(kept.hlc)).toBe('"kept \\"exact\\""');
      await client.close();
    });
  }
});

/**
 * The local writes of the client (`transact`, the one-cell fast path and the general path for
 * several fields) move a kept pulled message before they replace it, and only then: the
 * store's winner cache, which answers without reading marks, only knows cells whose last
 * write was this connection's local write.
 */
describe('local writes over kept pulled messages', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  async function setup() {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema: conformanceSchema, store, autoSync: false });
    const logged = (hlc: string): unknown => store.db.prepare('SELECT value FROM fieldsync_messages WHERE hlc = ?').pluck().get(hlc);
    return { store, client, logged };
  }

  it('one field, its winner read from the row: the kept message moves to the log', async () => {
    const { store, client, logged } = await setup();
    const kept = pulledMsg(1, 'a', 'title', 'pulled');
    store.commit(pull([kept]));
    await client.set('notes', 'a', 'title', 'mine');
    expect(logged(kept.hlc)).toBe('"pulled"');
    expect((await client.history('notes', 'a', 'title')).map((m) => m.value)).toEqual(['mine', 'pulled']);
    await client.close();
  });

  it('several fields of a row (the general path): each kept message moves; a cell beside them that kept none is left alone', async () => {
    const { store, client, logged } = await setup();
    const title = pulledMsg(1, 'a', 'title', 'pulled title');
    const done = pulledMsg(2, 'a', 'done', true);
    store.commit(pull([title, done]));
    await client.update('notes', 'a', { title: 'mine', done: false, count: 3 });
    expect([logged(title.hlc), logged(done.hlc)]).toEqual(['"pulled title"', 'true']);
    expect(store.db.prepare('SELECT count(*) FROM fieldsync_messages').pluck().get()).toBe(2);
    await client.close();
  });

  it('a cell this client wrote, then a pull replaced: the next local write moves the pulled message (the cache forgot the cell)', async () => {
    const { store, client, logged } = await setup();
    await client.set('notes', 'a', 'title', 'first'); // the cache now knows the cell
    await client.set('notes', 'a', 'done', true);
    const later = Date.now() + 60_000; // newer than the client's own writes
    const kept = { ...pulledMsg(0, 'a', 'title', 'pulled'), hlc: formatHlc({ millis: later, counter: 0, clientId: 'otherClient' }) };
    store.commit(pull([kept]));
    expect(store.db.prepare('SELECT "_pending_title" FROM notes WHERE id = ?').pluck().get('a')).toBe(2);
    await client.set('notes', 'a', 'title', 'second');
    expect(logged(kept.hlc)).toBe('"pulled"');
    await client.update('notes', 'a', { done: false, count: 1 }); // cells the pull did not touch: nothing else moves
    expect(store.db.prepare('SELECT count(*) FROM fieldsync_messages').pluck().get()).toBe(1);
    await client.close();
  });

  it('a plan that writes a cell it did not ask for: that cell\'s kept message moves too', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    const other = pulledMsg(2, 'a', 'body', 'pulled body');
    store.commit(pull([other])); // the asked cell, the title beside it, holds nothing
    const mine = [localMsg(10, 'a', 'title', 'mine'), localMsg(11, 'a', 'body', 'mine too')];
    store.transact([{ table: 'notes', row: 'a', column: 'title' }], () => ({ insert: mine, writes: mine.map(write) }));
    expect(store.db.prepare('SELECT value FROM fieldsync_messages WHERE hlc = ?').pluck().get(other.hlc)).toBe('"pulled body"');
  });

  it('a cell this client wrote, then a pull replaced, then other cells written: the cache, emptied by the pull, does not answer for it', async () => {
    const { store, client, logged } = await setup();
    await client.set('notes', 'a', 'title', 'first'); // the cache now knows the cell
    const later = Date.now() + 60_000;
    const kept = { ...pulledMsg(0, 'a', 'title', 'pulled'), hlc: formatHlc({ millis: later, counter: 0, clientId: 'otherClient' }) };
    store.commit(pull([kept]));
    await client.set('notes', 'b', 'done', true); // the cache learns again, other cells
    await client.set('notes', 'a', 'title', 'second');
    expect(logged(kept.hlc)).toBe('"pulled"');
    expect(store.readRow('notes', 'a')?.title).toBe('second');
    await client.close();
  });

  it('a write of several fields, of which the cache knows some: the others\' kept messages move', async () => {
    const { store, client, logged } = await setup();
    const done = pulledMsg(1, 'a', 'done', true);
    store.commit(pull([done]));
    await client.set('notes', 'a', 'title', 'mine'); // the cache knows the title, not the done beside it
    await client.update('notes', 'a', { title: 'mine again', done: false });
    expect(logged(done.hlc)).toBe('true');
    await client.close();
  });

  it('a transact over cells of several rows moves each row\'s kept message', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    const kept = ['a', 'b', 'c'].map((row, i) => pulledMsg(1 + i, row, 'title', `pulled ${row}`));
    store.commit(pull(kept));
    const mine = ['a', 'b', 'c'].map((row, i) => localMsg(10 + i, row, 'title', `mine ${row}`));
    store.transact(mine.map(({ table, row, column }) => ({ table, row, column })), () => ({ insert: mine, writes: mine.map(write) }));
    expect(store.db.prepare('SELECT value FROM fieldsync_messages WHERE local = 0 ORDER BY hlc').pluck().all()).toEqual(['"pulled a"', '"pulled b"', '"pulled c"']);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'b', column: 'title' }).map((m) => m.value).sort()).toEqual(['mine b', 'pulled b']);
  });

  it('a pulled message committed through transact (not a local write) is not taken as one: a local write over it moves it', async () => {
    const { store, client, logged } = await setup();
    const later = Date.now() + 60_000;
    const kept = { ...pulledMsg(0, 'a', 'title', 'pulled'), hlc: formatHlc({ millis: later, counter: 0, clientId: 'otherClient' }) };
    store.transact([{ table: 'notes', row: 'a', column: 'title' }], () => pull([kept]));
    expect(store.db.prepare('SELECT "_pending_title" FROM notes WHERE id = ?').pluck().get('a')).toBe(2);
    await client.set('notes', 'a', 'title', 'mine');
    expect(logged(kept.hlc)).toBe('"pulled"');
    await client.close();
  });

  it('end to end: a local write over another device\'s kept value, which the ring has forgotten, that the server refuses falls back to that value, after a restart too', async () => {
    const server = createInProcessServer();
    const remote = refusingRemote(server.remote(), 'refused');
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema: conformanceSchema, store, remote, autoSync: false });
    await client.set('notes', 'a', 'title', 'mine, first'); // this client's winner memory now knows the cell
    await client.sync();
    const other = await createSyncClient({ schema: conformanceSchema, store: createMemoryStore(), remote: server.remote(), autoSync: false });
    await other.sync();
    await other.set('notes', 'a', 'title', 'from the other device');
    // Enough later ones that the ring of recent kept messages forgets it: only the log can keep it.
    for (let i = 0; i < RECENT_PULLED; i++) await other.set('notes', `r${i}`, 'title', `t${i}`);
    await other.sync();
    await client.sync(); // pulls the other device's title, kept in the row (mark 2)
    expect(store.db.prepare('SELECT "_pending_title" FROM notes WHERE id = ?').pluck().get('a')).toBe(2);
    await client.set('notes', 'a', 'title', 'refused');
    await client.sync();
    expect((await client.rejected()).map((m) => m.value)).toEqual(['refused']);
    expect(store.readRow('notes', 'a')?.title).toBe('from the other device');
    await client.close();
    const again = file.open();
    const restarted = await createSyncClient({ schema: conformanceSchema, store: again, remote, autoSync: false });
    expect(again.readRow('notes', 'a')?.title).toBe('from the other device');
    expect((await restarted.history('notes', 'a', 'title')).map((m) => m.value)).toContain('from the other device');
    await restarted.close();
    await other.close();
  });

  it('a number column keeps no pulled message in its row, so a local write over it moves nothing', async () => {
    const { store, client } = await setup();
    const rank = { ...pulledMsg(1, 'a', 'title', null), column: 'score', value: 0.1 + 0.2 };
    store.commit(pull([rank]));
    await client.set('notes', 'a', 'score', 2.5);
    expect(store.db.prepare('SELECT value FROM fieldsync_messages WHERE hlc = ?').pluck().get(rank.hlc)).toBe('0.30000000000000004');
    expect(store.db.prepare('SELECT count(*) FROM fieldsync_messages').pluck().get()).toBe(1);
    await client.close();
  });
});
