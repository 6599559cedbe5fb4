import { describe, expect, it } from 'vitest';
import type { AppErrorCode } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import type { SyncClient } from 'fieldsync';
import { call, messageCount, useCores } from '../../../../test-support/core-fixture.ts';
import type { AppCore } from '../app-core.ts';
import { createDispatcher } from '../api-handlers.ts';
import type { TableRepo } from '../table-repo.ts';

const cores = useCores();

describe('API dispatcher: bad calls are refused and write nothing', () => {
  // The ids of the case's list and todo, for the argument builders below.
  let list: Row<'lists'>;
  let todo: Row<'todos'>;
  const rows = (core: AppCore) => core.db.prepare('SELECT (SELECT count(*) FROM lists) || \'/\' || (SELECT count(*) FROM todos)').pluck().get();

  const cases: [string, unknown, () => unknown, AppErrorCode][] = [
    ['an unknown method', 'dropTables', () => [], 'invalid_argument'],
    ['subscribe, which is not a call', 'subscribe', () => [], 'invalid_argument'],
    ['a method name from Object.prototype', 'constructor', () => [], 'invalid_argument'],
    ['__proto__ as a method', '__proto__', () => [], 'invalid_argument'],
    ['a method that is not a string', 42, () => [], 'invalid_argument'],
    ['arguments that are not an array', 'create', () => 'lists', 'invalid_argument'],
    ['an array-like object as arguments', 'create', () => ({ 0: 'lists', 1: { name: 'G' }, length: 2 }), 'invalid_argument'],
    ['null arguments', 'rows', () => null, 'invalid_argument'],
    ['an extra argument', 'create', () => ['lists', { name: 'Groceries' }, 'extra'], 'invalid_argument'],
    ['an extra argument to a method without any', 'info', () => [1], 'invalid_argument'],
    ['a missing argument', 'update', () => ['todos', todo.id], 'invalid_argument'],
    ['an unknown table', 'create', () => ['users', { name: 'x' }], 'invalid_argument'],
    ['a table name from Object.prototype', 'rows', () => ['constructor', {}], 'invalid_argument'],
    ['an unknown query key', 'rows', () => ['todos', { where: '1=1' }], 'invalid_argument'],
    ['a parent for a table without parents', 'rows', () => ['lists', { parent: list.id }], 'invalid_argument'],
    ['fields that are not an object', 'create', () => ['lists', 'Groceries'], 'invalid_argument'],
    ['fields that are an array', 'create', () => ['lists', ['Groceries']], 'invalid_argument'],
    ['a __proto__ field', 'update', () => ['lists', list.id, JSON.parse('{"__proto__": {"name": "x"}}')], 'invalid_argument'],
    ['an unknown field', 'update', () => ['todos', todo.id, { colour: 'red' }], 'invalid_argument'],
    ['a field the core sets', 'update', () => ['todos', todo.id, { order: 'a0' }], 'invalid_argument'],
    ['a creation time', 'create', () => ['lists', { name: 'L', createdAt: 1 }], 'invalid_argument'],
    ['a tombstone', 'update', () => ['todos', todo.id, { _deleted: true }], 'invalid_argument'],
    ['moving a todo to another list', 'update', () => ['todos', todo.id, { listId: list.id }], 'invalid_argument'],
    ['an empty update', 'update', () => ['todos', todo.id, {}], 'invalid_argument'],
    ['a number for a name', 'create', () => ['lists', { name: 5 }], 'invalid_argument'],
    ['no name at all', 'create', () => ['lists', {}], 'invalid_argument'],
    ['a todo without its list', 'create', () => ['todos', { title: 'T' }], 'invalid_argument'],
    ['an object for a title', 'create', () => ['todos', { listId: list.id, title: { toString: () => 'x' } }], 'invalid_argument'],
    ['null for a title', 'update', () => ['todos', todo.id, { title: null }], 'invalid_argument'],
    ['a string for done', 'update', () => ['todos', todo.id, { done: 'true' }], 'invalid_argument'],
    ['a fractional position', 'move', () => ['todos', todo.id, 1.5], 'invalid_argument'],
    ['NaN as a position', 'move', () => ['todos', todo.id, Number.NaN], 'invalid_argument'],
    ['a string position', 'move', () => ['lists', list.id, '0'], 'invalid_argument'],
    ['a huge position', 'move', () => ['lists', list.id, 1e300], 'invalid_argument'],
    ['an empty title', 'create', () => ['todos', { listId: list.id, title: '' }], 'invalid_argument'],
    ['a title of spaces', 'update', () => ['todos', todo.id, { title: '   ' }], 'invalid_argument'],
    ['a 10,000-character title', 'create', () => ['todos', { listId: list.id, title: 'x'.repeat(10_000) }], 'invalid_argument'],
    ['a 501-character title', 'update', () => ['todos', todo.id, { title: 'y'.repeat(501) }], 'invalid_argument'],
    ['a 101-character list name', 'create', () => ['lists', { name: 'n'.repeat(101) }], 'invalid_argument'],
    ['a line break in a title', 'create', () => ['todos', { listId: list.id, title: 'Milk\nEggs' }], 'invalid_argument'],
    ['a NUL in a name', 'update', () => ['lists', list.id, { name: 'a\u0000b' }], 'invalid_argument'],
    ['a tab in a title', 'update', () => ['todos', todo.id, { title: 'a\tb' }], 'invalid_argument'],
    ['a lone surrogate in a title', 'update', () => ['todos', todo.id, { title: 'broken \ud800' }], 'invalid_argument'],
    ['a right-to-left override in a new list name', 'create', () => ['lists', { name: 'invoice\u202Efdp.exe' }], 'invalid_argument'],
    ['a right-to-left override in a renamed list', 'update', () => ['lists', list.id, { name: 'abc\u202E' }], 'invalid_argument'],
    ['a left-to-right isolate in a new todo', 'create', () => ['todos', { listId: list.id, title: '\u2066Milk' }], 'invalid_argument'],
    ['a pop directional isolate in a renamed todo', 'update', () => ['todos', todo.id, { title: 'Milk\u2069 ' }], 'invalid_argument'],
    ['a right-to-left mark in a title', 'update', () => ['todos', todo.id, { title: 'a\u200Fb' }], 'invalid_argument'],
    ['an Arabic letter mark in a name', 'create', () => ['lists', { name: 'a\u061Cb' }], 'invalid_argument'],
    ['a line separator in a name', 'create', () => ['lists', { name: 'a\u2028b' }], 'invalid_argument'],
    ['a C1 control (next line) in a title', 'create', () => ['todos', { listId: list.id, title: 'a\u0085b' }], 'invalid_argument'],
    ['a line break in a new list name', 'create', () => ['lists', { name: 'Groceries\nWork' }], 'invalid_argument'],
    ['a good field beside a bad one', 'update', () => ['todos', todo.id, { title: 'Fine', done: 'no' }], 'invalid_argument'],
    ['an empty id', 'rows', () => ['todos', { parent: '' }], 'invalid_argument'],
    ['rows by id of an unknown table', 'rowsById', () => ['users', [todo.id]], 'invalid_argument'],
    ['rows by id without ids', 'rowsById', () => ['todos', []], 'invalid_argument'],
    ['rows by id, one id not an array', 'rowsById', () => ['todos', todo.id], 'invalid_argument'],
    ['rows by id, an empty id among them', 'rowsById', () => ['todos', [todo.id, '']], 'invalid_argument'],
    ['rows by id, a number for an id', 'rowsById', () => ['todos', [7]], 'invalid_argument'],
    ['rows by id, 101 ids at once', 'rowsById', () => ['todos', Array.from({ length: 101 }, (_, i) => `t${i}`)], 'invalid_argument'],
    ['rows by id, an extra argument', 'rowsById', () => ['todos', [todo.id], {}], 'invalid_argument'],
    ['an overlong id', 'delete', () => ['todos', 'i'.repeat(1000)], 'invalid_argument'],
    ['a non-boolean online', 'setOnline', () => ['yes'], 'invalid_argument'],
    ['an inspector limit of 0', 'inspect', () => [0], 'invalid_argument'],
    ['an inspector limit too large', 'inspect', () => [1_000_000], 'invalid_argument'],
    ['an unknown list', 'update', () => ['lists', 'no-such-list', { name: 'Name' }], 'not_found'],
    ['an unknown list for a new todo', 'create', () => ['todos', { listId: 'no-such-list', title: 'Title' }], 'not_found'],
    ['todos of an unknown list', 'rows', () => ['todos', { parent: 'no-such-list' }], 'not_found'],
    ['an unknown todo', 'update', () => ['todos', 'no-such-todo', { done: true }], 'not_found'],
    ['a list id as a todo', 'update', () => ['todos', list.id, { done: true }], 'not_found'],
    ['moving an unknown todo', 'move', () => ['todos', 'no-such-todo', 0], 'not_found'],
    ['deleting an unknown list', 'delete', () => ['lists', 'no-such-list'], 'not_found'],
    ['restoring an unknown list', 'restore', () => ['lists', 'no-such-list'], 'not_found'],
    ['restoring a list id as a todo', 'restore', () => ['todos', list.id], 'not_found'],
    ['restoring without an id', 'restore', () => ['lists'], 'invalid_argument'],
    ['restoring in an unknown table', 'restore', () => ['users', list.id], 'invalid_argument'],
  ];

  it.each(cases)('%s → %s', async (_name, method, args, code) => {
    const core = await cores.open();
    list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'List' });
    todo = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Todo' });
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

describe('API dispatcher: restore', () => {
  // Undo of a delete: only a row whose own tombstone is set, under parents that are live.
  it('brings back a deleted row, and refuses, writing nothing, a row that was not deleted or whose parent is gone', async () => {
    const core = await cores.open();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'List' });
    const kept = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Kept' });
    const gone = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Gone' });
    await call(core, 'delete', 'todos', gone.id);
    expect(await call(core, 'restore', 'todos', gone.id)).toEqual(gone);
    // A row whose fields have not all arrived (its title, from another device) is not deleted.
    await core.client.update('todos', 'half', { listId: list.id, done: true });
    // Nor is one deleted before its title arrived: brought back, it would still not show.
    await core.client.update('todos', 'half-gone', { listId: list.id, done: true });
    await core.client.delete('todos', 'half-gone');
    await call(core, 'delete', 'todos', gone.id);
    const refused = async (ids: readonly string[]) => {
      const before = messageCount(core);
      for (const id of ids) expect(await core.dispatch('restore', ['todos', id]), id).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(messageCount(core)).toBe(before);
    };
    await refused(['half', 'half-gone']);
    await call(core, 'delete', 'lists', list.id);
    await refused(['half', 'half-gone', gone.id, kept.id]);
    expect(await call(core, 'restore', 'lists', list.id)).toEqual(list);
    expect((await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: list.id })).map((t) => t.title)).toEqual(['Kept']);
  });
});

