import { describe, expect, it } from 'vitest';
import type { AppErrorCode, Todo, TodoList } from '../../../shared/app-api.ts';
import type { SyncClient } from 'fieldsync';
import { call, messageCount, useCores } from '../../../../test-support/core-fixture.ts';
import type { AppCore } from '../app-core.ts';
import { createDispatcher } from '../api-handlers.ts';
import type { TodoRepo } from '../todo-repo.ts';

const cores = useCores();

describe('API dispatcher: bad calls are refused and write nothing', () => {
  // The ids of the case's list and todo, for the argument builders below.
  let list: TodoList;
  let todo: Todo;
  const rows = (core: AppCore) => core.db.prepare('SELECT (SELECT count(*) FROM lists) || \'/\' || (SELECT count(*) FROM todos)').pluck().get();

  const cases: [string, unknown, () => unknown, AppErrorCode][] = [
    ['an unknown method', 'dropTables', () => [], 'invalid_argument'],
    ['subscribe, which is not a call', 'subscribe', () => [], 'invalid_argument'],
    ['a method name from Object.prototype', 'constructor', () => [], 'invalid_argument'],
    ['__proto__ as a method', '__proto__', () => [], 'invalid_argument'],
    ['a method that is not a string', 42, () => [], 'invalid_argument'],
    ['arguments that are not an array', 'createList', () => 'Groceries', 'invalid_argument'],
    ['an array-like object as arguments', 'createList', () => ({ 0: 'Groceries', length: 1 }), 'invalid_argument'],
    ['null arguments', 'lists', () => null, 'invalid_argument'],
    ['an extra argument', 'createList', () => ['Groceries', 'extra'], 'invalid_argument'],
    ['an extra argument to a method without any', 'lists', () => [1], 'invalid_argument'],
    ['a missing argument', 'renameTodo', () => [todo.id], 'invalid_argument'],
    ['a number for a name', 'createList', () => [5], 'invalid_argument'],
    ['an object for a title', 'createTodo', () => [list.id, { toString: () => 'x' }], 'invalid_argument'],
    ['null for a title', 'renameTodo', () => [todo.id, null], 'invalid_argument'],
    ['a string for done', 'setTodoDone', () => [todo.id, 'true'], 'invalid_argument'],
    ['a fractional position', 'moveTodo', () => [todo.id, 1.5], 'invalid_argument'],
    ['NaN as a position', 'moveTodo', () => [todo.id, Number.NaN], 'invalid_argument'],
    ['a string position', 'moveList', () => [list.id, '0'], 'invalid_argument'],
    ['a huge position', 'moveList', () => [list.id, 1e300], 'invalid_argument'],
    ['an empty title', 'createTodo', () => [list.id, ''], 'invalid_argument'],
    ['a title of spaces', 'renameTodo', () => [todo.id, '   '], 'invalid_argument'],
    ['a 10,000-character title', 'createTodo', () => [list.id, 'x'.repeat(10_000)], 'invalid_argument'],
    ['a 501-character title', 'renameTodo', () => [todo.id, 'y'.repeat(501)], 'invalid_argument'],
    ['a 101-character list name', 'createList', () => ['n'.repeat(101)], 'invalid_argument'],
    ['a line break in a title', 'createTodo', () => [list.id, 'Milk\nEggs'], 'invalid_argument'],
    ['a NUL in a name', 'renameList', () => [list.id, 'a\u0000b'], 'invalid_argument'],
    ['a tab in a title', 'renameTodo', () => [todo.id, 'a\tb'], 'invalid_argument'],
    ['a lone surrogate in a title', 'renameTodo', () => [todo.id, 'broken \ud800'], 'invalid_argument'],
    ['an empty id', 'todos', () => [''], 'invalid_argument'],
    ['an overlong id', 'deleteTodo', () => ['i'.repeat(1000)], 'invalid_argument'],
    ['a non-boolean online', 'setOnline', () => ['yes'], 'invalid_argument'],
    ['an inspector limit of 0', 'inspect', () => [0], 'invalid_argument'],
    ['an inspector limit too large', 'inspect', () => [1_000_000], 'invalid_argument'],
    ['an unknown list', 'renameList', () => ['no-such-list', 'Name'], 'not_found'],
    ['an unknown list for a new todo', 'createTodo', () => ['no-such-list', 'Title'], 'not_found'],
    ['todos of an unknown list', 'todos', () => ['no-such-list'], 'not_found'],
    ['an unknown todo', 'setTodoDone', () => ['no-such-todo', true], 'not_found'],
    ['moving an unknown todo', 'moveTodo', () => ['no-such-todo', 0], 'not_found'],
    ['deleting an unknown list', 'deleteList', () => ['no-such-list'], 'not_found'],
  ];

  it.each(cases)('%s → %s', async (_name, method, args, code) => {
    const core = await cores.open();
    list = await call<TodoList>(core, 'createList', 'List');
    todo = await call<Todo>(core, 'createTodo', list.id, 'Todo');
    const before = [messageCount(core), rows(core)];
    const envelope = await core.dispatch(method, args());
    expect(envelope).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String) } });
    if (!envelope.ok) {
      expect(envelope.error.code).toBe(code);
      expect(envelope.error.message.length).toBeLessThan(300); // short, and never the whole input back
    }
    expect([messageCount(core), rows(core)]).toEqual(before);
  });
});

describe('API dispatcher: errors', () => {
  const client = { status: { online: true } } as unknown as SyncClient;

  it('an unexpected error is logged in main and answered with a generic internal error', async () => {
    const logged: unknown[] = [];
    const repo = { lists: () => { throw new Error('SQLITE_CORRUPT at /home/me/secret/path.db'); } } as unknown as TodoRepo;
    const dispatch = createDispatcher({ repo, client, info: () => ({ profile: 'p', clientId: 'c', serverUrl: '', version: '1' }), configured: false, log: (m, e) => logged.push(m, e) });
    const envelope = await dispatch('lists', []);
    expect(envelope).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong. The details are in the app log.' } });
    expect(JSON.stringify(envelope)).not.toContain('secret');
    expect(logged[0]).toBe('lists failed');
    expect(String(logged[1])).toContain('SQLITE_CORRUPT');
  });

  it('writes run one at a time, in call order', async () => {
    const core = await cores.open();
    const list = await call<TodoList>(core, 'createList', 'L');
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => core.dispatch('createTodo', [list.id, `t${i}`])));
    expect(created.every((e) => e.ok)).toBe(true);
    const todos = await call<Todo[]>(core, 'todos', list.id);
    expect(todos.map((t) => t.title)).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`));
    expect(new Set(todos.map((t) => t.order)).size).toBe(12);
  });
});
