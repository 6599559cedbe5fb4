/**
 * Round 67: a custom store (harness/custom-stores.ts's Map store, written from docs/api.md)
 * made to misbehave in each of its functions the ways real stores do. Each fault gives the
 * caller a StoreError that names the store function and what was wrong; the failed operation
 * leaves the store as it was and the server without a half-pushed or doubled change; and once
 * the store is fixed the client goes on, its unsynced writes reaching the server exactly once.
 */
import { describe, expect, it } from 'vitest';
import { createSyncClient, StoreError, type Cell, type Commit, type MessageQuery, type Remote, type SyncClient, type SyncStore } from '../index.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { createInProcessServer, type InProcessServer } from '../testing/index.ts';
import { createMapStore } from './harness/custom-stores.ts';
import { schema, until } from './harness/test-kit.ts';

type Fn = 'open' | 'winners' | 'values' | 'messages' | 'commit';
type Fault = (call: () => unknown, arg: unknown) => unknown;

/** The Map store, with one function made faulty until `fix()`. */
function faulty() {
  const inner = createMapStore();
  const faults = new Map<Fn, Fault>();
  const call = (fn: Fn, arg: unknown, real: () => unknown): never => {
    const fault = faults.get(fn);
    return (fault ? fault(real, arg) : real()) as never;
  };
  const store: SyncStore = {
    open: (s) => call('open', s, () => inner.open(s)),
    winners: (cells: readonly Cell[]) => call('winners', cells, () => inner.winners(cells)),
    values: (cells: readonly Cell[]) => call('values', cells, () => inner.values!(cells)),
    messages: (q: MessageQuery) => call('messages', q, () => inner.messages(q)),
    commit: (c: Commit) => call('commit', c, () => inner.commit(c)),
  };
  return { inner, store, faults, fix: () => faults.clear() };
}

const everything = { kind: 'recent', limit: 1000 } as const;

/** The reference handler without compaction (it keeps every message), and every hlc pushed to it, in order. */
function counted(): { server: InProcessServer; remote: Remote; pushed: string[] } {
  const server = createInProcessServer({ store: createMemoryServerStore({ compaction: false }) });
  const inner = server.remote();
  const pushed: string[] = [];
  return { server, pushed, remote: { sync: (request, options) => (pushed.push(...(request.messages ?? []).map((m) => m.hlc)), inner.sync(request, options)) } };
}

/** What the server holds, as sorted hlcs. */
async function serverHlcs(server: InProcessServer): Promise<string[]> {
  const page = await server.store.pull('user', { cursor: 0, limit: 10_000, excludeClientId: '', own: true } as never);
  return page.messages.map((m) => m.hlc).sort();
}

/**
 * A client on a faulty store with one write synced and one pending (made offline); runs
 * `trigger` with `fault` in `fn`, checks the StoreError, that the store and the server are as
 * before, then fixes the store and checks that the client syncs everything exactly once.
 */