describe('API dispatcher: the character rule of user text', () => {
  it('refuses direction controls and line breaks in names and titles with a message that names them, and writes nothing', async () => {
    const core = await cores.open();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'List' });
    const before = messageCount(core);
    const message = async (method: string, ...args: unknown[]) => {
      const e = await core.dispatch(method, args);
      return e.ok ? 'accepted' : `${e.error.code}: ${e.error.message}`;
    };
    const direction = (label: string, char: string) => `invalid_argument: ${label} can't contain ${char}, an invisible character that changes the direction of text.`;
    expect(await message('create', 'lists', { name: 'gpj.\u202Eexe' })).toBe(direction('List name', 'U+202E (right-to-left override)'));
    expect(await message('update', 'lists', list.id, { name: '\u2066List' })).toBe(direction('List name', 'U+2066 (left-to-right isolate)'));
    expect(await message('create', 'todos', { listId: list.id, title: 'Pay \u202Bme' })).toBe(direction('Title', 'U+202B (right-to-left embedding)'));
    expect(await message('create', 'todos', { listId: list.id, title: 'first\nsecond' })).toBe("invalid_argument: Title can't contain control characters such as line breaks or tabs.");
    expect(messageCount(core)).toBe(before);
    expect(await call(core, 'rows', 'lists', {})).toEqual([list]);
    // Right-to-left text itself, joiners and emoji sequences are text.
    expect(await message('create', 'todos', { listId: list.id, title: 'שלום עולם · مرحبا · 👩‍👩‍👧 · 🏴󠁧󠁢󠁳󠁣󠁴󠁿' })).not.toMatch(/^invalid/);
  });
});

