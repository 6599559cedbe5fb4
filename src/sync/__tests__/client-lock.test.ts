/**
 * One client at a time on a store without transact() (client-lock.ts), through the runtime's
 * Web Locks (Node 24 has them, as browsers do, Node 22 not; client-lock-browser.test.ts has two real tabs).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreError, createSyncClient, defineSchema, type SyncClient, type SyncStore } from '../index.ts';
import { createDocumentStore, type DocumentStorage } from '../../../docs/examples/document-store.ts';
import { holdClientLock } from '../client-lock.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, T0, hangingStore, memory, schema } from './harness/test-kit.ts';

/** A store of the app's own, without transact(): the memory store's functions, in another object. */
function ownStore(): SyncStore {
  const inner = memory();
  return {
    open: (s) => inner.open(s),
    winners: (cells) => inner.winners(cells),
    messages: (q) => inner.messages(q),
    commit: (c) => inner.commit(c),
  };
}

/** `store`, whose `nth` `open()` (the first by default) has read the store (`read` resolves) and answers only once `letGo()` is called. */
function heldAfterRead(store: SyncStore, nth = 1): { store: SyncStore; read: Promise<void>; letGo(): void } {
  let reading = (): void => {};
  const read = new Promise<void>((resolve) => (reading = resolve));
  let letGo = (): void => {};
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  let opens = 0;
  const held: SyncStore = { ...store, open: async (s) => {
    const state = await store.open(s);
    if (++opens === nth) {
      reading();
      await gate;
    }
    return state;
  } };
  return { store: held, read, letGo };
}

/** Node 24 has Web Locks; Node 22 (`navigator.locks` undefined) does not, and nothing is locked there. */
const hasWebLocks = typeof (globalThis as { navigator?: { locks?: { request?: unknown } } }).navigator?.locks?.request === 'function';

afterEach(() => vi.unstubAllGlobals());

type LockNames = { held?: { name?: string }[]; pending?: { name?: string }[] };

/** The names of the Web Locks this runtime holds, or (`pending`) waits for. */
async function lockNames(which: keyof LockNames): Promise<string[]> {
  const manager = (globalThis as { navigator?: { locks?: { query(): Promise<LockNames> } } }).navigator?.locks;
  return ((await manager?.query())?.[which] ?? []).map((l) => l.name ?? '');
}
const heldLocks = (): Promise<string[]> => lockNames('held');
const pendingLocks = (): Promise<string[]> => lockNames('pending');

