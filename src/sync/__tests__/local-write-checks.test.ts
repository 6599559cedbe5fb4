/**
 * The checks of a local write (local-write.ts) that the refusal cases of client-writes.test.ts
 * leave open: what a refused write's error names, and `_deleted` written false.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError, createSyncClient, defineSchema, type SyncClient } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { memory, schema } from './harness/test-kit.ts';

describe('a write to an unknown table', () => {
  it('names the table, cut to its first 100 characters', async () => {
    const client: SyncClient = await createSyncClient({ schema, store: memory(), autoSync: false });
    await expect(client.set('todo', 'r', 'title', 'x')).rejects.toThrow(new SchemaError('unknown table: todo'));
    await expect(client.update('todo', 'r', { title: 'x' })).rejects.toThrow(new SchemaError('unknown table: todo'));
    await expect(client.delete('t'.repeat(10_000), 'r')).rejects.toThrow(new SchemaError(`unknown table: ${'t'.repeat(100)}`));
    await client.close();
  });
});

describe('_deleted', () => {
  it('written false brings a deleted row back, here and on another device', async () => {
    const server = createInProcessServer();
    const stores = [memory(), memory()] as const;
    const [a, b] = await Promise.all(stores.map((store) => createSyncClient({ schema, store, remote: server.remote('u'), autoSync: false })));
    await a!.update('todos', 't1', { title: 'Milk' });
    await a!.delete('todos', 't1');
    expect(stores[0].rows('todos').has('t1')).toBe(false);
    const [m] = await a!.update('todos', 't1', { _deleted: false, title: 'Oat milk' });
    expect(m).toMatchObject({ column: '_deleted', value: false });
    expect(await a!.set('todos', 't1', '_deleted', false)).toMatchObject({ value: false });
    expect(stores[0].rows('todos').get('t1')).toEqual({ title: 'Oat milk', _deleted: false });
    await a!.sync();
    await b!.sync();
    expect(stores[1].rows('todos').get('t1')).toEqual({ title: 'Oat milk', _deleted: false });
    await Promise.all([a!.close(), b!.close()]);
  });
});

describe('a json value with a symbol key', () => {
  // JSON drops symbol-keyed properties: { [s]: 1, a: 1 } was stored as { a: 1 }, silently.
  it('is refused, not stored without it', async () => {
    const notes = defineSchema({ version: 1, tables: { todos: { notes: 'json' } } });
    const store = memory();
    const client = await createSyncClient({ schema: notes, store, autoSync: false });
    await expect(client.set('todos', 'a', 'notes', { [Symbol('s')]: 1, a: 1 } as never)).rejects.toThrow(/value contains a symbol key, which JSON drops/);
    await expect(client.update('todos', 'a', { notes: { list: [{ [Symbol.iterator]: 1 }] } as never })).rejects.toThrow(/symbol key/);
    expect(store.rows('todos').has('a')).toBe(false);
    await client.set('todos', 'a', 'notes', { a: 1 });
    expect(store.get('todos', 'a')).toMatchObject({ notes: { a: 1 } });
    await client.close();
  });
});
