/**
 * One client per store object, in every runtime (client-lock.ts, `holdStoreObject`): a client
 * opened on a store object that another client still holds (a hot reload that opened it again
 * without close()) takes it over. Before, both went on with one clientId and their own clocks,
 * about half of their writes took hlcs of the other's, and the server kept one of each pair:
 * writes lost with nothing pending and no error anywhere.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../../sqlite/index.ts';
import { StoreError, ValidationError, createMemoryStore, createSyncClient, type SyncClient, type SyncStore } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';
import { T0, asyncStore, hangingStore, schema } from './harness/test-kit.ts';

const clients: SyncClient[] = [];
const files: SqliteFile[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  for (const f of files.splice(0)) f.dispose();
});

const open = async (store: SyncStore, remote?: ReturnType<ReturnType<typeof createInProcessServer>['remote']>): Promise<SyncClient> => {
  const client = await createSyncClient({ schema, store, remote, autoSync: false });
  clients.push(client);
  return client;
};

function sqliteStore(): SyncStore {
  const file = sqliteFile();
  files.push(file);
  return file.open();
}

const STORES: ReadonlyArray<readonly [string, () => SyncStore]> = [
  ['the memory store', createMemoryStore],
  ['the SQLite store', sqliteStore],
  ['an asynchronous store without transact()', () => asyncStore(createMemoryStore())],
];

describe.each(STORES)('two clients on one store object: %s', (_name, makeStore) => {
  it('the second takes it over: the first stops with a StoreError, and no write is lost', async () => {
    const server = createInProcessServer();
    const store = makeStore();
    const first = await open(store, server.remote('u'));
    // Written before the second client opened: its to push.
    for (let i = 0; i < 50; i++) await first.set('todos', `a${i}`, 'title', `a${i}`);
    const second = await open(store, server.remote('u'));
    expect(second.clientId).toBe(first.clientId);
    const refused = await first.set('todos', 'late', 'title', 'late').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).message).toMatch(/^another client opened this store \(clientId [\w-]+\): .*two clients on one store would stamp different writes with the same hlc/);
    expect(first.status.state).toBe('error');
    const hlcs: string[] = [];
    for (let i = 0; i < 50; i++) hlcs.push((await second.set('todos', `b${i}`, 'title', `b${i}`)).hlc);
    await second.sync();
    expect(second.status.pending).toBe(0);
    // Another device gets every write: the first client's 50 and the second's 50, none twice.
    const otherStore = createMemoryStore();
    await (await open(otherStore, server.remote('u'))).sync();
    const titles = [...otherStore.rows('todos').values()].map((r) => r.title);
    expect(titles).toHaveLength(100);
    expect(new Set(titles).size).toBe(100);
    expect(titles).not.toContain('late');
    expect(new Set(hlcs).size).toBe(50);
  });
});

describe('two clients on one store object, opened at once', () => {
  it('the first, still opening, is none: its createSyncClient rejects with why, and the second works', async () => {
    const store = createMemoryStore();
    const opening = [createSyncClient({ schema, store, autoSync: false }), createSyncClient({ schema, store, autoSync: false })];
    const [first, second] = (await Promise.allSettled(opening)) as [PromiseSettledResult<SyncClient>, PromiseSettledResult<SyncClient>];
    expect(first.status).toBe('rejected');
    expect((first as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect(((first as PromiseRejectedResult).reason as StoreError).message).toMatch(/^another client opened this store/);
    expect(second.status).toBe('fulfilled');
    const client = (second as PromiseFulfilledResult<SyncClient>).value;
    clients.push(client);
    await client.set('todos', 't1', 'title', 'kept');
    expect(store.get('todos', 't1')).toEqual({ title: 'kept' });
  });

  it('a SQLite connection has one store: made again, it is the same store (other options: a ValidationError)', async () => {
    const first = sqliteStore() as ReturnType<typeof createSqliteStore>;
    const again = createSqliteStore(first.db);
    expect(again).toBe(first);
    expect(createSqliteStore(first.db, { checkpoints: {} })).toBe(first);
    expect(() => createSqliteStore(first.db, { checkpoints: { idleMs: 5 } })).toThrow(ValidationError);
    expect(() => createSqliteStore(first.db, { checkpoints: { idleMs: 5 } })).toThrow('createSqliteStore: this connection has a store already, with other options (one store per connection)');
    // Two clients on it, as a hot reload that kept the connection opens them: the second takes over.
    const a = await open(first);
    await a.set('todos', 't1', 'title', 'one');
    const b = await open(again);
    await expect(a.set('todos', 't2', 'title', 'late')).rejects.toThrow(/^another client opened this store/);
    const hlcs = new Set<string>();
    for (let i = 0; i < 20; i++) hlcs.add((await b.set('todos', `b${i}`, 'title', 'x')).hlc);
    expect(hlcs.size).toBe(20);
    expect((await first.messages({ kind: 'pending', limit: 100 })).length).toBe(21);
  });

  it('without Web Locks too (Node 22, React Native): a commit the first still has under way lands before the second reads', async () => {
    vi.stubGlobal('navigator', undefined);
    try {
      const { store, hangNext, letGo } = hangingStore();
      // Its clock reads earlier than the first's: only what it reads from the store puts its writes after.
      const now = () => T0;
      const first = await open(store);
      await first.set('todos', 'a', 'title', 'before');
      const underWay = hangNext();
      const late = first.update('todos', 'b', { title: 'late', done: true }); // two messages, one commit
      await underWay;
      let opened = false;
      const opening = createSyncClient({ schema, store, autoSync: false, now }).then((c) => ((opened = true), clients.push(c), c));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(opened).toBe(false); // it waits for the first's commit
      letGo();
      const theirs = await late;
      const second = await opening;
      const mine = await second.update('todos', 'c', { title: 'second', done: false });
      expect(mine.every((m) => theirs.every((t) => m.hlc > t.hlc))).toBe(true);
      await expect(first.set('todos', 'd', 'title', 'after')).rejects.toThrow(/^another client opened this store/);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a third client takes the store over from the second, not from the first it replaced (whose letting go keeps the second held)', async () => {
    const store = createMemoryStore();
    const a = await open(store);
    const b = await open(store);
    await expect(a.set('todos', 'a', 'title', 'x')).rejects.toThrow(/^another client opened this store/);
    const c = await open(store);
    await expect(b.set('todos', 'b', 'title', 'y')).rejects.toThrow(/^another client opened this store/);
    await c.set('todos', 'c', 'title', 'z');
    expect([...store.rows('todos').keys()]).toEqual(['c']);
  });

  it('a client closed first is not taken over, and the next opens on its store as usual', async () => {
    const store = createMemoryStore();
    const first = await open(store);
    await first.set('todos', 't1', 'title', 'one');
    await first.close();
    const second = await open(store);
    const m = await second.set('todos', 't1', 'title', 'two');
    expect(m.hlc > (await second.history('todos', 't1', 'title'))[1]!.hlc).toBe(true);
    expect(store.get('todos', 't1')).toEqual({ title: 'two' });
  });
});
