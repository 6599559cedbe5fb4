/**
 * The elements of an app's own calls of a library store's methods (store-calls.ts), each
 * field of each kind in turn given a value of the wrong type (a message's value one that is
 * not JSON, or past the protocol's limit, as the client refuses it): a ValidationError that names
 * the element, and nothing written. The shape alone was checked before: `insert: [null]`
 * was a TypeError from inside, and a message whose `hlc` was 5 was stored, after which the
 * store's clock could not be read. What the contract allows stays accepted: an `error`
 * string or null, a write's `hlc` null, a flag update's flags left out, any string to
 * update or remove (one not stored changes nothing).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type SyncStore } from '../index.ts';
import { createSqliteStore } from '../../sqlite/index.ts';
import { refusal } from '../../../test-support/refusal.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const HLC = '2026-11-24T15:09:39.990Z-0000-Zq81';
const message = { hlc: HLC, table: 'todos', row: 't1', column: 'title', value: 'Buy milk', local: true, synced: false, applied: true, error: null };
const write = { hlc: HLC, table: 'todos', row: 't1', column: 'title', value: 'Buy milk' };
const COMMIT = 'store.commit() takes a commit: { insert?, remove?, update?, writes? } arrays and { meta? } an object';
const CELLS = 'takes an array of cells: cells[1] is not a cell: { table, row, column } strings';

const STORES: Record<string, () => SyncStore> = {
  'memory store': () => createMemoryStore(),
  'SQLite store': () => createSqliteStore(new Database(':memory:')),
};

/** `base` with `key` set to each of `values` in turn. */
const each = <T extends object>(base: T, key: string, values: unknown[]): T[] => values.map((v) => ({ ...base, [key]: v }));

const BAD: [string, object, string][] = [
  ...[
    ...['table', 'row', 'column'].flatMap((key) => each(message, key, [5, null, undefined])),
    ...each(message, 'hlc', [5, 'soon', `${HLC} `, null]),
    ...each(message, 'value', [undefined, () => 'x', Number.NaN, new Date(0), { a: [1, undefined] }, 'x'.repeat(70_000)]),
    ...['local', 'synced', 'applied'].flatMap((key) => each(message, key, [0, 'true', undefined])),
    ...each(message, 'error', [undefined, 5]),
    null, 'message',
  ].map((m): [string, object, string] => [`insert ${JSON.stringify(m)?.slice(0, 100)}`, { insert: [message, m] }, 'insert[1] is not a stored message']),
  ...[
    ...['table', 'row', 'column'].flatMap((key) => each(write, key, [5, undefined])),
    ...each(write, 'hlc', [5, 'soon', undefined]),
    ...each(write, 'value', [undefined, () => 'x', Number.POSITIVE_INFINITY, new Map()]),
    null,
  ].map((w): [string, object, string] => [`write ${JSON.stringify(w)?.slice(0, 100)}`, { insert: [message], writes: [write, w] }, 'writes[1] is not a cell write']),
  ...[
    { synced: true }, { hlc: 5, synced: true }, { hlc: HLC, synced: 1 }, { hlc: HLC, applied: 'no' }, { hlc: HLC, error: 5 }, null,
  ].map((u): [string, object, string] => [`update ${JSON.stringify(u)}`, { insert: [message], update: [{ hlc: HLC }, u] }, 'update[1] is not a flag update']),
  ...[5, null, undefined].map((r): [string, object, string] => [`remove ${String(r)}`, { insert: [message], remove: [HLC, r] }, 'remove[1] is not an hlc string']),
  ...[{ cursor: 5 }, { cursor: null }, { a: 'x', b: {} }].map((meta): [string, object, string] => [`meta ${JSON.stringify(meta)}`, { insert: [message], meta }, 'meta values must be strings']),
];

describe.each(Object.keys(STORES))("an app's own call of a %s: each element is checked", (name) => {
  const open = (): SyncStore => {
    const store = (STORES[name] as () => SyncStore)();
    void store.open(schema);
    return store;
  };

  it.each(BAD)('commit, %s: refused, nothing written', async (_, commit, why) => {
    const store = open();
    await refusal(() => store.commit(commit as never), `${COMMIT}: ${why}`);
    expect(await store.messages({ kind: 'recent', limit: 10 })).toEqual([]);
    expect((await store.winners([write])).size).toBe(0);
  });

  it('cells of winners, values and transact, each field', async () => {
    const store = open();
    for (const bad of [...['table', 'row', 'column'].flatMap((key) => each(write, key, [5, undefined])), null, 'todos']) {
      await refusal(() => store.winners([write, bad] as never), `store.winners() ${CELLS}`);
      await refusal(() => store.values?.([write, bad] as never), `store.values() ${CELLS}`);
      if (store.transact) await refusal(() => store.transact?.([write, bad] as never, () => ({})), `store.transact() ${CELLS.replace('an array of cells', 'an array of cells and a plan function')}`);
    }
  });

  it("the client's own calls skip the checks, and only while they run: an app's call after them is checked", async () => {
    const store = (STORES[name] as () => SyncStore)();
    const client = await createSyncClient({ schema, store });
    await client.set('todos', 't1', 'title', 'Buy milk');
    await expect(client.set('todos', 't1', 'title', 5 as never)).rejects.toThrow(); // a refused write, a failed call
    await refusal(() => store.commit({ insert: [{ ...message, hlc: 5 }] } as never), `${COMMIT}: insert[0] is not a stored message`);
    await refusal(() => store.winners([write, null] as never), `store.winners() ${CELLS}`);
    expect((await store.messages({ kind: 'recent', limit: 10 })).map((m) => m.value)).toEqual(['Buy milk']);
    await client.close();
  });

  it('what the contract allows is taken', async () => {
    const store = open();
    const later = `2026-11-24T15:09:40.000Z-0000-Zq81`;
    await store.commit({
      insert: [message, { ...message, hlc: later, value: null, local: false, synced: true, applied: false, error: 'refused: too long' }],
      writes: [{ ...write, hlc: null, value: null }, write],
      update: [{ hlc: HLC }, { hlc: 'not stored', synced: true, applied: false, error: null }],
      remove: ['not stored'],
      meta: { cursor: '7' },
    });
    expect((await store.messages({ kind: 'recent', limit: 10 })).map((m) => m.hlc)).toEqual([later, HLC]);
    expect([...(await store.winners([write])).values()]).toEqual([HLC]);
    expect((await store.open(schema)).meta).toMatchObject({ cursor: '7' });
  });
});
