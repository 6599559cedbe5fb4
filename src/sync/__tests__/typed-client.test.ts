/**
 * A client's writes are typed by the declaration its schema was made from (`defineSchema`):
 * a misspelt table or column, or a value of the wrong type, does not compile. The lines
 * marked `@ts-expect-error` are the check: `npm run typecheck` fails on one that compiles
 * (an unused directive). At run time the client checks every call as before, so each of
 * them still fails with its typed error (a JavaScript app, or a cast, gets there).
 */
import { describe, expect, it } from 'vitest';
import { SchemaError, createMemoryStore, createSyncClient, defineSchema, type Schema, type SchemaInput, type SyncClient } from '../index.ts';

const schema = defineSchema({
  version: 1,
  tables: {
    todos: { title: { type: 'string', maxLength: 50 }, done: 'boolean', rank: 'integer', note: { type: 'string', nullable: true }, meta: 'json' },
    lists: { name: 'string' },
  },
});

describe('a client of a declared schema', () => {
  it('takes the declaration\'s tables, columns and values, and its rows\' tombstones', async () => {
    const client = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false });
    await client.update('todos', 't1', { title: 'Milk', done: false, rank: 1, note: null, meta: { tags: ['a'] } });
    await client.set('todos', 't1', 'note', 'semi-skimmed');
    await client.set('lists', 'l1', 'name', 'Shop');
    await client.delete('lists', 'l1');
    await client.set('lists', 'l1', '_deleted', false);
    expect((await client.history('todos', 't1', 'note')).map((m) => m.value)).toEqual(['semi-skimmed', null]);
    await client.close();
  });

  it('refuses at compile time what it refuses at run time', async () => {
    const client = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false });
    // @ts-expect-error a table the schema does not declare
    await expect(client.set('todo', 't1', 'done', true)).rejects.toThrow(SchemaError);
    // @ts-expect-error a column of another table
    await expect(client.set('todos', 't1', 'name', 'x')).rejects.toThrow(SchemaError);
    // @ts-expect-error a string in a boolean column
    await expect(client.set('todos', 't1', 'done', 'yes')).rejects.toThrow(SchemaError);
    // @ts-expect-error null in a column that is not nullable
    await expect(client.set('todos', 't1', 'title', null)).rejects.toThrow(SchemaError);
    // @ts-expect-error a number in a text column, in an update
    await expect(client.update('todos', 't1', { title: 5 })).rejects.toThrow(SchemaError);
    // @ts-expect-error a column the table does not have, in an update
    await expect(client.update('todos', 't1', { titel: 'x' })).rejects.toThrow(SchemaError);
    // @ts-expect-error a table the schema does not declare
    await expect(client.delete('list', 'l1')).rejects.toThrow(SchemaError);
    // @ts-expect-error a tombstone is true or false
    await expect(client.set('todos', 't1', '_deleted', 1)).rejects.toThrow(SchemaError);
    // @ts-expect-error a history of a column the table does not have
    await expect(client.history('todos', 't1', 'titel')).resolves.toEqual([]);
    // Not a type: an integer column takes any number at compile time; 2.5 fails when it runs.
    await expect(client.set('todos', 't1', 'rank', 2.5)).rejects.toThrow(SchemaError);
    await client.close();
  });

  it('is a SyncClient, as code that takes any client asks for', async () => {
    const client = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false });
    const any: SyncClient = client;
    const clients: readonly SyncClient[] = [client];
    await any.set('todos', 't1', 'title', 'Milk');
    expect(clients[0]?.clientId).toBe(client.clientId);
    await client.close();
  });
});

describe('a client of a schema made at run time', () => {
  it('takes any name and any JSON value at compile time, and checks them when it runs', async () => {
    // Tables read from a file, a server, a form: the compiler does not know them.
    const input: SchemaInput = JSON.parse('{"version":1,"tables":{"notes":{"body":"string"}}}') as SchemaInput;
    const loose: Schema = defineSchema(input);
    const client = await createSyncClient({ schema: loose, store: createMemoryStore(), autoSync: false });
    await client.set('notes', 'n1', 'body', 'hello');
    await expect(client.set('note', 'n1', 'body', { any: ['json'] })).rejects.toThrow(SchemaError);
    await client.close();
  });
});
