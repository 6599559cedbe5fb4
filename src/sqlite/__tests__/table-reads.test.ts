/**
 * The stores' own readers (the memory store's `get` and `rows`, the SQLite store's `readRow`
 * and `rows`) and a table the schema does not declare: a SchemaError that names it. Until
 * round 43 a misspelt table (`rows('todo')`) read as a table with no rows, a row id that was
 * not a string was bound as it came (better-sqlite3's TypeError for an object), `rows` with
 * null options threw "Cannot read properties of null", and an `includeDeleted` of `'yes'`
 * read tombstones in the memory store, not in the SQLite store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaError, createMemoryStore, createSyncClient, defineSchema } from '../../sync/index.ts';
import { caught, refusal } from '../../../test-support/refusal.ts';
import { schemaStores } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const stores = schemaStores(schema);
afterEach(() => stores.dispose());

interface Reader {
  one(table: string, row: unknown): unknown;
  all(table: string, options?: unknown): ReadonlyMap<string, unknown>;
}

/** Each store with one live row (t1) and one deleted (t2), written through a client. */
const readers: [string, () => Promise<Reader>][] = [
  ['memory store', async () => {
    const store = createMemoryStore();
    await write(store);
    return { one: (t, r) => store.get(t, r as string), all: (t, o) => store.rows(t, o as never) };
  }],
  ['SQLite store', async () => {
    const store = stores.open();
    await write(store);
    return { one: (t, r) => store.readRow(t, r as string), all: (t, o) => store.rows(t, o as never) };
  }],
];

async function write(store: Parameters<typeof createSyncClient>[0]['store']): Promise<void> {
  const client = await createSyncClient({ schema, store });
  await client.update('todos', 't1', { title: 'Milk' });
  await client.update('todos', 't2', { title: 'Bread' });
  await client.delete('todos', 't2');
  await client.close();
}

describe.each(readers)('%s', (_name, open) => {
  it.each([['todo'], ['TODOS'], [''], ['fieldsync_meta'], ['constructor'], [5], [null]])('refuses %s as a table, in both readers', async (table) => {
    const r = await open();
    for (const read of [() => r.one(table as string, 't1'), () => r.all(table as string)]) {
      const err = await caught(read);
      expect(err).toBeInstanceOf(SchemaError);
      expect((err as Error).message).toMatch(new RegExp(`no table ${String(table)} in the schema$`));
    }
  });

  it('names a long table by its first 100 characters', async () => {
    const r = await open();
    const long = `x${'y'.repeat(299)}`;
    const err = await caught(() => r.all(long));
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as Error).message).toMatch(new RegExp(`no table x${'y'.repeat(99)} in the schema$`));
  });

  it.each([[5], [null], [{}], [['t1']]])('refuses %s as a row id', async (row) => {
    const r = await open();
    await refusal(() => r.one('todos', row), /row must be a string$/);
  });

  it('reads a declared table as before, tombstones only when asked for', async () => {
    const r = await open();
    expect(r.one('todos', 't1')).toMatchObject({ title: 'Milk' });
    expect(r.one('todos', 'nope')).toBeUndefined();
    expect([...r.all('todos').keys()]).toEqual(['t1']);
    expect([...r.all('todos', null).keys()]).toEqual(['t1']);
    expect([...r.all('todos', {}).keys()]).toEqual(['t1']);
    expect([...r.all('todos', { includeDeleted: false }).keys()]).toEqual(['t1']);
    expect([...r.all('todos', { includeDeleted: true }).keys()].sort()).toEqual(['t1', 't2']);
  });

  it.each([[{ includeDeleted: 'yes' }], [{ includeDeleted: 1 }], ['all'], [true]])('refuses %s as the options of rows', async (options) => {
    const r = await open();
    await refusal(() => r.all('todos', options), /^rows\(table, options\): options must be \{ includeDeleted\?: boolean \}$/);
  });

  it.each([[['includeDeleted']], [[]]])('refuses the array %j as the options of rows', async (options) => {
    const r = await open();
    await refusal(() => r.all('todos', options), /^rows\(table, options\): options must be \{ includeDeleted\?: boolean \}$/);
  });

  it('refuses a misspelt or unknown option of rows, not tombstones left out unseen', async () => {
    const r = await open();
    await refusal(() => r.all('todos', { includedeleted: true }), /^rows\(table, options\): unknown option includedeleted: did you mean includeDeleted\?$/);
    await refusal(() => r.all('todos', { includeDeleted: true, x: 1 }), /^rows\(table, options\): unknown option x: the options are includeDeleted$/);
  });
});

it('a memory store read before any client opened it has no rows, whatever the table', () => {
  const store = createMemoryStore();
  expect(store.rows('anything').size).toBe(0);
  expect(store.get('anything', 't1')).toBeUndefined();
});
