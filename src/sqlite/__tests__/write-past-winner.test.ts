/**
 * A local write wins its cell (local-commit.ts, round 67 mutation testing): the clock first
 * moves past the cell's winner whatever it has received before. Two clients on one SQLite
 * file (the app and a background syncer, docs/api.md) each have their own clock; a write by
 * one after the other's write of the same cell must replace it, or the user's later edit is
 * silently lost (on this device and, once pushed, on every device).
 */
import { describe, expect, it } from 'vitest';
import { createSyncClient, defineSchema, type SyncClient } from '../../sync/index.ts';
import { hlcMillis } from '../../sync/hlc.ts';
import type { SqliteFile } from '../../../test-support/sqlite-harness.ts';
import { useFileClients } from './helpers/file-clients.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const T0 = Date.UTC(2026, 11, 7, 12);

const fileClients = useFileClients();

type Store = ReturnType<SqliteFile['open']>;
const stores = new WeakMap<SyncClient, Store>();
async function client(f: SqliteFile, now: () => number): Promise<SyncClient> {
  const store = f.open();
  const c = fileClients.keep(await createSyncClient({ schema, store, autoSync: false, now }));
  stores.set(c, store);
  return c;
}
/** The title in the row as the client's own connection reads it. */
const titleSeenBy = (c: SyncClient): unknown => (stores.get(c) as Store).rows('todos').get('t')?.title;

describe("a local write after another connection's write of the same cell", () => {
  it('wins over one from a clock ahead of its own', async () => {
    const f = fileClients.file();
    const behind = await client(f, () => T0);
    const ahead = await client(f, () => T0 + 60_000);
    const theirs = await ahead.set('todos', 't', 'title', 'first');
    const mine = await behind.set('todos', 't', 'title', 'second');
    expect(mine.hlc > theirs.hlc).toBe(true);
    expect(titleSeenBy(behind)).toBe('second');
    expect(titleSeenBy(ahead)).toBe('second');
  });

  it('wins over one of the same millisecond with a greater counter', async () => {
    const f = fileClients.file();
    const one = await client(f, () => T0);
    const other = await client(f, () => T0);
    await one.set('todos', 'a', 'title', 'one');
    let theirs = await other.set('todos', 't', 'title', 'other 0');
    for (let i = 1; i < 5; i++) theirs = await other.set('todos', 't', 'title', `other ${i}`);
    const mine = await one.set('todos', 't', 'title', 'mine');
    expect(hlcMillis(mine.hlc)).toBe(hlcMillis(theirs.hlc));
    expect(mine.hlc > theirs.hlc).toBe(true);
    expect(titleSeenBy(other)).toBe('mine');
  });
});
