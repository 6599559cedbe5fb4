/**
 * Earlier unpushed messages kept in their rows (unpushed-in-row.ts): an offline rewrite of a
 * cell appends the message it replaces to the row's hidden `_unpushed` list, and the lists
 * are copied to the outbox in bulk. What it must keep: every local change reaches the server
 * exactly once, in hlc order, with its exact value, across bounds, restarts, a second
 * connection on the file and a store of version 3.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncClient, defineSchema, type JsonValue, type Remote, type SyncClient } from '../../sync/index.ts';
import { createInProcessServer } from '../../sync/testing/index.ts';
import { STORE_VERSION } from '../migrations.ts';
import type { Db } from '../open-database.ts';
import { UNPUSHED_CHARS, UNPUSHED_MAX } from '../unpushed-in-row.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({
  version: 1,
  tables: {
    todos: {
      title: { type: 'string', nullable: true },
      meta: { type: 'json', nullable: true },
      count: { type: 'integer', nullable: true },
      done: { type: 'boolean', nullable: true },
    },
  },
});

/** Values of each column type a list must give back exactly once read from its row. */
const values: Record<string, JsonValue[]> = {
  title: ['plain', '', 'quote " and backslash \\', 'line\nbreak\ttab\u0001\u001f', 'Ünïcode 👍 \u2028\u2029', '{"looks":"like json"}', 'null', '7', null, 'last'],
  meta: [{ a: [1, 'two', null, { b: true }] }, [], 'a string', 12.5, -0.25e-7, false, null, { '"k"': '\\' }, 'last'],
  count: [0, -1, 42, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null, 1],
  done: [true, false, null, true, false],
};

let file: SqliteFile;
afterEach(() => file?.dispose());

const count = (db: Db, sql: string): number => db.prepare(sql).pluck().get() as number;

/** A server, and a remote that records the hlc of every message pushed to it. */
function recordingServer(): { remote: () => Remote; pushed: string[] } {
  const server = createInProcessServer();
  const pushed: string[] = [];
  return {
    pushed,
    remote: () => {
      const inner = server.remote('me');
      return { ...inner, sync: (request) => (pushed.push(...(request.messages ?? []).map((m) => m.hlc)), inner.sync(request)) };
    },
  };
}

/** Offline rewrites of a few cells, `n` of them, returning each write's hlc in order. */
async function rewrite(client: SyncClient, n: number, from = 0): Promise<string[]> {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) out.push((await client.set('todos', `t${i % 7}`, 'title', `draft "${i}"\n`)).hlc);
  return out;
}

