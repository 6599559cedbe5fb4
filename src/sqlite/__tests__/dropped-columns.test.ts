/**
 * Unpushed local writes of a column or table that a later schema version no longer declares
 * (stranded-marks.ts): they stay pending, as in the memory store, and reach the server once,
 * with their exact values, for the devices that still know the column. Against the real
 * server, over HTTP on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type Message, type Remote, type Schema, type SyncClient, type SyncStore } from '../../sync/index.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const server = useRealServer();
const tables = {
  todos: { title: 'string', done: 'boolean', rank: { type: 'number', nullable: true }, meta: { type: 'json', nullable: true } },
  lists: { name: 'string' },
} as const;
const v1 = defineSchema({ version: 1, tables });
const v2 = defineSchema({ version: 2, tables: { todos: { title: 'string' } } }); // done, rank, meta and lists dropped
const v3 = defineSchema({ version: 3, tables });

let file: SqliteFile;
const open: SyncClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  file?.dispose();
});

/** The HTTP remote, recording the messages of every push the server answered. */
async function recorded(user: string, pushed: Message[]): Promise<Remote> {
  const http = createHttpRemote({ url: server.url, token: await server.token(user) });
  return { sync: (request, options) => http.sync(request, options).then((r) => (pushed.push(...(request.messages ?? [])), r)) };
}

async function client(schema: Schema, store: SyncStore, remote?: Remote): Promise<SyncClient> {
  const c = await createSyncClient({ schema, store, autoSync: false, ...(remote ? { remote } : {}) });
  open.push(c);
  return c;
}

/**
 * Offline under v1: every column type, rewrites (the first message of each is kept in its
 * row's list, unpushed-in-row.ts) of a kept and of a dropped column, and rows, a rewrite and
 * a delete in the table v2 drops.
 */
async function writeOffline(c: SyncClient): Promise<Message[]> {
  return [
    await c.set('todos', 't1', 'title', 'first'),
    ...(await c.update('todos', 't1', { title: 'hello', done: true, rank: 2.5, meta: { tags: ['a'], n: 1 } })),
    await c.set('todos', 't2', 'done', true),
    await c.set('todos', 't2', 'done', false),
    await c.set('lists', 'l1', 'name', 'shopping'),
    await c.set('lists', 'l1', 'name', 'groceries'),
    await c.set('lists', 'l2', 'name', 'old'),
    await c.delete('lists', 'l2'),
  ];
}

describe('a later schema version drops a column and a table holding unpushed writes', () => {
  it('they stay pending as in the memory store, reach the server once with exact values, and are not pushed again', async () => {
    file = sqliteFile();
    const memory = createMemoryStore();
    await writeOffline(await client(v1, memory));
    const expected = (await client(v2, memory)).status.pending;

    const written = await writeOffline(await client(v1, file.open()));
    const pushed: Message[] = [];
    const upgraded = await client(v2, file.open(), await recorded('dropped-a', pushed));
    expect(upgraded.status.pending).toBe(written.length);
    expect(upgraded.status.pending).toBe(expected);
    await upgraded.sync();
    expect(upgraded.status.pending).toBe(0);
    expect(pushed.map((m) => [m.hlc, m.value]).sort()).toEqual(written.map((m) => [m.hlc, m.value]).sort());

    // A device still on v1 sees every value as it was written (a boolean, not 1).
    const observer = createMemoryStore();
    await (await client(v1, observer, await recorded('dropped-a', []))).sync();
    expect(observer.get('todos', 't1')).toEqual({ title: 'hello', done: true, rank: 2.5, meta: { tags: ['a'], n: 1 } });
    expect(observer.get('todos', 't2')).toEqual({ done: false });
    expect(observer.get('lists', 'l1')).toEqual({ name: 'groceries' });
    expect(observer.rows('lists').has('l2')).toBe(false); // deleted

    // Declared again: the file's values are there, and nothing is pending or pushed twice.
    const store = file.open();
    const again = await client(v3, store, await recorded('dropped-a', pushed));
    expect(again.status.pending).toBe(0);
    await again.sync();
    expect(pushed).toHaveLength(written.length);
    expect(store.readRow('todos', 't1')).toMatchObject({ done: true, rank: 2.5, meta: { tags: ['a'], n: 1 } });
  });

  it('in a file written before the store kept column types, a stranded text write, a delete and a number in a REAL column are pushed as they were', async () => {
    file = sqliteFile();
    const old = file.open();
    const c = await client(v1, old);
    // A REAL column is taken as a number (its native type's usual one): 2.5 is pushed, not '2.5'.
    const written = [await c.set('lists', 'l1', 'name', 'groceries'), await c.delete('lists', 'l1'), await c.set('todos', 't1', 'rank', 2.5)];
    await c.close();
    old.db.exec('DROP TABLE fieldsync_columns; PRAGMA user_version = 5'); // as store version 5 left it
    const pushed: Message[] = [];
    const upgraded = await client(v2, file.open(), await recorded('dropped-b', pushed));
    expect(upgraded.status.pending).toBe(3);
    await upgraded.sync();
    expect(pushed.map((m) => [m.column, m.value])).toEqual(written.map((m) => [m.column, m.value]));
  });

  it('two connections on the later version: the dropped columns\' types, which no schema declares now, are no change of type', async () => {
    file = sqliteFile();
    await (await client(v1, file.open())).set('todos', 't1', 'done', true);
    const a = await client(v2, file.open());
    const store = file.open();
    const b = await client(v2, store);
    await a.set('todos', 't2', 'title', 'from a');
    await b.set('todos', 't3', 'title', 'from b'); // b reads the marks again: a committed
    expect([store.readRow('todos', 't2')?.title, store.readRow('todos', 't3')?.title]).toEqual(['from a', 'from b']);
  });
});
