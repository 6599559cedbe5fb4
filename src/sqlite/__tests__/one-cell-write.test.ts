/**
 * The fast path of a local write of one field (one-cell-write.ts): the commit written with
 * one UPDATE prepared for its column, the earlier pending message of the cell moved to the
 * outbox in SQL. What it must keep: every message exact, in order, and the row written even
 * when the hint that it exists is wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncClient, defineSchema, type JsonValue, type StoredMessage } from '../../sync/index.ts';
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
    const client = await createSyncClient({ schema, store, autoSync: false });
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
});
