/**
 * What `defineSchema` returns (docs/api.md, `Schema`): tables by name, each with its columns,
 * defaults filled in and `_deleted` included. Stores and apps read it (a store takes its SQL
 * identifiers and column types from it only), so its shape is part of the API, not only the
 * checks it makes (validation.test.ts, option-checks.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { SchemaError, createMemoryStore, createSyncClient, defineSchema, type Schema } from '../index.ts';
import { schemaValueError } from '../schema.ts';

describe('the schema defineSchema returns', () => {
  const schema = defineSchema({
    version: 3,
    tables: {
      lists: { name: { type: 'string', maxLength: 100 } },
      todos: { title: 'string', done: { type: 'boolean', nullable: false }, notes: { type: 'json', nullable: true }, rank: 'integer', weight: 'number' },
    },
  });

  it('has the version, and the tables in the order declared', () => {
    expect(schema.version).toBe(3);
    expect([...schema.tables.keys()]).toEqual(['lists', 'todos']);
    expect(schema.tables.get('lists')?.name).toBe('lists');
  });

  it('has each column with its defaults filled in, and _deleted last: a boolean that is never null', () => {
    expect(Object.fromEntries(schema.tables.get('lists')?.columns ?? [])).toEqual({
      name: { type: 'string', maxLength: 100, nullable: false },
      _deleted: { type: 'boolean', nullable: false },
    });
    expect([...(schema.tables.get('todos')?.columns ?? [])]).toEqual([
      ['title', { type: 'string', nullable: false }],
      ['done', { type: 'boolean', nullable: false }],
      ['notes', { type: 'json', nullable: true }],
      ['rank', { type: 'integer', nullable: false }],
      ['weight', { type: 'number', nullable: false }],
      ['_deleted', { type: 'boolean', nullable: false }],
    ]);
  });

  it("serves the docs' example: the columns of a table, without _deleted", () => {
    const columnsOf = (s: Schema, table: string): string[] => [...(s.tables.get(table)?.columns.keys() ?? [])].filter((c) => c !== '_deleted');
    expect(columnsOf(schema, 'todos')).toEqual(['title', 'done', 'notes', 'rank', 'weight']);
    expect(columnsOf(schema, 'nope')).toEqual([]);
  });
});

describe('the SQL row key', () => {
  // SQL stores keep the row id in a column named `id`, and SQL names ignore case.
  it.each(['id', 'ID', 'Id'])('%s is not a column name', (name) => {
    expect(() => defineSchema({ version: 1, tables: { t: { [name]: 'string' } } })).toThrow(new SchemaError(`t.${name}: the name is reserved`));
  });

  it('is a table name like any other', () => {
    expect(defineSchema({ version: 1, tables: { id: { ident: 'string', idx: 'integer' } } }).tables.get('id')?.columns.has('ident')).toBe(true);
  });
});

describe('a refused declaration names what it refuses', () => {
  // A schema of many tables is refused as a whole: the message is how one finds the culprit.
  it.each<[string, unknown, string[]]>([
    ['a version of 0', { version: 0, tables: {} }, ['version']],
    ['a table name with a dash', { version: 1, tables: { 'to-dos': {} } }, ['table', 'to-dos']],
    ['a table name starting with _', { version: 1, tables: { _meta: {} } }, ['table', '_meta']],
    ['tables differing by case', { version: 1, tables: { todos: {}, Todos: {} } }, ['table', 'Todos']],
    ['a column name with a space', { version: 1, tables: { todos: { 'my title': 'string' } } }, ['column of todos', 'my title']],
    ['a column name starting with _', { version: 1, tables: { todos: { _rev: 'integer' } } }, ['column of todos', '_rev']],
    ['columns differing by case', { version: 1, tables: { todos: { title: 'string', TITLE: 'string' } } }, ['todos', 'TITLE']],
    ['maxLength on a number', { version: 1, tables: { todos: { rank: { type: 'number', maxLength: 3 } } } }, ['todos.rank', 'maxLength']],
  ])('%s', (_name, input, named) => {
    const err: unknown = (() => {
      try {
        defineSchema(input as never);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).code).toBe('schema');
    for (const part of named) expect((err as SchemaError).message).toContain(part);
  });

  it('an option with a very long name is named by its first 80 characters', () => {
    const column = { type: 'string', ['k'.repeat(10_000)]: 1 };
    expect(() => defineSchema({ version: 1, tables: { t: { c: column as never } } })).toThrow(new SchemaError(`t.c: unknown option ${'k'.repeat(80)}; a column has type, nullable, maxLength`));
  });

  it('a declaration without tables is a SchemaError, not a TypeError', () => {
    expect(() => defineSchema({ version: 1 } as never)).toThrow(new SchemaError('schema tables must be an object'));
  });
});

describe('a number column', () => {
  // Only refusals were tested: a check refusing every number passed the sync core's suites.
  it('takes any finite number, and a client writes it', async () => {
    const schema = defineSchema({ version: 1, tables: { t: { x: 'number' } } });
    for (const x of [0, -1.5, 1e308, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2]) expect(schemaValueError(schema, 't', 'x', x)).toBeNull();
    const client = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false });
    expect((await client.set('t', 'r', 'x', 2.5)).value).toBe(2.5);
    await client.close();
  });
});
