/**
 * A column whose type a later schema version changes (retype-column.ts): values written
 * before and after keep exactly what was written, in the rows, in the messages pushed and on
 * other devices; the SQL column gets the new type's affinity; the app's indexes stay; a view
 * that stops the change is refused with a typed error; a file from before the store kept
 * column types opens as it was. Against the real server, over HTTP on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaError, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type ColumnType, type Schema, type SyncClient, type SyncStore } from '../../sync/index.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const server = useRealServer();
const items = (version: number, code: ColumnType): Schema => defineSchema({ version, tables: { items: { code, label: { type: 'string', nullable: true } } } });

let file: SqliteFile;
const open: SyncClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  file?.dispose();
});

async function client(schema: Schema, store: SyncStore, user?: string): Promise<SyncClient> {
  const remote = user === undefined ? undefined : createHttpRemote({ url: server.url, token: await server.token(user) });
  const c = await createSyncClient({ schema, store, autoSync: false, ...(remote ? { remote } : {}) });
  open.push(c);
  return c;
}

const sqlOf = (s: ReturnType<SqliteFile['open']>): unknown[] => s.db.prepare('SELECT id, code, typeof(code) FROM items ORDER BY id').raw().all();

describe('a column retyped between schema versions', () => {
  it('integer, then string: old and new values stay exact in the rows, the pushes and on other devices', async () => {
    file = sqliteFile();
    const v1 = await client(items(1, 'integer'), file.open(), 'retype-a');
    await v1.set('items', 'synced', 'code', 2);
    await v1.sync();
    await v1.set('items', 'a', 'code', 1); // pending across the upgrade
    await v1.close();

    const store = file.open();
    const v2 = await client(items(2, 'string'), store, 'retype-a');
    expect((await v2.set('items', 'b', 'code', '007')).value).toBe('007');
    await v2.set('items', 'c', 'code', '12345678901234567890');
    expect(store.rows('items')).toEqual(new Map([
      ['a', { code: 1, label: null, _deleted: null }], ['b', { code: '007', label: null, _deleted: null }],
      ['c', { code: '12345678901234567890', label: null, _deleted: null }], ['synced', { code: 2, label: null, _deleted: null }],
    ]));
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => [m.row, m.value])).toEqual([['a', 1], ['b', '007'], ['c', '12345678901234567890']]);
    // New values are native text; the earlier type's are BLOBs of their JSON text (no affinity converts one).
    expect(sqlOf(store)).toEqual([['a', Buffer.from('1'), 'blob'], ['b', '007', 'text'], ['c', '12345678901234567890', 'text'], ['synced', Buffer.from('2'), 'blob']]);
    await v2.sync();

    const older = createMemoryStore();
    await (await client(items(1, 'integer'), older, 'retype-a')).sync();
    expect(older.get('items', 'a')).toEqual({ code: 1 }); // pushed as the integer it was
    const newer = createMemoryStore();
    await (await client(items(2, 'string'), newer, 'retype-a')).sync();
    expect([newer.get('items', 'b'), newer.get('items', 'c')]).toEqual([{ code: '007' }, { code: '12345678901234567890' }]);
  });

  /** A file whose items.x.code was written (3, pending) under v1, where code is an integer; opened again under v1. */
  async function writtenAsInteger() {
    file = sqliteFile();
    const c = await client(items(1, 'integer'), file.open());
    await c.set('items', 'x', 'code', 3);
    await c.close();
    const store = file.open();
    store.open(items(1, 'integer'));
    return store;
  }

  it('values of the new type are stored natively, with its affinity; the app\'s index on the column stays', async () => {
    const first = await writtenAsInteger();
    first.db.exec('CREATE INDEX app_code ON items (code)');
    const store = file.open();
    store.open(items(2, 'number'));
    expect(sqlOf(store)).toEqual([['x', 3, 'real']]);
    expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'app_code'").pluck().get()).toBe(1);
    expect(store.db.prepare('SELECT id FROM items INDEXED BY app_code WHERE code = 3').pluck().all()).toEqual(['x']);
  });

  it('a view of the app that names the column stops it with a SchemaError, and the file is as it was', async () => {
    const first = await writtenAsInteger();
    first.db.exec('CREATE VIEW app_codes AS SELECT id, code FROM items');
    const before = sqlOf(first);
    expect(() => file.open().open(items(2, 'string'))).toThrow(SchemaError);
    const again = file.open();
    expect(again.open(items(1, 'integer')).pendingCount).toBe(1);
    expect(sqlOf(again)).toEqual(before);
    expect(again.messages({ kind: 'pending', limit: 10 }).map((m) => m.value)).toEqual([3]);
  });

  it('a connection still on the earlier type, once another has retyped the column, refuses to write with a SchemaError', async () => {
    file = sqliteFile();
    const older = await client(items(1, 'integer'), file.open());
    await older.set('items', 'x', 'code', 1);
    const store = file.open();
    await client(items(2, 'string'), store); // an app update while the older process still runs
    await expect(older.set('items', 'y', 'code', 7)).rejects.toBeInstanceOf(SchemaError);
    expect(store.readRow('items', 'y')).toBeUndefined();
    expect(store.readRow('items', 'x')?.code).toBe(1);
  });

  it('a retype that keeps the native type (string, then json) leaves the column in place: an app\'s view that names it stops nothing', async () => {
    file = sqliteFile();
    const first = file.open();
    await (await client(items(1, 'string'), first)).set('items', 'x', 'code', 'abc');
    first.db.exec('CREATE VIEW app_codes AS SELECT id, code FROM items');
    const store = file.open();
    await client(items(2, 'json'), store);
    expect(store.readRow('items', 'x')?.code).toBe('abc');
    expect(store.db.prepare('SELECT id FROM app_codes').pluck().all()).toEqual(['x']);
  });

  it('in a file written before the store kept column types, a column now declared with another native type is taken as its own type\'s, and retyped', async () => {
    file = sqliteFile();
    const store = file.open();
    await (await client(items(1, 'integer'), store)).set('items', 'x', 'code', 7);
    store.db.exec('DROP TABLE fieldsync_columns; PRAGMA user_version = 5'); // as store version 5 left it
    const again = file.open();
    await (await client(items(2, 'string'), again)).set('items', 'y', 'code', '007');
    expect([again.readRow('items', 'x')?.code, again.readRow('items', 'y')?.code]).toEqual([7, '007']);
  });

  it('a file written before the store kept column types opens with its schema as it was', async () => {
    file = sqliteFile();
    const schema = defineSchema({ version: 1, tables: { t: { s: 'string', i: 'integer', n: 'number', b: 'boolean', j: { type: 'json', nullable: true } } } });
    const store = file.open();
    const c = await client(schema, store);
    await c.update('t', 'r', { s: '007', i: 7, n: 2.5, b: true, j: { a: ['007'] } });
    await c.close();
    const raw = store.db.prepare('SELECT * FROM t').all();
    store.db.exec('DROP TABLE fieldsync_columns; PRAGMA user_version = 5'); // as store version 5 left it
    const again = file.open();
    await client(schema, again);
    expect(again.db.prepare('SELECT * FROM t').all()).toEqual(raw);
    expect(again.readRow('t', 'r')).toEqual({ s: '007', i: 7, n: 2.5, b: true, j: { a: ['007'] }, _deleted: null });
    expect(again.db.prepare("SELECT col, type FROM fieldsync_columns WHERE tbl = 't' ORDER BY col").raw().all()).toEqual([
      ['_deleted', 'boolean'], ['b', 'boolean'], ['i', 'integer'], ['j', 'json'], ['n', 'number'], ['s', 'string'],
    ]);
  });
});
