/**
 * A message the server refuses is set aside and its cell falls back to the best message left
 * (repair.ts). When that message made its row, no cell of the row has a winner any more: the
 * row must go, as it does not exist on a device that never saw the message. An app reads its
 * rows with a plain SELECT, where an empty row is a todo with no title.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, createMemoryStore, createSyncClient, defineSchema, type Remote } from '../../sync/index.ts';
import { createInProcessServer } from '../../sync/testing/index.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const T0 = Date.UTC(2026, 10, 24, 15);
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });

/** The server's remote, refusing every push that holds a message with this value. */
function refusing(remote: Remote, value: string): Remote {
  return {
    sync(req, options) {
      const i = req.messages?.findIndex((m) => m.value === value) ?? -1;
      if (i >= 0) return Promise.reject(new RemoteError(400, 'invalid_message', `message ${i}: refused`, { index: i }));
      return remote.sync(req, options);
    },
  };
}

describe('a refused message on the SQLite store', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  it('takes back the row it made, and only that row: other rows and cells stay', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const store = (file = sqliteFile()).open();
    const a = await createSyncClient({ schema, store, remote: refusing(server.remote(), 'REFUSED'), autoSync: false, now: () => T0 });
    await a.set('todos', 'new', 'title', 'REFUSED'); // made the row: the one-cell path
    await a.update('todos', 'two', { title: 'REFUSED', done: true }); // one refused cell of two: the general path
    await a.set('todos', 'kept', 'title', 'fine');
    await a.sync();
    await a.sync();
    expect(a.status).toMatchObject({ pending: 0, rejected: 2, error: null });
    expect(store.readRow('todos', 'new')).toBeUndefined();
    expect(store.rows('todos', { includeDeleted: true }).has('new')).toBe(false);
    expect(store.readRow('todos', 'two')).toMatchObject({ title: null, done: true });
    expect(store.readRow('todos', 'kept')).toMatchObject({ title: 'fine' });

    // A device that never saw the refused message: the same rows.
    const other = createMemoryStore();
    const b = await createSyncClient({ schema, store: other, remote: server.remote(), autoSync: false, now: () => T0 });
    await b.sync();
    expect([...other.rows('todos').keys()].sort()).toEqual([...store.rows('todos').keys()].sort());
    await b.close();

    // The row can be made again, and then syncs.
    await a.set('todos', 'new', 'title', 'again');
    await a.sync();
    expect(store.readRow('todos', 'new')).toMatchObject({ title: 'again' });
    expect(a.status).toMatchObject({ pending: 0, rejected: 2 });
    await a.close();
  });

  it('drops a row only when nothing is left in it: several cells taken back at once, and none of its pending messages', async () => {
    const store = (file = sqliteFile()).open();
    const client = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
    await client.update('todos', 'both', { title: 'x', done: false });
    await client.set('todos', 'half', 'title', 'first');
    await client.set('todos', 'half', 'title', 'second'); // 'first' waits in the row (unpushed-in-row.ts)
    await client.set('todos', 'half', 'done', true);
    const pending = store.messages({ kind: 'pending', limit: 10 }).map((m) => m.hlc);
    expect(pending).toHaveLength(5);
    // Two cells of a row taken back in one commit: the general path, several writes.
    store.commit({ writes: [{ table: 'todos', row: 'both', column: 'title', value: null, hlc: null }, { table: 'todos', row: 'both', column: 'done', value: null, hlc: null }] });
    expect(store.readRow('todos', 'both')).toBeUndefined();
    // One cell of two taken back: the row stays with the other.
    store.commit({ writes: [{ table: 'todos', row: 'half', column: 'done', value: null, hlc: null }] });
    expect(store.readRow('todos', 'half')).toMatchObject({ title: 'second', done: null });
    // The last one: the row goes, and no pending message with it (they are in the outbox by then).
    store.commit({ writes: [{ table: 'todos', row: 'half', column: 'title', value: null, hlc: null }] });
    expect(store.readRow('todos', 'half')).toBeUndefined();
    expect(store.messages({ kind: 'pending', limit: 10 }).map((m) => m.hlc)).toEqual(pending);
    await client.close();
  });
});