describe('earlier unpushed messages kept in their rows', () => {
  it('a rewrite keeps the replaced message in its row, not in the outbox; pending, history and the count see it', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const a = await client.set('todos', 't1', 'title', 'one');
    const b = await client.set('todos', 't1', 'meta', { n: [1, 'two'] });
    const c = await client.set('todos', 't1', 'title', 'two');
    const d = await client.set('todos', 't1', 'meta', null);
    expect(count(store.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(0);
    expect(count(store.db, "SELECT count(*) FROM todos WHERE _unpushed IS NOT NULL")).toBe(1);
    expect(client.status.pending).toBe(4);
    expect((await client.history('todos', 't1', 'title')).map((m) => [m.value, m.won])).toEqual([['two', true], ['one', false]]);
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => [m.hlc, m.value])).toEqual([
      [a.hlc, 'one'], [b.hlc, { n: [1, 'two'] }], [c.hlc, 'two'], [d.hlc, null],
    ]);
    await client.close();
  });

  it('a json value the app changes after writing it stays as it was written, in its row and once copied', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const tags = ['a'];
    const first = await client.set('todos', 't1', 'meta', { tags });
    await client.set('todos', 't1', 'meta', { tags: ['b'] }); // the first moves to the row's list
    tags.push('changed after the write');
    expect(store.messages({ kind: 'pending', limit: 10 }).find((m) => m.hlc === first.hlc)?.value).toEqual({ tags: ['a'] });
    await client.close();
  });

  it('read back from their rows after a restart, values of every column type are exact, in order', async () => {
    file = sqliteFile();
    const first = file.open();
    const client: SyncClient = await createSyncClient({ schema, store: first, autoSync: false });
    const written: [string, string, JsonValue][] = [];
    for (const [column, list] of Object.entries(values)) {
      for (const value of list) written.push([(await client.set('todos', 't1', column, value)).hlc, column, value]);
    }
    await client.close();
    first.close();
    expect(count(file.open().db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(0); // all still in the row
    const store = file.open();
    store.open(schema);
    expect(store.messages({ kind: 'pending', limit: 1000 }).map((m) => [m.hlc, m.column, m.value])).toEqual(written);
  });

  it('past the bounds, rows copy to the outbox in bulk; a restart in between; every message reaches the server once, in order', async () => {
    file = sqliteFile();
    const server = recordingServer();
    const first = file.open();
    const one = await createSyncClient({ schema, store: first, remote: server.remote(), autoSync: false });
    // Many rows rewritten once each: no row passes the character bound, the count bound copies.
    const rows = UNPUSHED_MAX + 50;
    const written: string[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < rows; r++) written.push((await one.set('todos', `r${r}`, 'meta', { pass, r })).hlc);
    }
    expect(count(first.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(UNPUSHED_MAX);
    // A hot row: one cell rewritten until its list passes the character bound.
    const long = 'x'.repeat(Math.ceil(UNPUSHED_CHARS / 8));
    for (let i = 0; i < 12; i++) written.push((await one.set('todos', 'hot', 'title', `${long}${i}`)).hlc);
    expect(count(first.db, 'SELECT count(*) FROM fieldsync_outbox')).toBeGreaterThan(UNPUSHED_MAX + 50);
    written.push(...(await rewrite(one, 40)));
    expect(one.status.pending).toBe(written.length);
    await one.close();
    first.close();

    const second = file.open();
    const two = await createSyncClient({ schema, store: second, remote: server.remote(), autoSync: false });
    expect(two.status.pending).toBe(written.length);
    written.push(...(await rewrite(two, 30, 1000)));
    await two.sync();
    expect(two.status.pending).toBe(0);
    expect(server.pushed).toEqual(written);
    // Rewrite again after the push: lists start afresh, older ones are stale and stay unsent.
    const later = await rewrite(two, 20, 2000);
    await two.sync();
    expect(server.pushed).toEqual([...written, ...later]);
    expect(new Set(server.pushed).size).toBe(server.pushed.length);
    await two.close();
  });

  it('a second connection on the file pushes them; this one goes on writing and nothing is pushed twice', async () => {
    file = sqliteFile();
    const server = recordingServer();
    const writer = await createSyncClient({ schema, store: file.open(), autoSync: false });
    const syncer = await createSyncClient({ schema, store: file.open(), remote: server.remote(), autoSync: false });
    const written = await rewrite(writer, 40);
    await syncer.sync();
    written.push(...(await rewrite(writer, 40, 100)));
    await syncer.sync();
    written.push(...(await rewrite(writer, 40, 200)));
    await syncer.sync();
    expect(server.pushed).toEqual(written);
    await Promise.all([writer.close(), syncer.close()]);
  });

  it('lists pushed and acknowledged are not pending again after a restart: a new generation makes them stale', async () => {
    file = sqliteFile();
    const server = recordingServer();
    const first = file.open();
    const one = await createSyncClient({ schema, store: first, remote: server.remote(), autoSync: false });
    const written = await rewrite(one, 30);
    expect(count(first.db, 'SELECT count(*) FROM todos WHERE _unpushed IS NOT NULL')).toBe(7); // every row keeps a list
    await one.sync();
    expect(one.status.pending).toBe(0);
    await one.close();
    const store = file.open();
    expect(store.open(schema).pendingCount).toBe(0);
    const two = await createSyncClient({ schema, store, remote: server.remote(), autoSync: false });
    await two.sync();
    expect(server.pushed).toEqual(written);
    await two.close();
  });

  it('an app\'s own tables in the same file do not stop it opening: one with none of the store\'s columns, ones named as no schema could be', async () => {
    file = sqliteFile();
    const first = file.open();
    first.db.exec('CREATE TABLE app_settings (key TEXT PRIMARY KEY, value TEXT)');
    // With a column named like the store's lists, but names no schema could declare
    // (quoteIdent refuses them): not the store's, left alone.
    first.db.exec('CREATE TABLE "app-cache" (_unpushed TEXT); CREATE TABLE "2fa_codes" (_unpushed TEXT)');
    first.db.prepare('INSERT INTO app_settings VALUES (?, ?)').run('theme', 'dark');
    const one = await createSyncClient({ schema, store: first, autoSync: false });
    const written = await rewrite(one, 10);
    await one.close();
    const store = file.open();
    store.open(schema);
    expect(store.messages({ kind: 'pending', limit: 100 }).map((m) => m.hlc)).toEqual(written);
  });

  it('a number column\'s replaced messages keep their exact values across a restart', async () => {
    file = sqliteFile();
    const numbers = defineSchema({ version: 1, tables: { todos: { rank: { type: 'number', nullable: true } } } });
    const ranks = [0.1 + 0.2, -1e-7, 2 ** 60, 12.5, null, 1 / 3];
    const one = await createSyncClient({ schema: numbers, store: file.open(), autoSync: false });
    const written: [string, JsonValue][] = [];
    for (const rank of ranks) written.push([(await one.set('todos', 't1', 'rank', rank)).hlc, rank]);
    await one.close();
    const store = file.open();
    store.open(numbers);
    expect(store.messages({ kind: 'pending', limit: 100 }).map((m) => [m.hlc, m.value])).toEqual(written);
  });

  it('an older schema that does not declare a table still copies that table\'s lists, so none is left stale', async () => {
    file = sqliteFile();
    const v2 = defineSchema({ version: 2, tables: { todos: { title: 'string' }, extra: { name: 'string' } } });
    const v1 = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
    const newer = await createSyncClient({ schema: v2, store: file.open(), autoSync: false });
    const extra: string[] = [];
    for (let i = 0; i < 6; i++) extra.push((await newer.set('extra', `e${i % 2}`, 'name', `n${i}`)).hlc);
    await newer.close();
    // The older app version: its pending query copies every list, the undeclared table's too,
    // and its open moved the table's marked messages to the outbox (stranded-marks.ts).
    const older = file.open();
    const client = await createSyncClient({ schema: v1, store: older, autoSync: false });
    expect(client.status.pending).toBe(6);
    await client.set('todos', 't', 'title', 'a');
    await client.set('todos', 't', 'title', 'b');
    expect(older.messages({ kind: 'pending', limit: 100 }).filter((m) => m.table === 'extra').map((m) => m.hlc)).toEqual(extra);
    await client.close();
    const again = file.open();
    await createSyncClient({ schema: v2, store: again, autoSync: false });
    expect(again.messages({ kind: 'pending', limit: 100 }).filter((m) => m.table === 'extra').map((m) => m.hlc)).toEqual(extra);
  });

  it('a store of version 3 gains the column when it opens; its outbox and pending marks are pushed with the new messages', async () => {
    file = sqliteFile();
    const server = recordingServer();
    const old = file.open();
    const client = await createSyncClient({ schema, store: old, autoSync: false });
    const written = await rewrite(client, 10);
    await client.close();
    // As store version 3 left it: every earlier message in the outbox, no `_unpushed` column.
    old.messages({ kind: 'pending', limit: 100 });
    old.db.exec('ALTER TABLE todos DROP COLUMN _unpushed; PRAGMA user_version = 3');
    expect(count(old.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(3);
    old.close();

    const store = file.open();
    const again = await createSyncClient({ schema, store, remote: server.remote(), autoSync: false });
    expect(store.db.pragma('user_version', { simple: true })).toBe(STORE_VERSION);
    expect(again.status.pending).toBe(10);
    written.push(...(await rewrite(again, 20, 100)));
    expect(count(store.db, 'SELECT count(*) FROM todos WHERE _unpushed IS NOT NULL')).toBeGreaterThan(0);
    await again.sync();
    expect(server.pushed).toEqual(written);
    await again.close();
  });
});
