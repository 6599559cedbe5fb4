/**
 * A custom store whose `winners()` or `values()` answers with a map of its own: an object with
 * `get` and `values`, as the store guard's check asks, but no native Map
 * (store-guard.ts). Round 55: the client read such an answer beyond what the check had read,
 * and what broke there reached the app raw. A 'replaced' listener made every pull fail with
 * "winners.has is not a function" (the pull never committed), a `get` that threw escaped a
 * sync as the store's raw error, a `values()` answer that could not be iterated failed the
 * opening with "object is not iterable" (the check asked for `get` only), and one whose
 * entries were bare values went to the app as a replaced cell's `previous`. Now the client
 * reads such a map through its `get` and `values` only, the guard checks each entry and
 * guards `get`: what is wrong is a StoreError that says so.
 */
import { describe, expect, it } from 'vitest';
import { StoreError, createSyncClient, defineSchema, deviceNames, type ReplacedEvent, type SyncStore } from '../index.ts';
import type { Cell, CellValue } from '../store.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { T0, memory, schema } from './harness/test-kit.ts';

/** What the memory store `inner` answers to values(): a Map, at once. */
const valuesOf = (inner: SyncStore, cells: readonly Cell[]) => inner.values?.(cells) as ReadonlyMap<string, CellValue>;

/** A map-like of the store's own over `map`: `get` and `values`, nothing else of a Map's. */
const mapLike = <V>(map: ReadonlyMap<string, V>, get = (key: string): V | undefined => map.get(key)) => ({ get, values: () => map.values() });

/**
 * Two clients of one server: `mine` on `store` over `inner`, `theirs` on a memory store. Each
 * writes t1's title, theirs later, and theirs syncs: `mine`'s next pull replaces its value.
 */
async function replacing(store: (inner: SyncStore) => SyncStore) {
  const server = createInProcessServer();
  const clock = { t: T0 };
  const inner = memory();
  const mine = await createSyncClient({ schema, store: store(inner), remote: server.remote('u'), autoSync: false, now: () => clock.t });
  const theirs = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false, now: () => clock.t });
  await mine.set('todos', 't1', 'title', 'mine');
  await mine.sync();
  clock.t += 1000;
  await theirs.sync();
  await theirs.set('todos', 't1', 'title', 'theirs');
  await theirs.sync();
  await theirs.close();
  const replaced: ReplacedEvent[] = [];
  mine.on('replaced', (e) => replaced.push(e));
  return { mine, inner, replaced };
}

describe("winners() answering with a map of the store's own", () => {
  it('without has(): a pull with a replaced listener commits and reports, as with a Map', async () => {
    const { mine, inner, replaced } = await replacing((inner) => ({ ...inner, winners: (cells) => mapLike(inner.winners(cells) as ReadonlyMap<string, string>) as never }));
    await expect(mine.sync()).resolves.toMatchObject({ state: 'idle', error: null });
    expect((inner as ReturnType<typeof memory>).get('todos', 't1')).toEqual({ title: 'theirs' });
    expect(replaced.flatMap((e) => e.cells.map((c) => [c.previous.value, c.next.value]))).toEqual([['mine', 'theirs']]);
    await mine.close();
  });

  it('whose get() throws: the pull fails with a StoreError that says so, and commits nothing', async () => {
    let failing = false;
    const { mine, inner } = await replacing((inner) => ({
      ...inner,
      winners: (cells) => {
        const found = inner.winners(cells) as ReadonlyMap<string, string>;
        const get = (key: string): string | undefined => {
          if (failing) throw new Error('cursor closed');
          return found.get(key);
        };
        // With has(), so that only its get() is at fault.
        return { ...mapLike(found, get), has: (key: string) => get(key) !== undefined } as never;
      },
    }));
    failing = true;
    const err: unknown = await mine.sync().then(() => null, (e: unknown) => e);
    expect(err).toEqual(new StoreError('the store broke its contract in winners(): reading its answer threw: cursor closed'));
    expect((inner as ReturnType<typeof memory>).get('todos', 't1')).toEqual({ title: 'mine' });
    await mine.close();
  });
});

describe("values() answering with a map of the store's own", () => {
  const withDevices = defineSchema({ version: 1, tables: { devices: { name: 'string' }, todos: { title: 'string' } } });

  it('with get() and values(), as winners(): device names are read', async () => {
    const inner = memory();
    const store: SyncStore = { ...inner, values: (cells) => mapLike(valuesOf(inner, cells)) as never };
    const client = await createSyncClient({ schema: withDevices, store, autoSync: false, device: deviceNames({ name: 'Laptop' }) });
    expect(await client.deviceNames([client.clientId])).toEqual(new Map([[client.clientId, 'Laptop']]));
    await client.close();
  });

  it('with get() only: a StoreError that says a Map was due', async () => {
    const inner = memory();
    const store: SyncStore = { ...inner, values: (cells) => ({ get: (key: string) => valuesOf(inner, cells).get(key) }) as never };
    const err: unknown = await createSyncClient({ schema: withDevices, store, autoSync: false, device: deviceNames({ name: 'Laptop' }) }).then(() => null, (e: unknown) => e);
    expect(err).toEqual(new StoreError('the store broke its contract in values(): values() must return a Map'));
  });

  it.each([
    ['the bare value', (v: { value: unknown }) => v.value],
    ['null', () => null],
    ['an entry without its hlc', (v: { value: unknown }) => ({ value: v.value })],
  ])('whose entry is %s, not { value, hlc }: a StoreError that says so', async (_name, entry) => {
    const inner = memory();
    const store: SyncStore = { ...inner, values: (cells) => new Map([...valuesOf(inner, cells)].map(([k, v]) => [k, entry(v)])) as never };
    // The first opening publishes the name (no entry yet); the second reads it back.
    await (await createSyncClient({ schema: withDevices, store: inner, autoSync: false, device: deviceNames({ name: 'Laptop' }) })).close();
    const err: unknown = await createSyncClient({ schema: withDevices, store, autoSync: false, device: deviceNames({ name: 'Laptop' }) }).then(() => null, (e: unknown) => e);
    expect(err).toEqual(new StoreError('the store broke its contract in values(): values() returned an entry that is not { value, hlc }'));
  });
});
