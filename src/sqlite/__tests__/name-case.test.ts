/**
 * Names that differ only in case (name-case.ts). SQLite's names ignore case; the protocol's
 * do not. A later schema version that renames a column or table only in case is refused when
 * the store opens, with a SchemaError, before anything changes: the file still opens with
 * the earlier version, and its unpushed writes are pushed under their own names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaError, createSyncClient, defineSchema, type Schema } from '../../sync/index.ts';
import { createInProcessServer } from '../../sync/testing/index.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const v1 = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });

let file: SqliteFile;
afterEach(() => file?.dispose());

/** A file written with v1: one synced write, one pending. */
async function writtenWithV1(server = createInProcessServer()): Promise<void> {
  file = sqliteFile();
  const c = await createSyncClient({ schema: v1, store: file.open(), remote: server.remote(), autoSync: false });
  await c.set('todos', 't1', 'title', 'synced');
  await c.sync();
  await c.set('todos', 't2', 'title', 'pending');
  await c.close();
}

const refused = (schema: Schema): SchemaError => {
  try {
    file.open().open(schema);
  } catch (err) {
    return err as SchemaError;
  }
  throw new Error('opened');
};

describe('a name that differs only in case from one the file holds', () => {
  it('a column renamed only in case is refused, and the file opens with v1 as it was, its pending write pushed as title', async () => {
    const server = createInProcessServer();
    await writtenWithV1(server);
    const before = file.open().db.prepare('SELECT * FROM todos ORDER BY id').all();
    const err = refused(defineSchema({ version: 2, tables: { todos: { Title: 'string' } } }));
    expect(err).toBeInstanceOf(SchemaError);
    expect(err.code).toBe('schema');
    expect(err.message).toMatch(/todos\.Title.*todos\.title/);

    const store = file.open();
    expect(store.db.prepare('SELECT * FROM todos ORDER BY id').all()).toEqual(before);
    const c = await createSyncClient({ schema: v1, store, remote: server.remote(), autoSync: false });
    expect(c.status.pending).toBe(1);
    expect(store.readRow('todos', 't2')?.title).toBe('pending');
    await c.sync();
    expect((await server.store.pull('user', { cursor: 0, limit: 10, excludeClientId: 'x' })).messages.map((m) => `${m.column}=${String(m.value)}`).sort()).toEqual(['title=pending', 'title=synced']);
    await c.close();
  });

  it('a table renamed only in case is refused', async () => {
    await writtenWithV1();
    expect(refused(defineSchema({ version: 2, tables: { Todos: { title: 'string' } } }))).toBeInstanceOf(SchemaError);
  });

  it('so is a column the schema dropped once and declares again in another case, and one the app added itself', async () => {
    await writtenWithV1();
    file.open().open(defineSchema({ version: 2, tables: { todos: { body: 'string' } } })); // title no longer declared
    expect(refused(defineSchema({ version: 3, tables: { todos: { Title: 'string' } } }))).toBeInstanceOf(SchemaError);
    file.open().db.exec('ALTER TABLE todos ADD COLUMN Notes TEXT'); // the app's own
    expect(refused(defineSchema({ version: 3, tables: { todos: { title: 'string', notes: 'string' } } }))).toBeInstanceOf(SchemaError);
  });

  it('within one schema, defineSchema refuses them already', () => {
    expect(() => defineSchema({ version: 1, tables: { todos: { title: 'string', Title: 'string' } } })).toThrow(SchemaError);
    expect(() => defineSchema({ version: 1, tables: { todos: { title: 'string' }, Todos: { title: 'string' } } })).toThrow(SchemaError);
  });
});
