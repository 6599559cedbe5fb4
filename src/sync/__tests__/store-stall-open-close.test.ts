/**
 * The two waits no status can report: a store call that stalls while the client opens
 * (inside createSyncClient) and one that close() waits for. Each gives up after
 * `storeStallMs` with a StoreStalledError; nothing of the client reaches the store (or the
 * server) after it, what the stalled call may still commit lands consistently, and the next
 * client on the store waits for it. Time is vitest's fake timers: nothing sleeps.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreStalledError, createSyncClient, defineSchema, deviceNames, type SyncClient, type SyncStore } from '../index.ts';
import { memory, schema, ScriptedRemote, T0 } from './harness/test-kit.ts';
import { NEW_STORE_BEFORE } from '../client-lock.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A memory store whose calls answer asynchronously, without transact (so a client holds the
 * client lock): `hang('commit()')` makes the next such call wait until let go (`hang('open()', 1)`:
 * the one after the next). `calls` names every call that reached it, as the guard names them
 * (`open()`, `messages(recent)`).
 */
function hangingStore() {
  const inner = memory();
  const calls: string[] = [];
  const hangs = new Map<string, { skip: number; until: Promise<void> }>();
  const gate = async (name: string): Promise<void> => {
    calls.push(name);
    const hung = hangs.get(name);
    if (hung && hung.skip-- > 0) return;
    hangs.delete(name);
    await hung?.until;
  };
  const store: SyncStore = {
    open: async (s) => (await gate('open()'), inner.open(s)),
    winners: async (cells) => (await gate('winners()'), inner.winners(cells)),
    messages: async (q) => (await gate(`messages(${q.kind})`), inner.messages(q)),
    commit: async (c) => (await gate('commit()'), inner.commit(c)),
  };
  const hang = (name: string, skip = 0): (() => void) => {
    let letGo = (): void => {};
    hangs.set(name, { skip, until: new Promise((r) => (letGo = r)) });
    return letGo;
  };
  return { store, inner, calls, hang };
}

/** A promise's outcome so far, without waiting for it: 'pending' until it settles. */
function outcome<T>(p: Promise<T>): { readonly now: 'pending' | { ok: T } | { err: unknown } } {
  let now: 'pending' | { ok: T } | { err: unknown } = 'pending';
  p.then((ok) => (now = { ok }), (err: unknown) => (now = { err }));
  return { get now() { return now; } };
}

const stalled = (call: string, ms: number) => ({ name: 'StoreStalledError', code: 'store_stalled', call, ms });

/** Node 24 has Web Locks (client-lock.ts); the lock checks need them. */
const hasWebLocks = typeof (globalThis as { navigator?: { locks?: { request?: unknown } } }).navigator?.locks?.request === 'function';
/**
 * Whether this runtime holds the client lock of `clientId`. The lock manager lets go of a lock
 * a round trip after its holder did: the first query waits for that, the second answers.
 */
async function locked(clientId: string): Promise<boolean> {
  const manager = (globalThis as { navigator?: { locks?: { query(): Promise<{ held?: { name?: string }[] }> } } }).navigator?.locks;
  await manager?.query();
  return ((await manager?.query())?.held ?? []).some((l) => l.name === `fieldsync:client:${clientId}`);
}

