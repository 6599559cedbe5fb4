import { describe, expect, it } from 'vitest';
import { SchemaError } from 'fieldsync';
import { createdAt, defineAppSchema, field, flag, order, parent, text } from '../app-schema-kit.ts';
import { checkFields } from '../field-checks.ts';

const title = () => text({ label: 'Title', max: 10 });
/** The reference app's tables (app-schema.ts), copied: a fork's own schema leaves these tests as they are. */
const appSchema = defineAppSchema({
  version: 2,
  tables: {
    lists: { noun: 'list', titleColumn: 'name', columns: { name: text({ label: 'List name', max: 100 }), order: order(), createdAt: createdAt() } },
    todos: { noun: 'todo', titleColumn: 'title', columns: { listId: parent('lists'), title: text({ label: 'Title', max: 500 }), done: flag(), order: order(), createdAt: createdAt() } },
  },
});

describe('defineAppSchema', () => {
  it('derives the sync schema, the special columns and the tables above and below', () => {
    const lists = appSchema.table('lists');
    const todos = appSchema.table('todos');
    expect(appSchema.tableNames).toEqual(expect.arrayContaining(['lists', 'todos']));
    expect(appSchema.sync.tables.get('todos')?.columns.get('title')).toEqual({ type: 'string', maxLength: 500, nullable: false });
    expect(todos).toMatchObject({ noun: 'todo', plural: 'todos', parent: { column: 'listId', table: 'lists' }, orderColumn: 'order', createdAtColumn: 'createdAt', required: ['listId', 'title'], ancestors: ['lists'] });
    expect(lists).toMatchObject({ parent: null, descendants: ['todos'], required: ['name'] });
    expect(appSchema.table('constructor')).toBeUndefined();
  });

  it('follows parents further up', () => {
    const s = defineAppSchema({
      version: 1,
      tables: {
        a: { noun: 'a', titleColumn: 't', columns: { t: title() } },
        b: { noun: 'b', titleColumn: 't', columns: { t: title(), aId: parent('a') } },
        c: { noun: 'c', titleColumn: 't', columns: { t: title(), bId: parent('b') } },
      },
    });
    expect(s.table('c')?.ancestors).toEqual(['b', 'a']);
    expect(s.table('a')?.descendants).toEqual(['b', 'c']);
  });

  it.each([
    ['a title that is not a text column', { t: { noun: 't', titleColumn: 'done', columns: { done: flag() } } }],
    ['a missing title column', { t: { noun: 't', titleColumn: 'name', columns: { title: title() } } }],
    ['no noun', { t: { noun: ' ', titleColumn: 't', columns: { t: title() } } }],
    ['a parent that names no table', { t: { noun: 't', titleColumn: 't', columns: { t: title(), p: parent('nope') } } }],
    ['two order columns', { t: { noun: 't', titleColumn: 't', columns: { t: title(), a: order(), b: order() } } }],
    ['a cycle', { x: { noun: 'x', titleColumn: 't', columns: { t: title(), y: parent('y') } }, y: { noun: 'y', titleColumn: 't', columns: { t: title(), x: parent('x') } } }],
    ['a reserved column name', { t: { noun: 't', titleColumn: 't', columns: { t: title(), id: field('string') } } }],
  ])('refuses %s', (_name, tables) => {
    expect(() => defineAppSchema({ version: 1, tables })).toThrow(SchemaError);
  });

  // Mistakes TypeScript lets through (names are strings to it, a cast or a .js file skips the
  // rest): one message each, in words, saying what to write; never a regular expression.
  const one = (columns: Record<string, unknown>) => ({ noun: 'note', titleColumn: 'title', columns: { title: title(), ...columns } }) as never;
  it.each([
    ['a table name with a space', { 'my notes': one({}) }, 'app schema: the table name "my notes" must be letters, digits and _, starting with a letter, at most 63 characters (such as "my_notes")'],
    ['a column name with a dash', { notes: one({ 'due-date': field('string') }) }, 'app schema, table notes: the column name "due-date" must be letters, digits and _, starting with a letter, at most 63 characters (such as "due_date")'],
    ['a table of the store (fieldsync_)', { fieldsync_notes: one({}) }, 'app schema: the table name "fieldsync_notes" is reserved: names starting with fieldsync_ or sqlite_ (in any case) belong to the SQLite store'],
    ['a table of SQLite (sqlite_, in any case)', { SQLite_notes: one({}) }, 'app schema: the table name "SQLite_notes" is reserved: names starting with fieldsync_ or sqlite_ (in any case) belong to the SQLite store'],
    ['the devices table', { devices: one({}) }, 'app schema: the table name "devices" is reserved for device names'],
    ['a type where a column belongs', { notes: one({ due: 'string' }) }, "app schema, table notes: the column due is 'string', not a column: write due: field('string') for a plain column, or due: text({ label, max }) for user text"],
    ['a spec where a column belongs', { notes: one({ due: { type: 'integer', nullable: true } }) }, "app schema, table notes: the column due is {type: 'integer', nullable: true}, not a column: write due: field({type: 'integer', nullable: true}) for a plain column, or due: text({ label, max }) for user text"],
    ['text() without max', { notes: one({ due: (text as (o: object) => unknown)({ label: 'Due' }) }) }, "app schema, table notes: the text column due needs a max, the most characters it takes (a whole number, 1 or more): text({ label: 'Due', max: 100 })"],
    ['text() without label', { notes: one({ due: (text as (o: object) => unknown)({ max: 10 }) }) }, "app schema, table notes: the text column due needs a label, which names it in messages: text({ label: 'Due', max: 100 })"],
  ])('refuses %s with one message that says what to write', (_name, tables, message) => {
    expect(() => defineAppSchema({ version: 1, tables: tables as never })).toThrow(new SchemaError(message));
  });
});

