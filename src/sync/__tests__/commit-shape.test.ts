/**
 * Every commit a store is given has one shape: the five parts of a `Commit`, in one order, a
 * part the commit does not use as undefined (store-guard.ts, `shapedCommit`). The client makes
 * its commits in several places (the opening one, a local write, a pull's page), each with the
 * parts it needs; given as made, a store's `commit` optimized for one shape was thrown away
 * at the next. What each commit holds is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type Cell, type Commit, type SyncStore } from '../index.ts';
import type { MemoryStore } from '../memory-store.ts';
import { createInProcessServer } from '../testing/index.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
const PARTS = ['insert', 'update', 'remove', 'writes', 'meta'];

/** A memory store that records each commit it is given, with `transact` of its own when asked. */
function recording(withTransact: boolean): { store: SyncStore; inner: MemoryStore; commits: Commit[]; planned: Commit[] } {
  const inner = createMemoryStore();
  const commits: Commit[] = [];
  const planned: Commit[] = [];
  const store: SyncStore = {
    open: (s) => inner.open(s),
    winners: (cells) => inner.winners(cells),
    messages: (q) => inner.messages(q),
    commit(c) {
      commits.push(c);
      return inner.commit(c);
    },
    close: () => inner.close?.(),
  };
  if (withTransact) {
    store.transact = (cells: readonly Cell[], plan: (newest: string | null) => Commit) => {
      let newest: string | null = null;
      for (const hlc of (inner.winners(cells) as ReadonlyMap<string, string>).values()) if (newest === null || hlc > newest) newest = hlc;
      const c = plan(newest);
      planned.push(c);
      return inner.commit(c);
    };
  }
  return { store, inner, commits, planned };
}

/** A client on `store` that opens, writes one field, and syncs with a server where another device wrote two rows. */
async function openWriteAndSync({ store, inner }: { store: SyncStore; inner: MemoryStore }): Promise<void> {
  const server = createInProcessServer();
  const other = await createSyncClient({ schema, store: createMemoryStore(), remote: server.remote(), autoSync: false });
  await other.update('todos', 'a', { title: 'from the other device', done: false });
  await other.update('todos', 'b', { title: 'and another', done: true });
  await other.sync();
  await other.close();
  const client = await createSyncClient({ schema, store, remote: server.remote(), autoSync: false });
  await client.set('todos', 'mine', 'title', 'written here');
  await client.sync();
  expect(inner.rows('todos').size).toBe(3);
  await client.close();
}

describe('commits given to a store', () => {
  it('all have the five parts in one order, whichever of them the commit uses', async () => {
    const recorded = recording(false);
    const { commits } = recorded;
    await openWriteAndSync(recorded);
    // The opening ones (where the runtime has Web Locks, the new clientId's under the lock for
    // new stores, then the schema's: client-lock.ts), the local write, and the sync's page.
    expect(commits.length).toBeGreaterThanOrEqual(3);
    for (const c of commits) expect(Object.keys(c)).toEqual(PARTS);
    const opening = commits.find((c) => c.meta?.schemaVersion !== undefined) as Commit;
    const write = commits.find((c) => c.insert?.[0]?.row === 'mine') as Commit;
    expect(opening.insert).toBeUndefined();
    expect(opening.remove).toBeUndefined();
    expect(opening.meta).toMatchObject({ schemaVersion: '1' });
    expect(write.insert).toHaveLength(1);
    expect(write.insert?.[0]).toMatchObject({ table: 'todos', row: 'mine', column: 'title', value: 'written here', local: true, synced: false });
    expect(write.writes).toHaveLength(1);
    expect(write.remove).toBeUndefined();
    const page = commits.find((c) => (c.insert?.length ?? 0) >= 4) as Commit;
    expect(page.insert?.map((m) => m.row).sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(page.update).toEqual([expect.objectContaining({ synced: true })]);
  });

  it('a store\'s own transact gets the same shape from plan', async () => {
    const recorded = recording(true);
    const { commits, planned } = recorded;
    await openWriteAndSync(recorded);
    expect(planned).toHaveLength(1);
    expect(Object.keys(planned[0] as Commit)).toEqual(PARTS);
    expect((planned[0] as Commit).insert?.[0]).toMatchObject({ row: 'mine', value: 'written here' });
    for (const c of commits) expect(Object.keys(c)).toEqual(PARTS);
  });
});