async function check(fn: Fn, fault: Fault, trigger: (c: SyncClient) => Promise<unknown>, problem: RegExp, pushedFirst = false): Promise<void> {
  const { server, remote, pushed } = counted();
  const f = faulty();
  const client = await createSyncClient({ schema, store: f.store, remote, autoSync: false });
  await client.update('todos', 't1', { title: 'synced', done: false });
  await client.sync();
  await client.set('todos', 't1', 'title', 'pending');
  const before = { messages: await f.inner.messages(everything), row: f.inner.readRow('todos', 't1'), server: await serverHlcs(server) };
  expect(before.server).toHaveLength(2);

  f.faults.set(fn, fault);
  const err = await trigger(client).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe('store');
  expect((err as StoreError).message).toContain(fn === 'messages' ? 'messages(' : `${fn}()`);
  expect((err as StoreError).message).toMatch(problem);
  expect(await f.inner.messages(everything)).toEqual(before.messages);
  expect(f.inner.readRow('todos', 't1')).toEqual(before.row);
  // A sync whose pulled page the store failed to commit had pushed first: the server holds
  // the pending message (once), and the client, which could not mark it synced, pushes it
  // again once fixed, which the server keeps once (it keeps each hlc once).
  const pendingHlc = (await f.inner.messages({ kind: 'pending', limit: 10 }))[0]?.hlc as string;
  expect(await serverHlcs(server)).toEqual(pushedFirst ? [...before.server, pendingHlc].sort() : before.server);

  f.fix();
  await client.set('todos', 't1', 'done', true);
  await client.sync();
  expect(client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
  const local = (await f.inner.messages(everything)).map((m) => m.hlc).sort();
  expect(local).toHaveLength(4);
  expect(await serverHlcs(server)).toEqual(local); // nothing lost
  // Each pushed once: nothing doubled, nothing half-pushed (but the one the server took before the local commit failed).
  expect([...pushed].sort()).toEqual(pushedFirst ? [...local, pendingHlc].sort() : local);
  expect(f.inner.readRow('todos', 't1')).toEqual({ title: 'pending', done: true });
  await client.close();
}

const write = (c: SyncClient) => c.set('todos', 't2', 'title', 'new');
const sync = (c: SyncClient) => c.sync();
const returns = (v: unknown): Fault => () => v;
const throws = (v: unknown): Fault => () => { throw v; };
const rejects = (v: unknown): Fault => () => Promise.reject(v);
/** messages(pending)'s real answer, changed by `edit`. */
const pending = (edit: (list: Record<string, unknown>[]) => unknown): Fault => (real, q) =>
  (q as MessageQuery).kind === 'pending' ? Promise.resolve(real() as Record<string, unknown>[]).then((list) => edit(list.map((m) => ({ ...m })))) : real();

describe('a custom store that misbehaves: a StoreError naming the function, nothing half-written, and all synced once fixed', () => {
  it.each<[string, Fn, Fault, (c: SyncClient) => Promise<unknown>, RegExp]>([
    ['winners() throws a string', 'winners', throws('disk I/O error'), write, /failed in winners\(\): disk I\/O error/],
    ['winners() throws undefined', 'winners', throws(undefined), write, /failed in winners\(\): undefined/],
    ['winners() rejects with an error-like object', 'winners', rejects({ message: 'SQLITE_BUSY' }), write, /SQLITE_BUSY/],
    ['winners() answers an array', 'winners', returns([]), write, /winners\(\) must return a Map/],
    ['winners() answers an hlc in another format', 'winners', (_r, cells) => new Map((cells as Cell[]).map((c) => [`${c.table}\0${c.row}\0${c.column}`, '1700000000000'])), write, /"1700000000000", which is not an hlc/],
    ['winners() answers a winner keyed as table.row.column', 'winners', (_r, cells) => new Map((cells as Cell[]).map((c) => [`${c.table}.${c.row}.${c.column}`, '2026-11-24T15:00:00.000Z-0000-other'])), write, /no cellKey/],
    ['commit() throws a number', 'commit', throws(42), write, /failed in commit\(\): 42/],
    ['commit() rejects', 'commit', rejects(new Error('QuotaExceededError')), write, /QuotaExceededError/],
    ['messages(pending) throws an object without text', 'messages', throws(Object.create(null)), sync, /failed in messages\(pending\): \[object\]/],
    ['messages(pending) answers a message twice', 'messages', pending((l) => [...l, ...l]), sync, /twice/],
    ['messages(pending) answers an object, not an array', 'messages', pending((l) => ({ rows: l })), sync, /must return an array/],
    ['messages(pending) answers rows of another table too (a pulled one)', 'messages', pending((l) => [...l, { ...l[0], hlc: '2026-01-01T00:00:00.000Z-0000-someoneElse', table: 'lists', local: false, synced: true }]), sync, /which the query does not ask for/],
    ['messages(pending) answers an hlc in another format', 'messages', pending((l) => l.map((m) => ({ ...m, hlc: Date.parse((m.hlc as string).slice(0, 24)) }))), sync, /lacks hlc/],
    ['messages(pending) answers flags as 0 and 1', 'messages', pending((l) => l.map((m) => ({ ...m, local: 1, synced: 0, applied: 1 }))), sync, /not booleans/],
    ['messages(pending) answers a value as undefined (SQL NULL)', 'messages', pending((l) => l.map((m) => ({ ...m, value: undefined }))), sync, /has no value/],
    ['messages(pending) answers a value that is a BigInt (a driver reading an INTEGER)', 'messages', pending((l) => l.map((m) => ({ ...m, value: 3n }))), sync, /not JSON/],
    ['messages(pending) answers a value that is a Date (a driver reading a DATETIME)', 'messages', pending((l) => l.map((m) => ({ ...m, value: new Date(0) }))), sync, /not JSON/],
    ['messages(pending) answers a value of NaN', 'messages', pending((l) => l.map((m) => ({ ...m, value: Number.NaN }))), sync, /NaN|not JSON|finite/],
    ['messages(pending) answers a value that is a function (a lazy column)', 'messages', pending((l) => l.map((m) => ({ ...m, value: () => 'pending' }))), sync, /not JSON/],
    ['messages(pending) answers more than its limit', 'messages', (real, q) => ((q as MessageQuery).kind === 'pending' ? Promise.resolve(real() as unknown[]).then((l) => [...l, ...Array.from({ length: 1000 }, (_, i) => ({ ...(l[0] as object), hlc: `2026-01-01T00:00:00.000Z-${String(i).padStart(4, '0')}-x` }))]) : real()), (c) => c.sync(), /for a limit of/],
    ['messages(cell) answers rows of another table', 'messages', (real, q) => ((q as MessageQuery).kind === 'cell' ? Promise.resolve(real() as Record<string, unknown>[]).then((l) => l.map((m) => ({ ...m, table: 'lists' }))) : real()), (c) => c.history('todos', 't1', 'title'), /messages\(cell\).*which the query does not ask for/],
  ])('%s', async (_name, fn, fault, trigger, problem) => {
    await check(fn, fault, trigger, problem);
  });

  it('commit() rejects for a pulled page: the push the server took is pushed again once fixed, and kept once', async () => {
    await check('commit', rejects(new Error('read-only file')), sync, /failed in commit\(\): read-only file/, true);
  });

  it.each<[string, Fault, RegExp]>([
    ['answers entries that are not { value, hlc }', (_r, cells) => new Map((cells as Cell[]).map((c) => [`${c.table}\0${c.row}\0${c.column}`, 'y'])), /values\(\) returned an entry that is not \{ value, hlc \}/],
    ['throws a string', throws('EIO'), /failed in values\(\): EIO/],
  ])('values() %s: a pull that replaces a cell fails with a StoreError and commits nothing; fixed, it commits and reports', async (_name, fault, problem) => {
    const { server, remote } = counted();
    const f = faulty();
    const client = await createSyncClient({ schema, store: f.store, remote, autoSync: false });
    const other = await createSyncClient({ schema, store: createMapStore(), remote: server.remote(), autoSync: false });
    await client.set('todos', 't1', 'title', 'mine');
    await client.sync();
    await other.sync();
    await other.set('todos', 't1', 'title', 'theirs');
    await other.sync();
    const replaced: unknown[] = [];
    client.on('replaced', (e) => replaced.push(e));
    const before = await f.inner.messages(everything);
    f.faults.set('values', fault);
    const err = await client.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(problem);
    expect(await f.inner.messages(everything)).toEqual(before);
    expect(f.inner.readRow('todos', 't1')).toEqual({ title: 'mine' });
    f.fix();
    await client.sync();
    expect(f.inner.readRow('todos', 't1')).toEqual({ title: 'theirs' });
    expect(replaced).toHaveLength(1);
    await client.close();
    await other.close();
  });

  it.each<[string, Fault, RegExp]>([
    ['throws a string', throws('EACCES'), /failed in open\(\): EACCES/],
    ['rejects', rejects(new Error('database is locked')), /database is locked/],
    ['answers null', returns(null), /open\(\) must return \{ meta, maxHlc, pendingCount \}/],
    ['answers meta as a Map', (real) => ({ ...(real() as object), meta: new Map() }), /meta as a Map/],
    ['answers a maxHlc in another format', (real) => ({ ...(real() as object), maxHlc: 1700000000000 }), /maxHlc 1700000000000, which is not an hlc/],
    ['answers pendingCount as text', (real) => ({ ...(real() as object), pendingCount: '1' }), /pendingCount "1", which is not an integer/],
  ])('open() %s: createSyncClient rejects with a StoreError; fixed, the client opens and pushes the unsynced write once', async (_name, fault, problem) => {
    const { server, remote, pushed } = counted();
    const f = faulty();
    const first = await createSyncClient({ schema, store: f.store, remote, autoSync: false });
    await first.set('todos', 't1', 'title', 'offline');
    await first.close();
    const before = await f.inner.messages(everything);
    f.faults.set('open', fault);
    const err = await createSyncClient({ schema, store: f.store, remote, autoSync: false }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toContain('open()');
    expect((err as StoreError).message).toMatch(problem);
    expect(await f.inner.messages(everything)).toEqual(before);
    expect(await serverHlcs(server)).toEqual([]);
    f.fix();
    const again = await createSyncClient({ schema, store: f.store, remote, autoSync: false });
    expect(again.status.pending).toBe(1);
    await again.sync();
    expect(await serverHlcs(server)).toEqual(before.map((m) => m.hlc));
    expect(pushed).toEqual(before.map((m) => m.hlc));
    await again.close();
  });
});

const webLocks = typeof (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks === 'object';

describe('a custom store that forgets to persist, hangs, or settles twice', () => {
  it.skipIf(!webLocks)('commit() that keeps nothing (a new store): createSyncClient rejects with a StoreError that says open() lost the clientId commit() set, not that another client took the store (needs Web Locks: Node 24, browsers)', async () => {
    const f = faulty();
    f.faults.set('commit', returns(undefined));
    const err = await createSyncClient({ schema, store: f.store, autoSync: false }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/in open\(\): it answered no clientId .*commit\(\)/);
    expect((err as StoreError).message).not.toMatch(/another client opened/);
    f.fix();
    const { server, remote } = counted();
    const client = await createSyncClient({ schema, store: f.store, remote, autoSync: false });
    const made = await client.set('todos', 't1', 'title', 'kept');
    await client.sync();
    expect(await serverHlcs(server)).toEqual([made.hlc]);
    await client.close();
  });

  it("commit() that keeps no messages (only cells and meta) is caught by the conformance suite, not at run time: the client cannot tell it from a store another connection pushed", async () => {
    const { storeConformance } = await import('../testing/index.ts');
    const cases = storeConformance(() => {
      const inner = createMapStore();
      return { store: { ...inner, commit: (c: Commit) => inner.commit({ ...c, insert: [] }) }, readRow: (t, r) => inner.readRow(t, r) };
    }, { persistent: false, transact: false });
    const failed: string[] = [];
    for (const c of cases) if (c.skip === undefined) await c.run().catch(() => failed.push(c.name));
    expect(failed).toContain('a commit inserts messages and writes cells');
    expect(failed.some((n) => n.startsWith('pending'))).toBe(true);
  });

  it('messages(pending) that hangs: the status says store_stalled naming messages(pending); once it settles, the sync pushes the write once', async () => {
    const { server, remote, pushed } = counted();
    const f = faulty();
    const client = await createSyncClient({ schema, store: f.store, remote, autoSync: false, storeStallMs: 20 });
    const made = await client.set('todos', 't1', 'title', 'waits');
    let letGo = (): void => {};
    const gate = new Promise<void>((r) => (letGo = r));
    f.faults.set('messages', (real, q) => ((q as MessageQuery).kind === 'pending' ? gate.then(real) : real()));
    const syncing = client.sync();
    await until(() => client.status.error?.code === 'store_stalled', 5000);
    expect(client.status.error?.message).toMatch(/messages\(pending\) has not settled/);
    expect(pushed).toEqual([]);
    f.fix();
    letGo();
    await syncing;
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    expect(pushed).toEqual([made.hlc]);
    expect(await serverHlcs(server)).toEqual([made.hlc]);
    await client.close();
  });

  it.each<[string, (ok: (v?: unknown) => void, bad: (e: unknown) => void) => void, boolean]>([
    ['resolves twice, then rejects', (ok, bad) => (ok(), ok(), bad(new Error('late'))), true],
    ['rejects, then resolves', (ok, bad) => (bad('first'), ok()), false],
  ])('commit() as a thenable that %s: the first outcome counts, once', async (_name, settle, succeeds) => {
    const { server, remote, pushed } = counted();
    const f = faulty();
    const client = await createSyncClient({ schema, store: f.store, remote, autoSync: false });
    // The commit runs (or not: a failed one writes nothing), then the thenable settles twice.
    f.faults.set('commit', (real) => ({ then: (ok: (v?: unknown) => void, bad: (e: unknown) => void) => (succeeds && real(), settle(ok, bad)) }));
    const out = await client.set('todos', 't1', 'title', 'once').then((m) => m, (e: unknown) => e);
    f.fix();
    if (succeeds) expect(out).not.toBeInstanceOf(Error);
    else expect(out).toBeInstanceOf(StoreError);
    expect(client.status.pending).toBe(succeeds ? 1 : 0);
    await client.sync();
    const local = (await f.inner.messages(everything)).map((m) => m.hlc);
    expect(local).toHaveLength(succeeds ? 1 : 0);
    expect(pushed).toEqual(local);
    expect(await serverHlcs(server)).toEqual(local);
    await client.close();
  });
});

describe('a custom store that answers more than it was asked', () => {
  it("winners() answering every cell it holds (a query without its WHERE), other tables' too: only the cells asked are read, and each write syncs once", async () => {
    const { server, remote, pushed } = counted();
    const f = faulty();
    const client = await createSyncClient({ schema, store: f.store, remote, autoSync: false });
    const list = await client.set('lists', 'l1', 'name', 'Groceries');
    const held = [{ table: 'lists', row: 'l1', column: 'name' }, { table: 'todos', row: 't1', column: 'title' }];
    f.faults.set('winners', (real) => Promise.all([real(), f.inner.winners(held)]).then(([asked, all]) => new Map([...(all as Map<string, string>), ...(asked as Map<string, string>)])));
    const first = await client.set('todos', 't1', 'title', 'first');
    const second = await client.set('todos', 't1', 'title', 'second');
    expect(second.hlc > first.hlc && first.hlc > list.hlc).toBe(true);
    await client.sync();
    expect(pushed).toEqual([list.hlc, first.hlc, second.hlc]);
    expect(await serverHlcs(server)).toEqual([list.hlc, first.hlc, second.hlc].sort());
    expect(f.inner.readRow('todos', 't1')).toEqual({ title: 'second' });
    expect(f.inner.readRow('lists', 'l1')).toEqual({ name: 'Groceries' });
    await client.close();
  });
});
