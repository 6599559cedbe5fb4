import { afterEach, describe, expect, it } from 'vitest';
import { SchemaError, createSyncClient, defineSchema } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { STORE_VERSION } from '../migrations.ts';
import type { Db } from '../open-database.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const v1 = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
const v2 = defineSchema({
  version: 2,
  tables: { todos: { title: 'string', done: 'boolean', order: { type: 'string', nullable: true } }, lists: { name: 'string' } },
});

let file: SqliteFile;
afterEach(() => file?.dispose());

const columnsOf = (db: Db, table: string): string[] => (db.pragma(`table_info("${table}")`) as { name: string }[]).map((c) => c.name);

describe('migrations', () => {
  it('versions the store tables with user_version and creates the data tables', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(v1);
    expect(store.db.pragma('user_version', { simple: true })).toBe(STORE_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(columnsOf(store.db, 'todos')).toEqual(['id', 'title', '_hlc_title', '_pending_title', 'done', '_hlc_done', '_pending_done', '_deleted', '_hlc__deleted', '_pending__deleted', '_unpushed']);
    expect(columnsOf(store.db, 'fieldsync_messages')).toContain('hlc');
  });

  it('a later schema version adds the new column and table; the data is intact', () => {
    file = sqliteFile();
    const a = file.open();
    a.open(v1);
    a.commit({ writes: [{ table: 'todos', row: 't1', column: 'title', value: 'Milk', hlc: '2026-01-01T00:00:00.000Z-0000-me' }, { table: 'todos', row: 't1', column: 'done', value: true, hlc: '2026-01-01T00:00:00.000Z-0000-me' }], meta: { cursor: '7' } });
    a.close();

    const b = file.open();
    const state = b.open(v2);
    expect(state.meta.cursor).toBe('7');
    expect(columnsOf(b.db, 'todos')).toEqual([
      'id', 'title', '_hlc_title', '_pending_title', 'done', '_hlc_done', '_pending_done', '_deleted', '_hlc__deleted', '_pending__deleted', '_unpushed', 'order', '_hlc_order', '_pending_order',
    ]);
    expect(b.readRow('todos', 't1')).toEqual({ title: 'Milk', done: true, order: null, _deleted: null });
    b.commit({ writes: [{ table: 'todos', row: 't1', column: 'order', value: 'a0', hlc: '2026-01-01T00:00:00.000Z-0000-me' }, { table: 'lists', row: 'l1', column: 'name', value: 'Home', hlc: '2026-01-01T00:00:00.000Z-0000-me' }] });
    expect(b.readRow('todos', 't1')?.order).toBe('a0');
    expect(b.readRow('lists', 'l1')?.name).toBe('Home');

    // Opening with the older schema again keeps the newer column and its data.
    b.close();
    const c = file.open();
    c.open(v1);
    expect(columnsOf(c.db, 'todos')).toContain('order');
    expect(c.readRow('todos', 't1')).toEqual({ title: 'Milk', done: true, _deleted: null });
  });

  it('messages kept under v1 are applied once v2 declares their column', async () => {
    file = sqliteFile();
    const a = file.open();
    const clientA = await createSyncClient({ schema: v1, store: a, autoSync: false });
    await clientA.update('todos', 't1', { title: 'Milk' });
    // A message from a newer app version, for a column v1 does not know: kept, not applied.
    const hlc = formatHlc({ millis: Date.now(), counter: 0, clientId: 'otherClient' });
    a.commit({ insert: [{ hlc, table: 'todos', row: 't1', column: 'order', value: 'a5', local: false, synced: true, applied: false, error: 'unknown column todos.order' }] });
    await clientA.close();
    a.close();

    const b = file.open();
    const clientB = await createSyncClient({ schema: v2, store: b, autoSync: false });
    expect(b.readRow('todos', 't1')).toMatchObject({ title: 'Milk', order: 'a5' });
    expect(b.messages({ kind: 'unapplied' })).toEqual([]);
    await clientB.close();
  });

  it('refuses a database written by a newer store version, and changes nothing', () => {
    file = sqliteFile();
    const a = file.open();
    a.open(v1);
    a.db.pragma(`user_version = ${STORE_VERSION + 1}`);
    expect(() => file.open().open(v1)).toThrow(/newer version/);
    expect(a.db.pragma('user_version', { simple: true })).toBe(STORE_VERSION + 1);
  });

  it('refuses table names reserved by SQLite or the store', () => {
    file = sqliteFile();
    const store = file.open();
    for (const name of ['sqlite_stat1', 'SQLITE_x', 'fieldsync_messages', 'Fieldsync_Meta']) {
      expect(() => store.open(defineSchema({ version: 1, tables: { [name]: { x: 'string' } } }))).toThrow(SchemaError);
    }
    expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
  });

  it('stores native SQLite types in the data tables', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(defineSchema({ version: 1, tables: { t: { s: 'string', i: 'integer', n: 'number', b: 'boolean', j: { type: 'json', nullable: true } } } }));
    store.commit({
      writes: [
        { table: 't', row: 'r', column: 's', value: 'text', hlc: '2026-01-01T00:00:00.000Z-0000-me' },
        { table: 't', row: 'r', column: 'i', value: 42, hlc: '2026-01-01T00:00:00.000Z-0000-me' },
        { table: 't', row: 'r', column: 'n', value: 2.5, hlc: '2026-01-01T00:00:00.000Z-0000-me' },
        { table: 't', row: 'r', column: 'b', value: false, hlc: '2026-01-01T00:00:00.000Z-0000-me' },
        { table: 't', row: 'r', column: 'j', value: { a: [1, null] }, hlc: '2026-01-01T00:00:00.000Z-0000-me' },
      ],
    });
    const types = store.db.prepare('SELECT typeof(s), typeof(i), typeof(n), typeof(b), b, typeof(j), j FROM t').raw().get();
    expect(types).toEqual(['text', 'integer', 'real', 'integer', 0, 'text', '{"a":[1,null]}']);
    expect(store.readRow('t', 'r')).toEqual({ s: 'text', i: 42, n: 2.5, b: false, j: { a: [1, null] }, _deleted: null });
  });
});
