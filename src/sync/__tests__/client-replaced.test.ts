/**
 * What the client reports about a pull beyond "data changed": the cells whose value it
 * replaced (`'replaced'`), a cell's history (`history()`), and device names (`device`,
 * `setDeviceName`, `deviceNames`). With a store that has `values()` (the memory store) and
 * one that lacks it (read through the cell's messages).
 */
import { describe, expect, it } from 'vitest';
import { deviceNames } from '../devices.ts';
import { defineSchema } from '../schema.ts';
import { createSyncClient, type ReplacedEvent } from '../sync-client.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { hlcClientId } from '../hlc.ts';
import type { SyncStore } from '../store.ts';
import { asyncStore, memory } from './harness/test-kit.ts';

const schema = defineSchema({
  version: 1,
  tables: { devices: { name: { type: 'string', maxLength: 60 } }, todos: { title: 'string', done: 'boolean' } },
});

const stores: [string, () => SyncStore][] = [
  ['a store with values()', memory],
  ['a store without values()', () => asyncStore(memory())],
];

describe.each(stores)('with %s', (_name, makeStore) => {
  async function pair(clock = { t: Date.UTC(2026, 0, 1) }) {
    const server = createInProcessServer();
    const open = (name: string) =>
      createSyncClient({ schema, store: makeStore(), remote: server.remote('u'), autoSync: false, now: () => clock.t, device: deviceNames({ name }) });
    return { a: await open('Laptop A'), b: await open('Phone B'), clock };
  }

  it('reports the value a pull replaced, with both timestamps; not for new cells, and not without listeners', async () => {
    const { a, b, clock } = await pair();
    await a.update('todos', 't1', { title: 'Milk', done: false });
    await a.sync();
    const seenByB: ReplacedEvent[] = [];
    b.on('replaced', (e) => seenByB.push(e));
    await b.sync(); // new cells: nothing replaced
    expect(seenByB).toEqual([]);

    // Both edit the title offline; B's edit is later and wins.
    const mine = await a.set('todos', 't1', 'title', 'Oat milk');
    clock.t += 1000;
    const theirs = await b.set('todos', 't1', 'title', 'Whole milk');
    await b.sync();
    const seenByA: ReplacedEvent[] = [];
    const off = a.on('replaced', (e) => seenByA.push(e));
    await a.sync();
    expect(seenByA).toEqual([{ cells: [{ table: 'todos', row: 't1', column: 'title', previous: { value: 'Oat milk', hlc: mine.hlc }, next: { value: 'Whole milk', hlc: theirs.hlc } }] }]);
    expect(hlcClientId(seenByA[0]?.cells[0]?.next.hlc as string)).toBe(b.clientId);

    // B pulls A's earlier edit: it loses, nothing on B changes, nothing is reported.
    await b.sync();
    expect(seenByB).toEqual([]);

    // The history of the cell keeps both: the winner first, then the write it beat.
    const history = await a.history('todos', 't1', 'title');
    expect(history.map((m) => [m.value, m.won, m.local])).toEqual([['Whole milk', true, false], ['Oat milk', false, true], ['Milk', false, true]]);
    off();
    clock.t += 1000;
    await b.set('todos', 't1', 'title', 'Skimmed milk');
    await b.sync();
    await a.sync();
    expect(seenByA).toHaveLength(1); // unsubscribed
    await Promise.all([a.close(), b.close()]);
  });

  it('publishes device names, renames them, and names other devices', async () => {
    const { a, b } = await pair();
    await a.sync();
    await b.sync();
    await a.sync();
    expect(await a.deviceNames([a.clientId, b.clientId, 'unknown-id'])).toEqual(new Map([[a.clientId, 'Laptop A'], [b.clientId, 'Phone B']]));
    await b.setDeviceName('  Kitchen tablet ');
    await b.sync();
    await a.sync();
    expect((await a.deviceNames([b.clientId])).get(b.clientId)).toBe('Kitchen tablet');
    await expect(b.setDeviceName('   ')).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(a.deviceNames('x' as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('device names: set-up', () => {
  it('writes the name at start only when the device has none: a rename stays', async () => {
    const store = memory();
    const c1 = await createSyncClient({ schema, store, device: deviceNames({ name: 'Laptop' }) });
    await c1.setDeviceName('Renamed');
    await c1.close();
    const c2 = await createSyncClient({ schema, store, device: deviceNames({ name: 'Laptop' }) });
    expect(c2.status.pending).toBe(2); // the first start's write and the rename only
    expect(await c2.deviceNames([c2.clientId])).toEqual(new Map([[c2.clientId, 'Renamed']]));
    await c2.setDeviceName('Renamed'); // unchanged: nothing written
    expect(c2.status.pending).toBe(2);
    await c2.close();
  });

  it('needs a device table with a string name column', async () => {
    const plain = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
    await expect(createSyncClient({ schema: plain, store: memory(), device: deviceNames({ name: 'x' }) })).rejects.toMatchObject({ code: 'schema' });
    const noDevice = await createSyncClient({ schema, store: memory() });
    await expect(noDevice.setDeviceName('x')).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await noDevice.deviceNames([noDevice.clientId])).toEqual(new Map());
    await noDevice.close();
  });

  it('refuses a bad name at once, and a device option that is not deviceNames()', async () => {
    expect(() => deviceNames({ name: ' ' })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => deviceNames(null as never)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    await expect(createSyncClient({ schema, store: memory(), device: { name: 'Laptop' } as never })).rejects.toThrow(/deviceNames\(\{ name/);
  });
});
