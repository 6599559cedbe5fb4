/**
 * An app that adds a column or a table and forgets to bump its schema's `version`: what other
 * devices wrote to them, and this device kept unapplied while it did not know them, is applied
 * when it opens with the new tables anyway (client-state.ts compares what the schema declares,
 * not only its version). Before, those messages were kept unapplied for good, with no error,
 * and the devices never converged. Real SQLite files, the real server over HTTP on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type Schema, type SyncClient, type SyncStore } from '../../sync/index.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const server = useRealServer();
const before = defineSchema({ version: 2, tables: { todos: { title: 'string', done: 'boolean' } } });
// The same version: a column and a table added without a bump.
const after = defineSchema({ version: 2, tables: { todos: { title: 'string', done: 'boolean', priority: { type: 'integer', nullable: true } }, notes: { body: 'string' } } });

const files: SqliteFile[] = [];
const open: SyncClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  for (const f of files.splice(0)) f.dispose();
});

async function client(schema: Schema, store: SyncStore, user: string): Promise<SyncClient> {
  const c = await createSyncClient({ schema, store, autoSync: false, remote: createHttpRemote({ url: server.url, token: await server.token(user) }) });
  open.push(c);
  return c;
}

describe('a schema changed without a new version', () => {
  it('applies, on open, what other devices wrote to the columns and tables it now declares', async () => {
    const file = sqliteFile();
    files.push(file);
    const a = await client(after, createMemoryStore(), 'unbumped-a');
    await a.update('todos', 't1', { title: 'Pay rent', done: false, priority: 3 });
    await a.update('notes', 'n1', { body: 'landlord: 4711' });
    await a.sync();

    const oldStore = file.open();
    const old = await client(before, oldStore, 'unbumped-a');
    await old.sync();
    expect(oldStore.readRow('todos', 't1')).toMatchObject({ title: 'Pay rent', done: false });
    expect(oldStore.readRow('todos', 't1')).not.toHaveProperty('priority');
    expect(oldStore.messages({ kind: 'unapplied' })).toHaveLength(2);
    await old.close();

    const store = file.open();
    await client(after, store, 'unbumped-a');
    expect(store.readRow('todos', 't1')).toMatchObject({ title: 'Pay rent', done: false, priority: 3 });
    expect(store.readRow('notes', 'n1')).toMatchObject({ body: 'landlord: 4711' });
    expect(store.messages({ kind: 'unapplied' })).toEqual([]);
  });
});