/** The sync handlers' dependencies, unused by these cases. */
const SYNC_DEPS = {
  inspect: { entries: async () => [], notices: async () => [], deletedEdits: async () => [] },
  extras: () => ({ device: 'p', network: { latencyMs: 0, dropRate: 0 }, unsentItems: 0 }),
  setNetwork: () => {},
  statusChanged: async () => {},
};

describe('API dispatcher: errors', () => {
  const client = { status: { online: true } } as unknown as SyncClient;

  it('an unexpected error is logged in main and answered with a generic internal error', async () => {
    const logged: unknown[] = [];
    const repo = { rows: () => { throw new Error('SQLITE_CORRUPT at /home/me/secret/path.db'); } } as unknown as TableRepo;
    const dispatch = createDispatcher({ schema: appSchema, repo, client, info: () => ({ profile: 'p', clientId: 'c', serverUrl: '', serverWarning: null, version: '1' }), configured: false, log: (m, e) => logged.push(m, e), ...SYNC_DEPS });
    const envelope = await dispatch('rows', ['lists', {}]);
    expect(envelope).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong. The details are in the app log.' } });
    expect(JSON.stringify(envelope)).not.toContain('secret');
    expect(logged[0]).toBe('rows failed');
    expect(String(logged[1])).toContain('SQLITE_CORRUPT');
  });

  it('writes run one at a time, in call order', async () => {
    const core = await cores.open();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'L' });
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => core.dispatch('create', ['todos', { listId: list.id, title: `t${i}` }])));
    expect(created.every((e) => e.ok)).toBe(true);
    const todos = await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: list.id });
    expect(todos.map((t) => t.title)).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`));
    expect(new Set(todos.map((t) => t.order)).size).toBe(12);
  });
});

describe('API dispatcher: a rename or a network change answers after the status shows it', () => {
  it('waits for statusChanged, which reads the new name back, before it answers', async () => {
    const steps: string[] = [];
    const client = { status: { online: false }, setDeviceName: async (name: string) => { steps.push(`renamed ${name}`); } } as unknown as SyncClient;
    // A status update that takes a few turns of the event loop, as a store read can.
    const statusChanged = () => new Promise<void>((done) => setTimeout(() => { steps.push('status sent'); done(); }, 5));
    const dispatch = createDispatcher({
      schema: appSchema, repo: {} as TableRepo, client, info: () => ({ profile: 'p', clientId: 'c', serverUrl: '', serverWarning: null, version: '1' }), configured: false, log: () => {},
      ...SYNC_DEPS, statusChanged,
    });
    expect(await dispatch('setDeviceName', ['Kitchen'])).toEqual({ ok: true, value: undefined });
    steps.push('answered');
    expect(await dispatch('setNetwork', [{ latencyMs: 10, dropRate: 0 }])).toEqual({ ok: true, value: undefined });
    steps.push('answered');
    expect(steps).toEqual(['renamed Kitchen', 'status sent', 'answered', 'status sent', 'answered']);
  });
});
