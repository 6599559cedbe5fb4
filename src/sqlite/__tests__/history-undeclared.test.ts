/**
 * `client.history()` of a table or column the schema does not declare (round 60, decided and
 * documented in docs/api.md, InspectedMessage): no error, what the store holds of that cell.
 * A column or table a later schema version dropped keeps its messages (unpushed ones are still
 * pushed), and an inspector that lists them (`recent()`) may ask for their history; a
 * SchemaError there would hide them. A name never written (a typo; TypeScript refuses one)
 * answers []. The docs said `[]` for every undeclared name until round 60.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type SyncStore } from '../../sync/index.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const v1 = defineSchema({ version: 1, tables: { todos: { title: 'string', note: 'string' }, old: { x: 'string' } } });
const v2 = defineSchema({ version: 2, tables: { todos: { title: 'string' } } });

let file: SqliteFile | undefined;
afterEach(() => file?.dispose());

const stores: Record<string, () => { first: SyncStore; again: () => SyncStore }> = {
  memory: () => {
    const store = createMemoryStore();
    return { first: store, again: () => store };
  },
  sqlite: () => {
    file = sqliteFile();
    const f = file;
    return { first: f.open(), again: () => f.open() };
  },
};

describe.each(Object.keys(stores))('history() of names the schema does not declare, on the %s store', (name) => {
  it('a dropped column and a dropped table answer the writes kept of them; a name never written answers []', async () => {
    const { first, again } = (stores[name] as () => { first: SyncStore; again: () => SyncStore })();
    const before = await createSyncClient({ schema: v1, store: first, autoSync: false });
    await before.set('todos', 't1', 'note', 'hello');
    await before.set('old', 'r1', 'x', 'kept');
    await before.close();
    const after = await createSyncClient({ schema: v2, store: again(), autoSync: false });
    const history = after.history as (table: string, row: string, column: string) => ReturnType<typeof after.history>;
    expect((await history('todos', 't1', 'note')).map((m) => m.value)).toEqual(['hello']);
    expect((await history('old', 'r1', 'x')).map((m) => m.value)).toEqual(['kept']);
    expect(await history('todos', 't1', 'titel')).toEqual([]);
    expect(await history('nope', 't1', 'title')).toEqual([]);
    await after.close();
  });
});
