/** The real sync client and HTTP transport of `src/sync`, converging through the real server. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, pokeStream, type HttpRemoteOptions, type SyncClient } from 'fieldsync';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

type FetchFn = NonNullable<HttpRemoteOptions['fetch']>;
type MemoryStore = ReturnType<typeof createMemoryStore>;

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sync clients through the server', () => {
  let s: TestServer | undefined;
  const clients: SyncClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await s?.stop();
    s = undefined;
  });

  async function client(server: TestServer, user: string, fetchFn?: FetchFn): Promise<{ client: SyncClient; store: MemoryStore }> {
    const store = createMemoryStore();
    const token = await server.token(user);
    const remote = createHttpRemote({ url: server.url, token, pokes: pokeStream({ reconnect: { initialMs: 20, maxMs: 100 } }), ...(fetchFn ? { fetch: fetchFn } : {}) });
    // No periodic sync: whatever B learns, it learns from a poke or a reconnection.
    const c = await createSyncClient({ schema, store, remote, intervalMs: 0 });
    clients.push(c);
    return { client: c, store };
  }

  it('two clients of a user converge, driven by pokes, conflicts included', async () => {
    s = await startTestServer();
    const a = await client(s, 'alice');
    const b = await client(s, 'alice');
    const eve = await client(s, 'eve');
    await until(() => (s as TestServer).server.app.streams.count === 3);
    await a.client.update('todos', 't1', { title: 'Buy milk', done: false });
    await until(() => b.store.get('todos', 't1')?.title === 'Buy milk');
    // Concurrent edits of one field: both converge on the same winner.
    await Promise.all([a.client.set('todos', 't1', 'title', 'from A'), b.client.set('todos', 't1', 'title', 'from B')]);
    await Promise.all([a.client.sync(), b.client.sync()]);
    await Promise.all([a.client.sync(), b.client.sync()]);
    expect(b.store.get('todos', 't1')).toEqual(a.store.get('todos', 't1'));
    await b.client.delete('todos', 't1');
    await until(() => a.store.get('todos', 't1')?._deleted === true);
    await eve.client.sync();
    expect(eve.store.get('todos', 't1')).toBeUndefined();
  });

  it('a client that missed pokes catches up through its cursor when its stream reconnects', async () => {
    s = await startTestServer();
    const server = s;
    let down = false;
    const live = new Set<AbortController>();
    const flaky: FetchFn = async (url, init) => {
      if (!url.includes('/v1/events')) return fetch(url, init);
      if (down) throw new TypeError('network down');
      const c = new AbortController();
      live.add(c);
      init?.signal?.addEventListener('abort', () => c.abort(), { once: true });
      return fetch(url, { ...init, signal: c.signal });
    };
    const a = await client(server, 'alice');
    const b = await client(server, 'alice', flaky);
    await until(() => server.server.app.streams.count === 2);
    // B's own syncs (at start, and the one its stream's opening asked for) are over before A
    // writes: under load, one still queued would pull A's writes below, not the reconnection.
    await b.client.sync();
    // B's stream drops and stays down while A writes: B gets no poke.
    down = true;
    for (const c of live) c.abort();
    await until(() => server.server.app.streams.count === 1);
    for (let i = 0; i < 5; i++) await a.client.set('todos', `t${i}`, 'title', `while away ${i}`);
    await a.client.sync();
    await new Promise((r) => setTimeout(r, 150));
    expect(b.store.get('todos', 't0')).toBeUndefined();
    // Back online: the stream reconnects, and the client syncs from its cursor.
    down = false;
    await until(() => b.store.get('todos', 't4')?.title === 'while away 4');
    for (let i = 0; i < 5; i++) expect(b.store.get('todos', `t${i}`)?.title).toBe(`while away ${i}`);
  });
});
