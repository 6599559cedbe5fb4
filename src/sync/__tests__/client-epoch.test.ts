/**
 * Epochs on the client: the cursor belongs to one epoch of the server's log. An answer from
 * another epoch (a new database, or one restored from a backup) makes the client start
 * over: cursor 0, its own messages pushed again, everything pulled again.
 */
import { describe, expect, it } from 'vitest';
import { createSyncClient } from '../index.ts';
import type { MemoryStore } from '../memory-store.ts';
import { createMemoryServerStore, type ServerStore } from '../server/index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, T0, memory, schema } from './harness/test-kit.ts';

/** A server store whose database can be replaced under the running server. */
function replaceable(first: ServerStore) {
  let current = first;
  const store: ServerStore = {
    push: (u, m) => current.push(u, m),
    pull: (u, o) => current.pull(u, o),
    renewEpoch: (u, e) => current.renewEpoch(u, e),
  };
  return { store, replace: (next: ServerStore) => void (current = next) };
}

const open = (remote: ScriptedRemote, store: MemoryStore = memory()) =>
  createSyncClient({ schema, store, remote, autoSync: false, now: () => T0 });

describe('epochs', () => {
  it('the client keeps the epoch of its first answer and sends it with its cursor', async () => {
    const remote = new ScriptedRemote(createInProcessServer({ now: () => T0 }));
    const store = memory();
    const client = await open(remote, store);
    await client.set('todos', 'a', 'title', 'x');
    await client.sync();
    await client.sync();
    const epoch = (await remote.inner.sync({ clientId: 'observer', cursor: 0 })).epoch;
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(remote.requests.map((r) => [r.cursor, r.epoch])).toEqual([[0, undefined], [1, epoch]]);
    expect((await store.open(schema)).meta.serverEpoch).toBe(epoch);
    await client.close();
  });

  it('a new database: each client starts over, pushes its own messages again, and they converge', async () => {
    const { store: serverStore, replace } = replaceable(createMemoryServerStore());
    const server = createInProcessServer({ store: serverStore, now: () => T0 });
    const [aStore, bStore] = [memory(), memory()];
    const aRemote = new ScriptedRemote(server);
    const a = await open(aRemote, aStore);
    const b = await open(new ScriptedRemote(server), bStore);
    for (let i = 0; i < 3; i++) await a.set('todos', `a${i}`, 'title', `from a ${i}`);
    await a.sync();
    await b.update('todos', 'b', { title: 'from b', done: true });
    await b.sync();
    await a.sync();
    expect(a.status).toMatchObject({ cursor: 5, pending: 0 });

    const fresh = createMemoryServerStore();
    replace(fresh);
    await a.set('todos', 'a-after', 'title', 'written after the loss');
    await a.sync();
    expect(a.status).toMatchObject({ state: 'idle', pending: 0 });
    expect(aRemote.requests.at(-2)).toMatchObject({ cursor: 5 }); // the answer of another epoch...
    expect(aRemote.requests.at(-1)).toMatchObject({ cursor: 0, messages: [{}, {}, {}, {}] }); // ...made it start over, pushing all it wrote
    await b.sync();
    await a.sync();

    expect(fresh.dump('user').map((m) => m.row).sort()).toEqual(['a-after', 'a0', 'a1', 'a2', 'b', 'b']);
    for (const s of [aStore, bStore]) expect(s.rows('todos').size).toBe(5);
    expect(aStore.rows('todos')).toEqual(bStore.rows('todos'));
    await a.close();
    await b.close();
  });

  it('an answer of another epoch is not applied', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const writer = await open(new ScriptedRemote(server));
    await writer.set('todos', 'w', 'title', 'real');
    await writer.sync();
    const remote = new ScriptedRemote(server);
    const store = memory();
    const client = await open(remote, store);
    await client.sync();
    let calls = 0;
    remote.intercept = async (req) => {
      if (calls++ > 0) return undefined;
      const real = await remote.inner.sync(req);
      const m = { id: req.cursor + 1, hlc: '2026-11-24T15:00:00.000Z-0000-other', table: 'todos', row: 'ghost', column: 'title', value: 'from another log' };
      return { ...real, epoch: 'another', cursor: m.id, messages: [m] };
    };
    await client.sync();
    expect(store.get('todos', 'ghost')).toBeUndefined();
    expect(store.get('todos', 'w')).toEqual({ title: 'real' });
    // Started over with 'another', then again with the real epoch.
    expect(remote.requests.map((r) => r.cursor)).toEqual([0, 1, 0, 0]);
    await client.close();
  });

  it('a server that keeps changing its epoch fails the sync after a few restarts; nothing is lost', async () => {
    const remote = new ScriptedRemote(createInProcessServer({ now: () => T0 }));
    const client = await open(remote);
    await client.set('todos', 'a', 'title', 'x');
    await client.sync();
    let n = 0;
    remote.intercept = async (req) => ({ ...(await remote.inner.sync(req)), epoch: `e${n++}` });
    await expect(client.sync()).rejects.toMatchObject({ code: 'invalid_response' });
    expect(remote.requests.length).toBeLessThanOrEqual(2 + 5);
    remote.intercept = null;
    await expect(client.sync()).resolves.toMatchObject({ state: 'idle', pending: 0 });
    await client.close();
  });

  it('a server without epochs never makes the client start over', async () => {
    const remote = new ScriptedRemote(createInProcessServer({ now: () => T0 }));
    remote.intercept = async (req) => {
      const { epoch: _epoch, ...rest } = await remote.inner.sync(req);
      return rest;
    };
    const client = await open(remote);
    await client.set('todos', 'a', 'title', 'x');
    await client.sync();
    await client.sync();
    expect(remote.requests.map((r) => [r.cursor, r.epoch])).toEqual([[0, undefined], [1, undefined]]);
    await client.close();
  });
});