describe('checkFields', () => {
  const todos = appSchema.table('todos')!;
  const notes = defineAppSchema({
    version: 1,
    tables: { notes: { noun: 'note', titleColumn: 'title', columns: { title: title(), body: text({ label: 'Body', max: 20, optional: true, multiline: true }), stars: field('integer'), createdAt: createdAt() } } },
  });

  it('trims titles, defaults flags, and names what is wrong in words', () => {
    expect(checkFields(appSchema, todos, { listId: 'l1', title: '  Milk ' }, 'create')).toEqual({ ok: true, fields: { listId: 'l1', title: 'Milk', done: false } });
    expect(checkFields(appSchema, todos, { listId: 'l1' }, 'create')).toEqual({ ok: false, message: "Title can't be empty." });
    for (const blank of ['\u200b', '\u200d\u2060', '\u00ad', '\ufeff \u3164', '\u2800', '\u115f\u1160\uffa0']) {
      expect(checkFields(appSchema, todos, { listId: 'l1', title: blank }, 'create')).toEqual({ ok: false, message: "Title can't be only invisible characters." });
    }
    // Inside text they stay: scripts and emoji need the joiners.
    expect(checkFields(appSchema, todos, { listId: 'l1', title: '👩\u200d💻 x\u00ady' }, 'create')).toMatchObject({ ok: true, fields: { title: '👩\u200d💻 x\u00ady' } });
    expect(checkFields(appSchema, todos, { title: 'x' }, 'create')).toEqual({ ok: false, message: 'A todo needs its list ("listId").' });
    expect(checkFields(appSchema, todos, { colour: 'red' }, 'update')).toEqual({ ok: false, message: 'A todo has no field "colour".' });
    expect(checkFields(appSchema, todos, { order: 'a' }, 'update')).toEqual({ ok: false, message: 'The app sets the order of a todo itself.' });
    expect(checkFields(appSchema, todos, { listId: 'l2' }, 'update')).toEqual({ ok: false, message: "The listId of a todo can't be changed." });
    expect(checkFields(appSchema, todos, { done: 1 }, 'update')).toEqual({ ok: false, message: '"done" must be true or false.' });
    expect(checkFields(appSchema, todos, {}, 'update')).toMatchObject({ ok: false });
  });

  it('keeps multi-line text as typed', () => {
    const t = notes.table('notes')!;
    expect(checkFields(notes, t, { title: 'N', body: '  line 1\n\tline 2\n' }, 'create')).toEqual({ ok: true, fields: { title: 'N', body: '  line 1\n\tline 2\n' } });
    expect(checkFields(notes, t, { body: 'bell\u0007' }, 'update')).toEqual({ ok: false, message: "Body can't contain control characters." });
    expect(checkFields(notes, t, { body: '' }, 'update')).toEqual({ ok: true, fields: { body: '' } });
  });
});
