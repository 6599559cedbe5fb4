/**
 * The fast path of a local write of one field (one-cell-write.ts): the commit written with
 * one UPDATE prepared for its column, the earlier pending message of the cell moved to the
 * outbox in SQL. What it must keep: every message exact, in order, and the row written even
 * when the hint that it exists is wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncClient, defineSchema, type JsonValue, type StoredMessage, type SyncClient } from '../../sync/index.ts';
import { formatHlc, hlcMillis } from '../../sync/hlc.ts';
import type { Db } from '../open-database.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({
  version: 1,
  tables: {
    todos: {
      title: { type: 'string', nullable: true },
      count: { type: 'integer', nullable: true },
      done: { type: 'boolean', nullable: true },
      rank: { type: 'number', nullable: true },
      meta: { type: 'json', nullable: true },
    },
  },
});

let file: SqliteFile;
afterEach(() => file?.dispose());

const count = (db: Db, sql: string): number => db.prepare(sql).pluck().get() as number;

/** Values of each column type that a JSON text built in SQL has to give back exactly. */
const values: Record<string, JsonValue[]> = {
  title: ['plain', '', 'quote " and backslash \\', 'line\nbreak\ttab\u0001\u001f', 'Ünïcode 👍 \u2028\u2029', '{"looks":"like json"}', 'null', null],
  count: [0, -1, 42, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null],
  done: [true, false, null, true],
  rank: [0.1 + 0.2, -1e300, 5e-324, 0, null], // no exact JSON text in SQL: moved through JavaScript
  meta: [{ a: [1, 'two', null, { b: true }] }, [], 'a string', 12.5, false, null, { '"k"': '\\' }],
};