describe('a store without transact() takes one client at a time', () => {
  it.skipIf(!hasWebLocks)(hasWebLocks
    ? 'a second client on it takes it over, and the first stops with an error that says why'
    : 'a second client on it takes it over (skipped: this Node has no Web Locks, navigator.locks; Node 24 has them)', async () => {
    const server = createInProcessServer();
    const store = ownStore();
    const first = await createSyncClient({ schema, store, remote: new ScriptedRemote(server), autoSync: false });
    await first.set('todos', 'a', 'title', 'first');
    const second = await createSyncClient({ schema, store, remote: new ScriptedRemote(server), autoSync: false });
    expect(second.clientId).toBe(first.clientId);
    await expect.poll(() => first.status.state).toBe('error');
    const refused = await first.set('todos', 'b', 'title', 'lost?').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).message).toMatch(/^another client opened this store \(clientId [\w-]+\): another tab of this app/);
    expect((refused as StoreError).message).toMatch(/This one stopped: two clients on one store would stamp different writes with the same hlc, and lose one$/);
    expect(first.status.error).toMatchObject({ code: 'store' });
    await expect(first.sync()).rejects.toBeInstanceOf(StoreError);
    // The second goes on, with the first one's write, and syncs it.
    await second.set('todos', 'b', 'title', 'second');
    await second.sync();
    expect((await server.store.pull('user', { cursor: 0, limit: 10, excludeClientId: 'x' })).messages.map((m) => m.value)).toEqual(['first', 'second']);
    await first.close(); // does nothing more
    await second.close();
  });

  it.skipIf(!hasWebLocks)('what the first committed after the second read the store, the second\'s clock passes: no hlc is given twice', async () => {
    const store = ownStore();
    const now = () => T0; // one millisecond for every write: only the counter tells them apart
    const first = await createSyncClient({ schema, store, autoSync: false, now });
    // The second client reads the store, then waits (as an asynchronous store may) before it takes it over.
    const { store: slow, read, letGo } = heldAfterRead(store);
    const opening = createSyncClient({ schema, store: slow, autoSync: false, now });
    await read;
    const mine = await first.set('todos', 'a', 'title', 'first, meanwhile');
    letGo();
    const second = await opening;
    const theirs = await second.set('todos', 'b', 'title', 'second');
    expect(theirs.hlc).not.toBe(mine.hlc);
    expect(theirs.hlc > mine.hlc).toBe(true);
    await first.close();
    await second.close();
  });

  it.skipIf(!hasWebLocks)('taken over while it still opens (its last read under way): createSyncClient rejects with why, and nothing throws elsewhere', async () => {
    const store = ownStore();
    const before = await createSyncClient({ schema, store, autoSync: false });
    await before.close();
    const { clientId } = before;
    await expect.poll(heldLocks).not.toContain(`fieldsync:client:${clientId}`);
    // The read after the lock (the store opened again: sync-client.ts) waits until the second client has opened.
    const { store: slow, read: reached, letGo } = heldAfterRead(store, 2);
    const opening = createSyncClient({ schema, store: slow, autoSync: false }).catch((e: unknown) => e);
    await reached;
    // The second takes the store over, then waits for the first's read under way (client-lock.ts's calls lock).
    const secondOpening = createSyncClient({ schema, store, autoSync: false });
    await expect.poll(pendingLocks).toContain(`fieldsync:client:${clientId}:calls`);
    letGo();
    const second = await secondOpening;
    const refused = await opening;
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).message).toMatch(/^another client opened this store/);
    await second.set('todos', 'a', 'title', 'works');
    await second.close();
  });

  it.skipIf(!hasWebLocks)('a client whose remote throws on subscribe rejects, and holds the store no longer', async () => {
    // No client to close is given: a lock kept would make the next client on the store take it over.
    const remote = Object.assign(new ScriptedRemote(), { subscribe: () => { throw new Error('no pokes here'); } });
    await expect(createSyncClient({ schema, store: ownStore(), remote })).rejects.toThrow('no pokes here');
    await expect.poll(async () => (await heldLocks()).filter((name) => name.startsWith('fieldsync:client:'))).toEqual([]);
  });

  it.skipIf(!hasWebLocks)('a commit the first still has under way lands before the second reads the store: the second stamps none of its hlcs', async () => {
    const { store, hangNext, letGo } = hangingStore();
    const now = () => T0; // one millisecond for every write: only the counter tells them apart
    const first = await createSyncClient({ schema, store, autoSync: false, now });
    await first.set('todos', 'a', 'title', 'before');
    const underWay = hangNext();
    const late = first.update('todos', 'b', { title: 'late', done: true }); // two messages, one commit
    await underWay;
    // Another tab's store object over the same storage (the same object is taken over in-process: store-object-takeover.test.ts).
    const opening = createSyncClient({ schema, store: { ...store }, autoSync: false, now });
    await expect.poll(pendingLocks).toContain(`fieldsync:client:${first.clientId}:calls`);
    letGo();
    const theirs = await late;
    const second = await opening;
    const mine = await second.update('todos', 'c', { title: 'second', done: false });
    const hlcs = theirs.map((m) => m.hlc);
    for (const m of mine) expect(hlcs).not.toContain(m.hlc);
    expect(mine.every((m) => hlcs.every((h) => m.hlc > h))).toBe(true);
    await first.close();
    await second.close();
  });

  it.skipIf(!hasWebLocks)('a client taken over while it waits for the one before gives up at once: the third waits for the first only', async () => {
    const { store, hangNext, letGo } = hangingStore();
    const first = await createSyncClient({ schema, store, autoSync: false });
    const calls = `fieldsync:client:${first.clientId}:calls`;
    const underWay = hangNext();
    const late = first.set('todos', 'a', 'title', 'late');
    await underWay;
    let secondEnded: unknown = null;
    // Each another tab's store object over the same storage.
    const second = createSyncClient({ schema, store: { ...store }, autoSync: false }).then(
      (c) => { secondEnded = 'opened'; return c; },
      (e: unknown) => { secondEnded = e; return null; },
    );
    await expect.poll(pendingLocks).toContain(calls);
    const third = createSyncClient({ schema, store: { ...store }, autoSync: false });
    // The second, taken over, rejects while the first's commit still hangs: it gave up its
    // request for the calls' lock (Node's query() still lists an aborted request, so the
    // rejection is what shows it). The third waits for the first.
    await expect.poll(() => secondEnded).toBeInstanceOf(StoreError);
    expect((secondEnded as StoreError).message).toMatch(/^another client opened this store/);
    expect(await pendingLocks()).toContain(calls);
    letGo();
    const theirs = await late;
    const opened = await third;
    const mine = await opened.set('todos', 'b', 'title', 'third');
    expect(mine.hlc > theirs.hlc).toBe(true);
    expect(await second).toBeNull();
    await first.close();
    await opened.close();
  });

  it('a client whose open fails after it took the lock lets go of it', async () => {
    const store = ownStore();
    const before = await createSyncClient({ schema, store, autoSync: false });
    await before.close();
    const { clientId } = before;
    await expect.poll(heldLocks).not.toContain(`fieldsync:client:${clientId}`);
    let opens = 0;
    const failing: SyncStore = { ...store, open: async (s) => {
      // Where the runtime has Web Locks, the store is opened again once the lock is held.
      if (++opens === (hasWebLocks ? 2 : 1)) throw new Error('disk gone');
      return store.open(s);
    } };
    await expect(createSyncClient({ schema, store: failing, autoSync: false })).rejects.toMatchObject({ code: 'store' });
    await expect.poll(heldLocks).not.toContain(`fieldsync:client:${clientId}`);
  });

  it('a closed client lets go: the next one on the store is not stopped by anything', async () => {
    const store = ownStore();
    const first = await createSyncClient({ schema, store, autoSync: false });
    if (hasWebLocks) expect(await heldLocks()).toContain(`fieldsync:client:${first.clientId}`);
    await first.close();
    await expect.poll(heldLocks).not.toContain(`fieldsync:client:${first.clientId}`); // released, not left for the next to steal
    const second = await createSyncClient({ schema, store, autoSync: false });
    const third = await createSyncClient({ schema, store: ownStore(), autoSync: false }); // another store, another clientId
    await second.set('todos', 'a', 'title', 'x');
    await third.set('todos', 'a', 'title', 'y');
    expect([second.status.state, third.status.state]).toEqual(['offline', 'offline']); // no remote: offline, not 'error'
    await second.close();
    await third.close();
  });

  it.each([
    ['no navigator at all (React Native, QuickJS)', undefined],
    ['a navigator without locks (Node 22)', {}],
    ['locks without request()', { locks: {} }],
    ['Web Locks that are denied (a sandboxed iframe: SecurityError)', { locks: { request: () => Promise.reject(Object.assign(new Error('denied'), { name: 'SecurityError' })) } }],
  ])('with %s, a client opens and works without the lock', async (_name, navigator) => {
    vi.stubGlobal('navigator', navigator);
    const server = createInProcessServer();
    const client = await createSyncClient({ schema, store: ownStore(), remote: new ScriptedRemote(server), autoSync: false });
    await client.set('todos', 'a', 'title', 'x');
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', error: null, pending: 0 });
    await client.close();
  });

  it.skipIf(!hasWebLocks)('holdClientLock: a lock released and stolen at once (a client opened as the other closed) was let go, not taken over', async () => {
    let takenOver = 0;
    const first = await holdClientLock('releasedThenStolen', () => takenOver++);
    first.release();
    const next = await holdClientLock('releasedThenStolen', () => {});
    await next.ready;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(takenOver).toBe(0);
    next.release();
    // Held, the same steal is a takeover.
    const held = await holdClientLock('stolen', () => takenOver++);
    const thief = await holdClientLock('stolen', () => {});
    await expect.poll(() => takenOver).toBe(1);
    held.release();
    await thief.ready;
    thief.release();
  });

  it.skipIf(!hasWebLocks)('the store is opened again once the client holds its lock; one whose clientId is not the one locked (the store made again meanwhile) makes createSyncClient reject', async () => {
    const inner = memory();
    const opens: string[] = [];
    let swap = false;
    const store: SyncStore = {
      open: (s) => {
        const state = inner.open(s) as Awaited<ReturnType<SyncStore['open']>>;
        opens.push(state.meta.clientId ?? '(none)');
        return state;
      },
      winners: (cells) => inner.winners(cells),
      messages: (q) => inner.messages(q),
      // Another clientId lands instead of this one's, as a store cleared and made again by another app would have.
      commit: (c) => inner.commit(swap && c.meta?.clientId !== undefined ? { ...c, meta: { ...c.meta, clientId: 'theOtherClient' } } : c),
    };
    const client = await createSyncClient({ schema, store, autoSync: false });
    // Read, read again under the lock for new stores (the clientId made there), read again under its own lock.
    expect(opens).toEqual(['(none)', '(none)', client.clientId]);
    await client.close();
    opens.length = 0;
    const again = await createSyncClient({ schema, store, autoSync: false });
    expect(opens).toEqual([client.clientId, client.clientId]); // read, and read again under its lock
    await again.close();
    swap = true;
    opens.length = 0;
    const fresh = memory();
    Object.assign(inner, { open: fresh.open, winners: fresh.winners, messages: fresh.messages, commit: fresh.commit });
    const refused = await createSyncClient({ schema, store, autoSync: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).message).toMatch(/^another client opened this store \(clientId [\w-]+\)/);
    expect(opens).toEqual(['(none)', '(none)', 'theOtherClient']);
    // It let go of the lock it took: a client on the store now opens.
    swap = false;
    const next = await createSyncClient({ schema, store, autoSync: false });
    expect(next.clientId).toBe('theOtherClient');
    await next.close();
  });

  it.skipIf(!hasWebLocks)('two clients that open a new store at once agree on one clientId: the store gets one, and the second takes the first over', async () => {
    const inner = memory();
    const ids: string[] = [];
    const store: SyncStore = {
      // Asynchronous, as IndexedDB is: each read lets the other client run.
      open: async (s) => inner.open(s),
      winners: async (cells) => inner.winners(cells),
      messages: async (q) => inner.messages(q),
      commit: async (c) => {
        if (c.meta?.clientId !== undefined) ids.push(c.meta.clientId);
        return inner.commit(c);
      },
    };
    const first = createSyncClient({ schema, store, autoSync: false }).catch((e: unknown) => e);
    const second = await createSyncClient({ schema, store, autoSync: false });
    expect(ids).toEqual([second.clientId]); // made once, never written over
    const stopped = await first;
    // The first either stopped while it opened, or opened and was stopped by the second.
    const why = stopped instanceof StoreError ? stopped : await (stopped as SyncClient).set('todos', 'a', 'title', 'x').catch((e: unknown) => e);
    expect(why).toBeInstanceOf(StoreError);
    expect((why as StoreError).message).toMatch(/^another client opened this store/);
    await second.set('todos', 'b', 'title', 'works');
    await second.close();
  });

  it.skipIf(!hasWebLocks)('nothing is written before the lock is held: a commit of the client before, made after this one first read the store, is not written over (the README\'s document store, and a new schema to save)', async () => {
    let text: string | null = null;
    const storage: DocumentStorage = { load: async () => text, save: async (t) => void (text = t) };
    const first = await createSyncClient({ schema, store: createDocumentStore(storage), autoSync: false });
    // The second reads the storage, then waits (as an asynchronous store may) before it takes the store over.
    const { store: slow, read, letGo } = heldAfterRead(createDocumentStore(storage));
    // A newer version of the app: its client saves the new schema as it opens.
    const newer = defineSchema({ version: 2, tables: { todos: { title: 'string', done: 'boolean', note: 'string' } } });
    const opening = createSyncClient({ schema: newer, store: slow, autoSync: false });
    await read;
    const mine = await first.set('todos', 'a', 'title', 'written meanwhile');
    letGo();
    const client = await opening;
    expect(Object.keys((JSON.parse(text as unknown as string) as { messages: object }).messages)).toEqual([mine.hlc]);
    expect((await client.history('todos', 'a', 'title')).map((m) => m.value)).toEqual(['written meanwhile']);
    expect(client.status.pending).toBe(1);
    await first.close();
    await client.close();
  });

  it('without Web Locks (Node 22, React Native) the store is opened once: there is no client before to wait for, nor to read after', async () => {
    vi.stubGlobal('navigator', {});
    const inner = memory();
    let opens = 0;
    const store: SyncStore = { ...ownStore(), open: (s) => (opens++, inner.open(s)), winners: (c) => inner.winners(c), messages: (q) => inner.messages(q), commit: (c) => inner.commit(c) };
    const client = await createSyncClient({ schema, store, autoSync: false });
    await client.set('todos', 'a', 'title', 'x');
    expect(opens).toBe(1);
    expect(await lockNames('held')).toEqual([]);
    await client.close();
  });

  it('the memory store, which lives in one page, takes no Web Lock: a second client on that object takes it over in-process', async () => {
    const store = memory();
    const a = await createSyncClient({ schema, store, autoSync: false });
    const b = await createSyncClient({ schema, store, autoSync: false });
    expect(await heldLocks()).not.toContain(`fieldsync:client:${a.clientId}`);
    await expect(a.set('todos', 'a', 'title', 'x')).rejects.toThrow(/^another client opened this store/);
    await b.set('todos', 'b', 'title', 'y');
    expect(b.status.error).toBeNull();
    await a.close();
    await b.close();
  });
});
