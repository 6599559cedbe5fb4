/**
 * The SQLite store under the client's second drift repair (repair.ts): a message of another
 * device that the server took under a looser limit, pulled and kept in its data row only
 * (pulled-in-row.ts), drags the clock ahead. The device still pushes and receives, the
 * message ahead keeps its cell, and a write after it of another cell wins there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncClient, defineSchema } from '../../sync/index.ts';
import { hlcMillis } from '../../sync/hlc.ts';
import { createMemoryServerStore } from '../../sync/server/index.ts';
import { createInProcessServer } from '../../sync/testing/index.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const T0 = Date.UTC(2026, 10, 24, 15);
const DAY = 86_400_000;
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });

describe('a device on SQLite that pulled a message the server took under a looser drift limit', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  it('pushes and receives again, across a restart, and the message ahead keeps its cell', async () => {
    const serverStore = createMemoryServerStore();
    const loose = createInProcessServer({ store: serverStore, now: () => T0, maxDriftMs: 3 * DAY });
    const c = await createSyncClient({ schema, store: (file = sqliteFile()).open(), remote: loose.remote(), autoSync: false, now: () => T0 + 2 * DAY });
    await c.set('todos', 'a', 'title', 'from C, two days ahead');
    await c.sync();
    await c.close();
    file.dispose();

    const strict = createInProcessServer({ store: serverStore, now: () => T0 });
    file = sqliteFile();
    const store = file.open();
    const a = await createSyncClient({ schema, store, remote: strict.remote(), autoSync: false, now: () => T0 });
    await a.sync();
    await a.set('todos', 'a', 'title', 'from A, after C');
    await a.set('todos', 'b', 'title', 'from A');
    await a.sync();
    expect(a.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
    expect(store.readRow('todos', 'a')?.title).toBe('from C, two days ahead');
    expect(store.readRow('todos', 'b')?.title).toBe('from A');
    await a.close();

    // Reopened, its clock starts from the message ahead again: a repair, and the write goes.
    const again = await createSyncClient({ schema, store: file.open(), remote: strict.remote(), autoSync: false, now: () => T0 + 1000 });
    await again.set('todos', 'b', 'done', true);
    await again.sync();
    expect(again.status).toMatchObject({ pending: 0, rejected: 0, error: null });
    const held = await serverStore.pull('user', { cursor: 0, limit: 10, excludeClientId: 'x' });
    const mine = held.messages.filter((m) => m.row === 'b');
    expect(mine.map((m) => m.value).sort()).toEqual(['from A', true].sort());
    for (const m of mine) expect(hlcMillis(m.hlc)).toBeLessThan(T0 + 300_000);
    await again.close();
  });
});
