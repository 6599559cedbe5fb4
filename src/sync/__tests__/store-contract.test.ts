/**
 * What a custom store that breaks its contract is told (store-guard.ts): each broken answer
 * is a StoreError that names the method and what was wrong with the answer, before the client
 * relies on it. client-writes.test.ts checks that such stores fail with a StoreError and
 * store nothing (and what a broken transact() is told); this suite checks that each check of
 * the other answers is made, and says which contract it was.
 */
import { describe, expect, it } from 'vitest';
import { StoreError, createSyncClient, defineSchema, deviceNames, type SyncClient, type SyncStore } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import type { Commit, StoreState, StoredMessage } from '../store.ts';
import { T0, asyncStore, memory, schema } from './harness/test-kit.ts';

const HLC = formatHlc({ millis: T0, counter: 0, clientId: 'other' });
const good: StoredMessage = { hlc: HLC, table: 'todos', row: 't', column: 'title', value: 'x', local: false, synced: true, applied: false, error: null };
const without = (key: keyof StoredMessage): Record<string, unknown> => Object.fromEntries(Object.entries(good).filter(([k]) => k !== key));

/** Opening a client over `store`: the StoreError it fails with. */
async function openError(store: SyncStore): Promise<StoreError> {
  const err: unknown = await createSyncClient({ schema, store, autoSync: false }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

describe('a custom store that breaks its contract', () => {
  it.each([
    ['null', [null], 'a message is not an object'],
    ['a number', [5], 'a message is not an object'],
    ['a message without its hlc', [without('hlc')], 'a message lacks hlc, table, row or column'],
    ['a numeric hlc', [{ ...good, hlc: 5 }], 'a message lacks hlc, table, row or column'],
    ['a message without its table', [without('table')], 'a message lacks hlc, table, row or column'],
    ['a numeric row', [{ ...good, row: 5 }], 'a message lacks hlc, table, row or column'],
    ['a message without its column', [without('column')], 'a message lacks hlc, table, row or column'],
    ['local as a string', [{ ...good, local: 'yes' }], `message ${HLC} has flags that are not booleans (not 0 or 1)`],
    ['no synced flag', [without('synced')], `message ${HLC} has flags that are not booleans (not 0 or 1)`],
    ['applied as a number', [{ ...good, applied: 1 }], `message ${HLC} has flags that are not booleans (not 0 or 1)`],
    ['an error that is a number', [{ ...good, error: 5 }], `message ${HLC} has an invalid error`],
    ['an error left undefined', [{ ...good, error: undefined }], `message ${HLC} has an invalid error`],
    ['no value', [without('value')], `message ${HLC} has no value (a null value must be read back as null)`],
    // A driver that reads SQL NULL back as undefined: the push would carry no value.
    ['a value left undefined', [{ ...good, value: undefined }], `message ${HLC} has no value (a null value must be read back as null)`],
    ['an hlc that is not one', [{ ...good, hlc: '2026-11-24' }], 'message "2026-11-24" has an hlc that is not one'],
    // A long one (a row's whole value read into the hlc column) is quoted by its start: the error stays readable.
    ['an hlc of 10,000 characters', [{ ...good, hlc: 'h'.repeat(10_000) }], `message ${JSON.stringify('h'.repeat(10_000)).slice(0, 60)} has an hlc that is not one`],
    // A join or a UNION ALL that repeats a row: the push would carry it twice.
    ['the same message twice', [good, { ...good }], `it returned message ${HLC} twice`],
    // The whole list is checked, not its first message only.
    ['a good message, then one without its flags', [good, without('local')], `message ${HLC} has flags that are not booleans (not 0 or 1)`],
  ])('messages() answering with %s: opening fails, naming the query and the fault', async (_name, list, reason) => {
    const store: SyncStore = { ...memory(), messages: () => list as never };
    expect((await openError(store)).message).toMatch(new RegExp(`^the store broke its contract in messages\\(\\w+\\): ${escape(reason)}$`));
  });

  it('a message whose error is a string or null passes, and with a value of null', async () => {
    for (const error of [null, 'rejected by the schema']) {
      const inner = memory();
      let answered = false;
      // Answering a query that asks for it (round 55 checks that too): kept unapplied, or set aside.
      const [kind, message] = error === null ? ['unapplied', { ...good, value: null }] : ['rejected', { ...good, local: true, synced: false, applied: true, error, value: null }];
      const store: SyncStore = { ...inner, messages: (q) => (answered || q.kind !== kind ? inner.messages(q) : ((answered = true), [message])) };
      // Whatever the client makes of the message, the guard let it through.
      let client: SyncClient | null = null;
      try {
        client = await createSyncClient({ schema, store, autoSync: false });
      } catch (err) {
        expect((err as Error).message).not.toMatch(/broke its contract in messages/);
      }
      expect(answered).toBe(true);
      await client?.close();
    }
  });

  it.each([
    ['null', () => null, 'open() must return { meta, maxHlc, pendingCount }'],
    ['a string', () => 'open', 'open() must return { meta, maxHlc, pendingCount }'],
    ['a null meta', (s: StoreState) => ({ ...s, meta: null }), 'open() must return { meta, maxHlc, pendingCount }'],
    // The value the store gave is quoted (round 62), a long one cut, as other contract errors quote theirs.
    ['a maxHlc that is a date', (s: StoreState) => ({ ...s, maxHlc: '2026-11-24' }), 'open() returned maxHlc "2026-11-24", which is not an hlc'],
    ['a maxHlc of 300 characters', (s: StoreState) => ({ ...s, maxHlc: 'h'.repeat(300) }), `open() returned maxHlc "${'h'.repeat(59)}, which is not an hlc`],
    ['a maxHlc that is a number', (s: StoreState) => ({ ...s, maxHlc: 1764000000000 }), 'open() returned maxHlc 1764000000000, which is not an hlc'],
    ['a maxHlc left out', (s: StoreState) => ({ meta: s.meta, pendingCount: s.pendingCount }), 'open() returned maxHlc undefined, which is not an hlc'],
    ['a pendingCount of -1', (s: StoreState) => ({ ...s, pendingCount: -1 }), 'open() returned pendingCount -1, which is not an integer from 0'],
    ['a pendingCount of 1.5', (s: StoreState) => ({ ...s, pendingCount: 1.5 }), 'open() returned pendingCount 1.5, which is not an integer from 0'],
    ['a pendingCount of "0"', (s: StoreState) => ({ ...s, pendingCount: '0' }), 'open() returned pendingCount "0", which is not an integer from 0'],
    ['a pendingCount of null', (s: StoreState) => ({ ...s, pendingCount: null }), 'open() returned pendingCount null, which is not an integer from 0'],
    ['a pendingCount that is a BigInt (a driver\'s COUNT)', (s: StoreState) => ({ ...s, pendingCount: 3n }), 'open() returned pendingCount 3n, which is not an integer from 0'],
    ['a pendingCount that is an object', (s: StoreState) => ({ ...s, pendingCount: { count: 3 } }), 'open() returned pendingCount object, which is not an integer from 0'],
  ])('open() answering with %s: opening fails, saying so', async (_name, answer, reason) => {
    const inner = memory();
    const store: SyncStore = { ...inner, open: (sc) => answer(inner.open(sc) as StoreState) as never };
    expect((await openError(store)).message).toBe(`the store broke its contract in open(): ${reason}`);
  });

  it('open() answering with a maxHlc of null (an empty store) or an hlc opens', async () => {
    for (const maxHlc of [null, HLC]) {
      const inner = memory();
      const client = await createSyncClient({ schema, store: { ...inner, open: (sc) => ({ ...(inner.open(sc) as StoreState), maxHlc }) }, autoSync: false });
      await client.close();
    }
  });

  it.each([
    ['null', null],
    ['an object with get() and no values()', { get: () => undefined }],
    ['an object with values() and no get()', { values: () => [][Symbol.iterator]() }],
  ])('winners() answering with %s: a write fails with a StoreError that says a Map was due', async (_name, answer) => {
    const client = await createSyncClient({ schema, store: { ...memory(), winners: () => answer as never }, autoSync: false });
    await expect(client.set('todos', 't', 'title', 'x')).rejects.toThrow(new StoreError('the store broke its contract in winners(): winners() must return a Map'));
    await client.close();
  });

  // A driver that reads SQL NULL back as undefined, or a transact() that calls plan() with no
  // argument: the guard's own message about it threw a TypeError, which reached the app.
  it('winners() answering with undefined for a cell: a write fails with a StoreError that says so', async () => {
    const inner = memory();
    const client = await createSyncClient({ schema, store: { ...inner, winners: (cells) => new Map(cells.map((c) => [`${c.table}\u0000${c.row}\u0000${c.column}`, undefined])) as never }, autoSync: false });
    await expect(client.set('todos', 't', 'title', 'x')).rejects.toThrow(new StoreError('the store broke its contract in winners(): winners() returned undefined, which is not an hlc'));
    await client.close();
  });

  it('transact() calling plan with no winner at all (undefined): a write fails with a StoreError that says so', async () => {
    const inner = memory();
    const store: SyncStore = { ...inner, transact: (_cells, plan) => inner.commit((plan as (newest?: string | null) => Commit)()) };
    const client = await createSyncClient({ schema, store, autoSync: false });
    await expect(client.set('todos', 't', 'title', 'x')).rejects.toThrow(new StoreError('the store broke its contract in transact(): it gave plan undefined, which is not an hlc'));
    expect(client.status.pending).toBe(0);
    await client.close();
  });

  it.each([
    ['null', null],
    ['a string', 'Laptop'],
    ['an array of pairs', [['devices\u0000me\u0000name', { value: 'Laptop', hlc: HLC }]]],
  ])('values() answering with %s: reading device names fails with a StoreError that says a Map was due', async (_name, answer) => {
    const withDevices = defineSchema({ version: 1, tables: { devices: { name: 'string' } } });
    const store: SyncStore = { ...memory(), values: () => answer as never };
    const err: unknown = await createSyncClient({ schema: withDevices, store, autoSync: false, device: deviceNames({ name: 'Laptop' }) }).then(() => null, (e: unknown) => e);
    expect(err).toEqual(new StoreError('the store broke its contract in values(): values() must return a Map'));
  });

  it('a store without values() has its cells read through winners() and messages()', async () => {
    const withDevices = defineSchema({ version: 1, tables: { devices: { name: 'string' } } });
    const { values: _values, ...rest } = memory();
    const client = await createSyncClient({ schema: withDevices, store: rest as SyncStore, autoSync: false, device: deviceNames({ name: 'Laptop' }) });
    expect(await client.deviceNames([client.clientId])).toEqual(new Map([[client.clientId, 'Laptop']]));
    await client.close();
  });
});

// An answer whose own getter or Proxy throws as the guard reads it, or that holds what the
// client would misread: each was a raw exception or a TypeError that reached the app untyped.
describe("a custom store whose answer cannot be read", () => {
  const textless = (): unknown => Object.create(null) as unknown;
  const state = (inner: SyncStore, schemaArg: Parameters<SyncStore['open']>[0]): StoreState => inner.open(schemaArg) as StoreState;

  it.each([
    ['a getter that throws, synchronously', false],
    ['a getter that throws, asynchronously', true],
  ])('open() answering with %s: opening fails with a StoreError that says so', async (_name, later) => {
    const inner = memory();
    const answer = (sc: Parameters<SyncStore['open']>[0]): StoreState => {
      const opened = state(inner, sc);
      return { get meta(): never { throw textless(); }, maxHlc: opened.maxHlc, pendingCount: opened.pendingCount };
    };
    const err = await openError({ ...inner, open: (sc) => (later ? Promise.resolve().then(() => answer(sc)) : answer(sc)) });
    expect(err.message).toBe('the store broke its contract in open(): reading its answer threw: [object]');
  });

  it.each([
    ['a number', 12345],
    ['an object without a prototype', textless()],
  ])("open() answering with a meta value that is %s: opening fails, naming the key", async (_name, value) => {
    const inner = memory();
    const err = await openError({ ...inner, open: (sc) => { const opened = state(inner, sc); return { ...opened, meta: { ...opened.meta, clientId: value as string } }; } });
    expect(err.message).toBe('the store broke its contract in open(): open() returned meta.clientId, which is not a string');
  });

  it("names a meta key by its first 40 characters, and a winner that is a string by its first 60", async () => {
    const inner = memory();
    const key = 'k'.repeat(100);
    const err = await openError({ ...inner, open: (sc) => { const opened = state(inner, sc); return { ...opened, meta: { ...opened.meta, [key]: 5 as never } }; } });
    expect(err.message).toBe(`the store broke its contract in open(): open() returned meta.${'k'.repeat(40)}, which is not a string`);
    const client = await createSyncClient({ schema, store: { ...memory(), winners: (cells) => new Map(cells.map((c) => [`${c.table}\u0000${c.row}\u0000${c.column}`, 'w'.repeat(100)])) }, autoSync: false });
    await expect(client.set('todos', 't', 'title', 'x')).rejects.toThrow(new StoreError(`the store broke its contract in winners(): winners() returned ${JSON.stringify('w'.repeat(100)).slice(0, 60)}, which is not an hlc`));
    await client.close();
  });

  it('winners() answering with a bigint for a cell: a write fails with a StoreError that says so', async () => {
    const client = await createSyncClient({ schema, store: { ...memory(), winners: (cells) => new Map(cells.map((c) => [`${c.table}\u0000${c.row}\u0000${c.column}`, 5n])) as never }, autoSync: false });
    await expect(client.set('todos', 't', 'title', 'x')).rejects.toThrow(new StoreError('the store broke its contract in winners(): winners() returned bigint, which is not an hlc'));
    expect(client.status.pending).toBe(0);
    await client.close();
  });

  it("messages() answering with a message whose getter throws: opening fails with a StoreError", async () => {
    const err = await openError({ ...memory(), messages: () => [{ ...good, get hlc(): never { throw new Error('row gone'); } }] });
    expect(err.message).toMatch(/^the store broke its contract in messages\(\w+\): reading its answer threw: row gone$/);
  });
});

describe('an asynchronous store that fails (IndexedDB, a database driver)', () => {
  // Its failure is a rejected promise, not a throw: it must become a StoreError all the same,
  // with the store's error as its cause (docs/api.md, StoreError), and nothing written.
  const boom = new Error('quota exceeded');
  /** An asynchronous memory store whose `method` rejects once `failing.on` is set. */
  const failingIn = (inner: SyncStore, method: 'open' | 'messages' | 'commit' | 'transact' | 'winners', failing: { on: boolean }): SyncStore => {
    const store: Record<string, unknown> = { ...asyncStore(inner), transact: undefined };
    const call = store[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    store[method] = (...args: unknown[]) => (failing.on ? Promise.reject(boom) : call ? call(...args) : Promise.resolve());
    return store as unknown as SyncStore;
  };

  it.each(['open', 'messages'] as const)('%s() rejecting: opening fails with a StoreError', async (method) => {
    const err = await openError(failingIn(memory(), method, { on: true }));
    expect(err.code).toBe('store');
    expect(err.cause).toBe(boom);
    expect(err.message).toMatch(new RegExp(`^the store failed in ${method}\\(\\w*\\): quota exceeded$`));
  });

  it.each(['commit', 'transact', 'winners'] as const)('%s() rejecting: a write fails with a StoreError, and nothing is written', async (method) => {
    const inner = memory();
    const failing = { on: false };
    const client = await createSyncClient({ schema, store: failingIn(inner, method, failing), autoSync: false });
    failing.on = true;
    const err: unknown = await client.set('todos', 't', 'title', 'x').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ message: `the store failed in ${method}(): quota exceeded`, cause: boom });
    expect(inner.get('todos', 't')).toBeUndefined();
    expect(client.status.pending).toBe(0);
    await client.close();
  });
});

/** `text` as a literal part of a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
