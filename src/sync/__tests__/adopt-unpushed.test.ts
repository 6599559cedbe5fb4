/**
 * A store whose clientId was removed (a copy made a device of its own, docs/api.md) opens as
 * a new device, and what it had not pushed, stamped with the clientId it had, becomes the new
 * device's (client-state.ts, adoptUnpushed): the server takes a message only under its
 * sender's clientId. Until round 51 each was refused and set aside, and its cells rolled back.
 * The memory store here, behind a store that forgets its clientId; restored-store.test.ts has
 * a SQLite file copied, with the real server.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type Commit, type SyncStore } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });

/**
 * `inner`, whose clientId is gone until a client writes one, as a copy whose clientId was
 * removed (the memory store has no way to remove a meta entry).
 */
function forgetful(inner: SyncStore): SyncStore {
  let written = false;
  return {
    open: async (s) => {
      const state = await inner.open(s);
      const meta: Record<string, string> = { ...state.meta };
      if (!written) delete meta.clientId;
      return { ...state, meta };
    },
    winners: (c) => inner.winners(c),
    messages: (q) => inner.messages(q),
    commit: (c) => {
      written ||= c.meta?.clientId !== undefined;
      return inner.commit(c);
    },
  };
}

describe('a store opened without its clientId', () => {
  it('keeps what it had not pushed, as the new device\'s: its cells, its order, pushed once', async () => {
    const server = createInProcessServer();
    const store = createMemoryStore();
    const a = await createSyncClient({ schema, store, autoSync: false, remote: server.remote('u') });
    await a.update('todos', 't1', { title: 'pushed', done: false });
    await a.sync();
    await a.set('todos', 't1', 'title', 'first');
    await a.set('todos', 't1', 'title', 'second');
    await a.set('todos', 't2', 'done', true);
    await a.close();

    const b = await createSyncClient({ schema, store: forgetful(store), autoSync: false, remote: server.remote('u') });
    expect(b.clientId).not.toBe(a.clientId);
    expect(b.status.pending).toBe(3);
    const history = await b.history('todos', 't1', 'title');
    expect(history.map((m) => [m.value, m.won, m.hlc.endsWith(b.clientId)])).toEqual([['second', true, true], ['first', false, true], ['pushed', false, false]]);
    expect(store.get('todos', 't1')).toEqual({ title: 'second', done: false });
    expect(await b.sync()).toMatchObject({ pending: 0, rejected: 0, error: null });
    const c = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false, remote: server.remote('u') });
    await c.sync();
    for (const [row, column] of [['t1', 'title'], ['t1', 'done'], ['t2', 'done']] as const) {
      expect((await c.history('todos', row, column)).find((m) => m.won)?.value).toEqual((await b.history('todos', row, column)).find((m) => m.won)?.value);
    }
    // Each cell's winner, once (the server compacts the messages that lost their cells).
    const held = (await server.store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'nobody' })).messages;
    expect(held.map((m) => [m.value, m.hlc.endsWith(b.clientId)])).toEqual([[false, false], ['second', true], [true, true]]);
  });

  it('a new store (nothing unpushed) writes its clientId alone, as ever', async () => {
    const store = createMemoryStore();
    const commits: Commit[] = [];
    const forgets = forgetful(store);
    const watched: SyncStore = { ...forgets, commit: (c) => (commits.push(c), forgets.commit(c)) };
    const client = await createSyncClient({ schema, store: watched, autoSync: false });
    const first = commits[0];
    expect(first?.meta).toEqual({ clientId: client.clientId });
    expect([first?.insert, first?.remove, first?.writes].map((list) => list?.length ?? 0)).toEqual([0, 0, 0]);
    await client.close();
  });
});