describe('a local write of one field', () => {
  it('offline rewrites of every column type keep each earlier message, exact and in order, in the outbox', async () => {
    file = sqliteFile();
    const store = file.open();
    const client: SyncClient = await createSyncClient({ schema, store, autoSync: false });
    const written: [string, string, JsonValue][] = [];
    for (const [column, list] of Object.entries(values)) {
      for (const value of list) written.push([(await client.set('todos', 't1', column, value)).hlc, column, value]);
    }
    const pending = store.messages({ kind: 'pending', limit: 1000 });
    expect(pending.map((m) => [m.hlc, m.column, m.value])).toEqual(written);
    // The last write of each column stays in its row; every earlier one is in the outbox.
    expect(count(store.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(written.length - Object.keys(values).length);
    expect(client.status.pending).toBe(written.length);
    await client.close();
  });

  it('the same, with another row written in between and a restart: nothing lost, nothing twice', async () => {
    file = sqliteFile();
    const first = file.open();
    const client = await createSyncClient({ schema, store: first, autoSync: false });
    const written: string[] = [];
    for (let i = 0; i < 20; i++) written.push((await client.set('todos', `t${i % 3}`, 'title', `v${i}`)).hlc);
    await client.close();
    first.close();
    const again = await createSyncClient({ schema, store: file.open(), autoSync: false });
    for (let i = 20; i < 30; i++) written.push((await again.set('todos', `t${i % 3}`, 'title', `v${i}`)).hlc);
    expect(again.status.pending).toBe(30);
    await again.close();
    const store = file.open();
    store.open(schema);
    expect(store.messages({ kind: 'pending', limit: 100 }).map((m) => m.hlc)).toEqual(written);
  });

  it('a pull that replaces cells it wrote still moves their pending messages to the outbox first; history shows them', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const mine = [await client.set('todos', 't1', 'title', 'mine'), await client.set('todos', 't2', 'title', 'also mine')];
    expect((await client.history('todos', 't2', 'title')).map((m) => [m.value, m.won])).toEqual([['also mine', true]]);
    const hlc = formatHlc({ millis: hlcMillis(mine[1]?.hlc as string) + 1000, counter: 0, clientId: 'other' });
    const theirs: StoredMessage = { hlc, table: 'todos', row: 't1', column: 'title', value: 'theirs', local: false, synced: true, applied: true, error: null };
    store.commit({ insert: [theirs], writes: [{ table: 'todos', row: 't1', column: 'title', value: 'theirs', hlc }] });
    expect(store.readRow('todos', 't1')?.title).toBe('theirs');
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => m.value)).toEqual(['mine', 'also mine']);
    expect((await client.history('todos', 't1', 'title')).map((m) => [m.value, m.won])).toEqual([['theirs', true], ['mine', false]]);
    expect((await client.history('todos', 't2', 'title')).map((m) => [m.value, m.won])).toEqual([['also mine', true]]);
    await client.close();
  });

  it('strings with a NUL, rewritten offline across a restart, stay exact', async () => {
    // A NUL would split a row's list of unpushed messages (unpushed-in-row.ts): such values
    // take the general path. (A lone surrogate, which UTF-8 has no text for, never gets here:
    // the client refuses it.)
    file = sqliteFile();
    const first = file.open();
    const client = await createSyncClient({ schema, store: first, autoSync: false });
    const odd = ['a\u0000b', 'plain', '\u0000', 'x\u0000y'];
    const written: [string, JsonValue][] = [];
    for (const value of odd) written.push([(await client.set('todos', 't1', 'title', value)).hlc, value]);
    expect(first.readRow('todos', 't1')?.title).toBe('x\u0000y');
    await client.close();
    first.close();
    const store = file.open();
    const again = await createSyncClient({ schema, store, autoSync: false });
    written.push([(await again.set('todos', 't1', 'title', 'last')).hlc, 'last']);
    expect(store.messages({ kind: 'pending', limit: 100 }).map((m) => [m.hlc, m.value])).toEqual(written);
    await again.close();
  });

  it('writes the row even when the row its cell was written in has gone (the app deleted it through db)', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const first = await client.set('todos', 't1', 'title', 'one');
    store.commit({ update: [{ hlc: first.hlc, synced: true }] }); // as a push would: no mark left
    store.db.prepare('DELETE FROM todos').run(); // against the SqliteStore docs, but it must not lose a write
    await client.set('todos', 't1', 'title', 'two');
    expect(store.readRow('todos', 't1')?.title).toBe('two');
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => m.value)).toEqual(['two']);
    await client.close();
  });

  it('the same with the earlier write still pending: it reaches the outbox from memory, not lost with its row', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    await client.set('todos', 't1', 'title', 'one');
    store.db.prepare('DELETE FROM todos').run();
    await client.set('todos', 't1', 'title', 'two');
    expect(store.readRow('todos', 't1')?.title).toBe('two');
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => m.value)).toEqual(['one', 'two']);
    await client.close();
  });
});

/**
 * `transact` with a commit the fast path does not recognise: it must decline, and the
 * general applier then writes exactly what `commit()` would. The library's local writes are
 * always the fast path's shape; a store's `transact` is public, and the contract is the same.
 */