describe('a store call that stalls while the client opens', () => {
  it('open(): createSyncClient rejects after storeStallMs, the late answer starts nothing, and a retry opens', async () => {
    const { store, calls, hang } = hangingStore();
    const letGo = hang('open()');
    const opening = outcome(createSyncClient({ schema, store, autoSync: false, storeStallMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(999);
    expect(opening.now).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(opening.now).toMatchObject({ err: stalled('open()', 1_000) });
    expect((opening.now as { err: unknown }).err).toBeInstanceOf(StoreStalledError);
    expect(vi.getTimerCount()).toBe(0);

    letGo();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['open()']); // the abandoned open went no further

    const client = await createSyncClient({ schema, store, autoSync: false, storeStallMs: 1_000 });
    await client.set('todos', 'a', 'title', 'after');
    expect(client.status.pending).toBe(1);
    await client.close();
  });

  it('its first commit (a new clientId): a retry waits for it, touching nothing, and then opens with the clientId it wrote', async () => {
    const { store, inner, calls, hang } = hangingStore();
    const letGo = hang('commit()');
    const first = outcome(createSyncClient({ schema, store, autoSync: false }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(first.now).toMatchObject({ err: stalled('commit()', 10_000) });

    // While that commit may still land, a retry on this store starts no call of its own.
    const before = calls.length;
    const retry = outcome(createSyncClient({ schema, store, autoSync: false }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(retry.now).toMatchObject({ err: stalled('commit()', 10_000) });
    expect(calls.slice(before)).toEqual([]);

    letGo();
    await vi.advanceTimersByTimeAsync(0);
    const landed = (await inner.open(schema)).meta.clientId;
    expect(landed).toMatch(/^[\w-]{16}$/);
    const client = await createSyncClient({ schema, store, autoSync: false });
    expect(client.clientId).toBe(landed);
    expect((await inner.open(schema)).meta.clientId).toBe(landed);
    await client.close();
  });

  it.skipIf(!hasWebLocks)('after the lock (the store opened again): the lock is held until that call settles, then let go', async () => {
    const { store, calls, hang } = hangingStore();
    const first = await createSyncClient({ schema, store, autoSync: false });
    await first.close(); // the clientId exists, and nothing holds its lock
    const { clientId } = first;
    expect(await locked(clientId)).toBe(false);
    const letGo = hang('open()', 1);
    const opening = outcome(createSyncClient({ schema, store, autoSync: false }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(opening.now).toMatchObject({ err: stalled('open()', 10_000) });
    expect(await locked(clientId)).toBe(true);
    const before = calls.length;

    letGo();
    await vi.advanceTimersByTimeAsync(0);
    expect(await locked(clientId)).toBe(false);
    expect(calls.slice(before)).toEqual([]);
    const client = await createSyncClient({ schema, store, autoSync: false });
    await client.close();
  });

  it.skipIf(!hasWebLocks)('the clientId of a new store, made under the origin\'s lock for new stores: a client of another new store that waits for a stalled one gives up after storeStallMs, having written nothing', async () => {
    const stuck = hangingStore();
    const letGo = stuck.hang('commit()');
    const first = outcome(createSyncClient({ schema, store: stuck.store, autoSync: false }));
    await vi.advanceTimersByTimeAsync(0);
    expect(stuck.calls).toEqual(['open()', 'open()', 'commit()']); // read, read again under the lock, the clientId's commit
    const other = hangingStore();
    const second = outcome(createSyncClient({ schema, store: other.store, autoSync: false, storeStallMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(second.now).toMatchObject({ err: stalled(NEW_STORE_BEFORE, 1_000) });
    expect((second.now as { err: Error }).err.message).toBe( // as docs/api.md names it
      "the store's wait for the lock for new stores (another client of this app holds it) has not settled after 1000 ms");
    expect(other.calls).toEqual(['open()']);
    // The origin's one lock for new stores, by the name docs/api.md gives it: held by the first, asked for by the second.
    const manager = (globalThis as { navigator: { locks: { query(): Promise<{ held: { name: string }[]; pending: { name: string }[] }> } } }).navigator.locks;
    const { held, pending } = await manager.query();
    expect([held.map((l) => l.name), pending.map((l) => l.name)]).toEqual([['fieldsync:new-store'], ['fieldsync:new-store']]);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(first.now).toMatchObject({ err: stalled('commit()', 10_000) });

    letGo();
    await vi.advanceTimersByTimeAsync(0);
    // Its turn at the lock came after it gave up: it wrote nothing then either.
    expect(other.calls).toEqual(['open()']);
    expect((await other.inner.open(schema)).meta).toEqual({});
    const client = await createSyncClient({ schema, store: other.store, autoSync: false });
    expect(client.clientId).not.toBe((await stuck.inner.open(schema)).meta.clientId);
    await client.close();
  });

  it('publishing the device name (a write): the late commit lands once, and the retry finds the name published', async () => {
    const named = defineSchema({ version: 1, tables: { devices: { name: 'string' }, todos: { title: 'string' } } });
    const { store, inner, calls, hang } = hangingStore();
    await (await createSyncClient({ schema: named, store, autoSync: false })).close(); // opened, no name yet
    const letGo = hang('commit()');
    const first = outcome(createSyncClient({ schema: named, store, autoSync: false, device: deviceNames({ name: 'Laptop' }) }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(first.now).toMatchObject({ err: stalled('commit()', 10_000) });
    const before = calls.length;

    letGo();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.slice(before)).toEqual([]);
    const client = await createSyncClient({ schema: named, store, autoSync: false, device: deviceNames({ name: 'Laptop' }) });
    expect(await client.deviceNames([client.clientId])).toEqual(new Map([[client.clientId, 'Laptop']]));
    expect((await inner.messages({ kind: 'pending', limit: 10 })).map((m) => [m.table, m.value])).toEqual([['devices', 'Laptop']]);
    await client.close();
  });
});

describe('close() with a store call that does not settle', () => {
  async function opened(options: { remote?: ScriptedRemote } = {}) {
    const held = hangingStore();
    const client = await createSyncClient({ schema, store: held.store, autoSync: false, ...options });
    return { ...held, client };
  }

  /** A write whose commit stalls, and a close() that gives up on it after storeStallMs. */
  async function closedMidWrite(options: { remote?: ScriptedRemote } = {}) {
    const o = await opened(options);
    const letGo = o.hang('commit()');
    const write = o.client.set('todos', 'a', 'title', 'one');
    await vi.advanceTimersByTimeAsync(0);
    const closing = outcome(o.client.close());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(closing.now).toMatchObject({ err: stalled('commit()', 10_000) });
    return { ...o, letGo, write };
  }

  it('rejects with the stall after storeStallMs; a write queued behind it never reaches the store; the stalled one still lands', async () => {
    const { client, calls, hang, inner } = await opened();
    const heard: unknown[] = [];
    client.on('status', (s) => heard.push(s));
    const letGo = hang('commit()');
    const first = outcome(client.set('todos', 'a', 'title', 'one'));
    await vi.advanceTimersByTimeAsync(0);
    const second = outcome(client.set('todos', 'b', 'title', 'two')); // queued behind it, before close()
    const closing = outcome(client.close());
    await expect(client.set('todos', 'c', 'title', 'three')).rejects.toMatchObject({ code: 'closed' });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(closing.now).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(closing.now).toMatchObject({ err: stalled('commit()', 10_000) });
    expect(heard).toHaveLength(1); // the stall, then nothing: close() let go of the listeners
    expect(vi.getTimerCount()).toBe(0);
    const started = calls.length;

    letGo();
    await vi.advanceTimersByTimeAsync(0);
    expect(first.now).toMatchObject({ ok: { row: 'a', value: 'one' } }); // it landed, whole
    expect(second.now).toMatchObject({ err: { code: 'closed' } }); // refused: never written
    expect(calls.slice(started)).toEqual([]);
    expect((await inner.messages({ kind: 'pending', limit: 10 })).map((m) => m.row)).toEqual(['a']);
    expect(heard).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the call has stalled already (the status said so)', async () => {
    const { client, hang } = await opened();
    const letGo = hang('commit()');
    void client.set('todos', 'a', 'title', 'one');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(client.status.error?.code).toBe('store_stalled');
    await expect(client.close()).rejects.toMatchObject(stalled('commit()', 10_000));
    letGo();
  });

  it('called again, rejects with the same stall: an app that awaits either close() knows the call may still land', async () => {
    const { client, hang } = await opened();
    const letGo = hang('commit()');
    void client.set('todos', 'a', 'title', 'one');
    await vi.advanceTimersByTimeAsync(0);
    const first = outcome(client.close());
    const second = outcome(client.close());
    await vi.advanceTimersByTimeAsync(9_999);
    expect([first.now, second.now]).toEqual(['pending', 'pending']);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.now).toMatchObject({ err: stalled('commit()', 10_000) });
    expect(first.now).toEqual(second.now);
    letGo();
  });

  it.skipIf(!hasWebLocks)('the late commit is pushed once, by the next client, which waits for it: the lock is held until then', async () => {
    const remote = new ScriptedRemote();
    const { client, store, calls, letGo, write } = await closedMidWrite({ remote });
    expect(await locked(client.clientId)).toBe(true);

    // A new client on the store meanwhile: it starts nothing, and says why.
    const started = calls.length;
    const early = outcome(createSyncClient({ schema, store, remote, autoSync: false }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(early.now).toMatchObject({ err: stalled('commit()', 10_000) });
    expect(calls.slice(started)).toEqual([]);

    letGo();
    await write;
    await vi.advanceTimersByTimeAsync(0);
    expect(await locked(client.clientId)).toBe(false);
    const next: SyncClient = await createSyncClient({ schema, store, remote, autoSync: false });
    expect(next.clientId).toBe(client.clientId);
    expect(next.status.pending).toBe(1);
    await next.set('todos', 'b', 'title', 'two'); // stamped after the late commit's hlc
    await next.sync();
    const pushed = remote.requests.flatMap((r) => (r.messages ?? []).map((m) => m.hlc));
    expect(pushed).toHaveLength(2);
    expect(new Set(pushed).size).toBe(2);
    expect(next.status.pending).toBe(0);
    await next.close();
  });

  it('a sync whose read of the pending messages stalls: close() gives up, and when the read answers nothing is pushed', async () => {
    const remote = new ScriptedRemote();
    const { client, calls, hang } = await opened({ remote });
    await client.set('todos', 'a', 'title', 'one');
    const letGo = hang('messages(pending)');
    const sync = outcome(client.sync());
    await vi.advanceTimersByTimeAsync(0);
    const closing = outcome(client.close());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(closing.now).toMatchObject({ err: stalled('messages(pending)', 10_000) });
    const started = calls.length;

    letGo();
    await vi.advanceTimersByTimeAsync(0);
    // The remote ignores the abort signal, as a custom one may: the run itself must not ask it.
    expect(remote.requests).toEqual([]);
    expect(calls.slice(started)).toEqual([]);
    expect(sync.now).toMatchObject({ err: { code: 'closed' } });
  });

  it.skipIf(!hasWebLocks)('closed, then taken over by another tab while its commit still stalls: it keeps saying it was closed', async () => {
    const { client, store, letGo, write } = await closedMidWrite();
    // Another tab: another store object on the same data, which takes the lock it still holds.
    const other = createSyncClient({ schema, store: { ...store }, autoSync: false });
    await vi.advanceTimersByTimeAsync(0);
    letGo();
    await write;
    const next = await other;
    expect(next.clientId).toBe(client.clientId);
    await expect(client.sync()).rejects.toMatchObject({ code: 'closed' });
    await next.close();
  });
});
