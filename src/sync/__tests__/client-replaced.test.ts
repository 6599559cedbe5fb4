/**
 * What the client reports about a pull beyond "data changed": the cells whose value it
 * replaced (`'replaced'`), a cell's history (`history()`), and device names (`device`,
 * `setDeviceName`, `deviceNames`). With a store that has `values()` (the memory store) and
 * one that lacks it (read through the cell's messages).
 */
import { describe, expect, it } from 'vitest';
import { deviceNames } from '../devices.ts';
import { ValidationError } from '../errors.ts';
import { defineSchema, type ColumnSpec } from '../schema.ts';
import { createSyncClient } from '../sync-client.ts';
import type { ReplacedEvent, SyncClient } from '../sync-client-types.ts';
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
  // [5, 'a b', ''] gave an empty Map: the ids that cannot be rows were left out unseen.
  it('refuses clientIds that cannot be row ids, naming the first; an id no device has just has no name', async () => {
    const client = await createSyncClient({ schema, store: memory(), device: deviceNames({ name: 'Laptop' }) });
    const refusedBy = async (c: SyncClient, ids: unknown[], message: string, index: number) => {
      const err: unknown = await c.deviceNames(ids as string[]).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: 'invalid_argument', message, index });
    };
    const refused = (ids: unknown[], message: string, index: number) => refusedBy(client, ids, message, index);
    await refused([5, 'a b', ''], 'deviceNames: clientIds[0] must be a non-empty string', 0);
    await refused([client.clientId, ''], 'deviceNames: clientIds[1] must be a non-empty string', 1);
    await refused(['a', null], 'deviceNames: clientIds[1] must be a non-empty string', 1);
    await refused(['a\u0000b'], 'deviceNames: clientIds[0] must not contain U+0000', 0);
    await refused(['x'.repeat(200)], 'deviceNames: clientIds[0] must be at most 128 characters', 0);
    expect(await client.deviceNames(['a b', client.clientId, client.clientId])).toEqual(new Map([[client.clientId, 'Laptop']]));
    expect(await client.deviceNames([])).toEqual(new Map());
    await client.close();
    // Without the device option no device has a name, but an id that cannot be one is still refused.
    const plain = await createSyncClient({ schema, store: memory() });
    await refusedBy(plain, [plain.clientId, 5], 'deviceNames: clientIds[1] must be a non-empty string', 1);
    await refusedBy(plain, [''], 'deviceNames: clientIds[0] must be a non-empty string', 0);
    expect(await plain.deviceNames([plain.clientId, 'no-such-device'])).toEqual(new Map());
    await plain.close();
  });

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
    const wrongDevices: Record<string, ColumnSpec>[] = [{ label: 'string' }, { name: 'number' }, { name: 'json' }];
    for (const devices of wrongDevices) {
      const wrong = defineSchema({ version: 1, tables: { devices } });
      await expect(createSyncClient({ schema: wrong, store: memory(), device: deviceNames({ name: 'x' }) }), JSON.stringify(devices))
        .rejects.toThrow('device names need a table "devices" with a string column "name" in the schema, such as devices: { name: \'string\' }');
    }
    const noDevice = await createSyncClient({ schema, store: memory() });
    await expect(noDevice.setDeviceName('x')).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await noDevice.deviceNames([noDevice.clientId])).toEqual(new Map());
    await noDevice.close();
  });

  it('keeps the names in the table the option names', async () => {
    const own = defineSchema({ version: 1, tables: { machines: { name: 'string' }, devices: { name: 'string' } } });
    const store = memory();
    const c = await createSyncClient({ schema: own, store, device: deviceNames({ name: 'Laptop', table: 'machines' }) });
    expect(store.get('machines', c.clientId)).toEqual({ name: 'Laptop' });
    expect(store.rows('devices').size).toBe(0);
    await c.setDeviceName('Desk');
    expect(await c.deviceNames([c.clientId])).toEqual(new Map([[c.clientId, 'Desk']]));
    await c.close();
    await expect(createSyncClient({ schema, store: memory(), device: deviceNames({ name: 'x', table: 'machines' }) })).rejects.toThrow('a table "machines" with a string column "name"');
  });

  it('asked for ids that cannot be rows (not strings, empty, U+0000), refuses them: the store never sees them', async () => {
    // A store is only ever asked about rows that can exist; this one fails on any other.
    const strict = (inner: SyncStore): SyncStore => {
      const check = (cells: readonly { row: unknown }[]): void => {
        for (const { row } of cells) if (typeof row !== 'string' || row === '' || row.includes('\u0000')) throw new Error(`asked for row ${String(row)}`);
      };
      return {
        ...inner,
        open: (s) => inner.open(s),
        commit: (c) => inner.commit(c),
        winners: (cells) => (check(cells), inner.winners(cells)),
        messages: (q) => (q.kind === 'cell' && check([q]), inner.messages(q)),
        ...(inner.values ? { values: (cells: Parameters<NonNullable<SyncStore['values']>>[0]) => (check(cells), inner.values!(cells)) } : {}),
      };
    };
    for (const [, makeStore] of stores) {
      const c = await createSyncClient({ schema, store: strict(makeStore()), device: deviceNames({ name: 'Laptop' }) });
      for (const bad of [42, '', 'a\u0000b', null]) {
        const err: unknown = await c.deviceNames([c.clientId, bad] as never).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError); // not the strict store's Error: it was never asked
        expect(err).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/^deviceNames: clientIds\[1\] must /), index: 1 });
      }
      expect(await c.deviceNames([c.clientId, 'no-such-device', c.clientId])).toEqual(new Map([[c.clientId, 'Laptop']]));
      await c.close();
    }
  });

  it('refuses a bad name at once, and a device option that is not deviceNames()', async () => {
    expect(() => deviceNames({ name: ' ' })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    for (const name of [42, null, undefined, ['Laptop']]) {
      expect(() => deviceNames({ name } as never)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: 'a device name must be a non-empty string' }));
    }
    expect(() => deviceNames(null as never)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    await expect(createSyncClient({ schema, store: memory(), device: { name: 'Laptop' } as never })).rejects.toThrow(/deviceNames\(\{ name/);
  });
});