describe('a transact the fast path declines', () => {
  const cell = { table: 'todos', row: 't1', column: 'title' };
  const at = (ms: number, clientId = 'me'): string => formatHlc({ millis: Date.parse('2026-01-01T00:00:00Z') + ms, counter: 0, clientId });
  const local = (ms: number, value: JsonValue, o: Partial<StoredMessage> = {}): StoredMessage => ({
    hlc: at(ms), table: 'todos', row: 't1', column: 'title', value, local: true, synced: false, applied: true, error: null, ...o,
  });
  const writeOf = (m: StoredMessage) => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });
  type Shape = {
    insert?: StoredMessage[]; writes?: ReturnType<typeof writeOf>[]; meta?: Record<string, string>; update?: { hlc: string; synced: boolean }[]; remove?: string[];
    /** The cell transact is asked about, when not t1's title. */
    asked?: { table: string; row: string; column: string };
  };
  const m = local(20, 'new');
  const shapes: [string, Shape][] = [
    ['a write of another value than its message\'s', { insert: [m], writes: [{ ...writeOf(m), value: 'other' }] }],
    ['a write of another hlc than its message\'s', { insert: [m], writes: [{ ...writeOf(m), hlc: at(30) }] }],
    ['a write of another row than its message\'s', { insert: [m], writes: [{ ...writeOf(m), row: 't2' }] }],
    ['a message of another column than its write\'s', { insert: [local(20, 'new', { column: 'meta' })], writes: [writeOf(m)] }],
    ['a write of another column than its message\'s', { insert: [m], writes: [{ ...writeOf(m), column: 'meta' }] }],
    ['a message of another table than its write\'s', { insert: [local(20, 'new', { table: 'lists' })], writes: [writeOf(m)] }],
    ['a write of another table than its message\'s', { insert: [m], writes: [{ ...writeOf(m), table: 'lists' }] }],
    ['a message with an error', { insert: [local(20, 'new', { error: 'refused' })], writes: [writeOf(m)] }],
    ['a message synced already', { insert: [local(20, 'new', { synced: true })], writes: [writeOf(m)] }],
    ['a message of another client', { insert: [local(20, 'new', { local: false, synced: true })], writes: [writeOf(m)] }],
    ['a message not applied', { insert: [local(20, 'new', { applied: false })], writes: [writeOf(m)] }],
    ['a message and write of another cell than asked', { insert: [local(20, 'new', { row: 't2' })], writes: [writeOf(local(20, 'new', { row: 't2' }))] }],
    ['a message and write of the cell, asked about another row', { insert: [m], writes: [writeOf(m)], asked: { ...cell, row: 't2' } }],
    ['a message and write of the cell, asked about another column', { insert: [m], writes: [writeOf(m)], asked: { ...cell, column: 'meta' } }],
    ['a message and write of the cell, asked about another table', { insert: [m], writes: [writeOf(m)], asked: { ...cell, table: 'lists' } }],
    ['two writes', { insert: [m], writes: [writeOf(m), writeOf(local(20, 'new', { row: 't2' }))] }],
    ['two messages', { insert: [m, local(21, 'second', { row: 't2' })], writes: [writeOf(m)] }],
    ['a write with meta', { insert: [m], writes: [writeOf(m)], meta: { k: 'v' } }],
    ['a write with an update', { insert: [m], writes: [writeOf(m)], update: [{ hlc: at(10), synced: true }] }],
    ['a write with a remove', { insert: [m], writes: [writeOf(m)], remove: [at(10)] }],
    ['a write with no message', { writes: [writeOf(m)] }],
  ];
  const twoTables = defineSchema({
    version: 1,
    tables: { todos: { title: { type: 'string', nullable: true }, meta: { type: 'json', nullable: true } }, lists: { title: 'string' } },
  });

  it.each(shapes)('%s', (_, shape) => {
    const files = [sqliteFile(), sqliteFile()];
    const seen = files.map((f, k) => {
      const store = f.open();
      store.open(twoTables);
      // The same start for both: t1's title written by a local write (its message in the row).
      const first = local(10, 'first');
      store.transact?.([cell], () => ({ insert: [first], writes: [writeOf(first)] }));
      const { asked, ...commit } = shape;
      if (k === 0) store.transact?.([asked ?? cell], () => commit);
      else store.commit(commit);
      return {
        rows: ['t1', 't2'].map((r) => store.readRow('todos', r) ?? null),
        pending: store.messages({ kind: 'pending', limit: 100 }),
        rejected: store.messages({ kind: 'rejected' }),
        unapplied: store.messages({ kind: 'unapplied' }),
        recent: store.messages({ kind: 'recent', limit: 100 }),
        cell: store.messages({ kind: 'cell', ...cell }),
        winners: [...store.winners([cell, { ...cell, row: 't2' }, { ...cell, column: 'meta' }, { ...cell, table: 'lists' }])],
        meta: store.open(twoTables).meta,
      };
    });
    for (const f of files) f.dispose();
    expect(seen[0]).toEqual(seen[1]);
  });
});
