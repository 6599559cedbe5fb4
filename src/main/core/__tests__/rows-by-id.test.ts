/**
 * `rowsById`, the read the UI makes after a write or a data event instead of reading a whole
 * list again, and the data event that names the changed rows.
 */
import { describe, expect, it } from 'vitest';
import type { AnyRow, AppEvent, DataEvent } from '../../../shared/app-api.ts';
import { ROWS_BY_ID_MAX } from '../../../shared/api-methods.ts';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import { listsSchema } from '../../../../test-support/lists-schema.ts';
import { toDataEvent } from '../data-event.ts';

const cores = useCores();
// A schema of the tests' own: rowsById is generic, and its test stays in a fork without todos (docs/fork.md).
const open = () => cores.open({ schema: listsSchema });

describe('rowsById', () => {
  it('answers each row as rows() has it, in the order asked, and null for one that is not live', async () => {
    const core = await open();
    const home = await call<AnyRow>(core, 'create', 'lists', { name: 'Home' });
    const work = await call<AnyRow>(core, 'create', 'lists', { name: 'Work' });
    const milk = await call<AnyRow>(core, 'create', 'todos', { listId: home.id, title: 'Milk' });
    const bread = await call<AnyRow>(core, 'create', 'todos', { listId: home.id, title: 'Bread' });
    const mail = await call<AnyRow>(core, 'create', 'todos', { listId: work.id, title: 'Mail' });
    await call(core, 'update', 'todos', milk.id, { done: true });
    await call(core, 'delete', 'todos', bread.id);
    const listed = await call<AnyRow[]>(core, 'rows', 'todos', { parent: home.id });
    expect(await call(core, 'rowsById', 'todos', [mail.id, 'no-such-todo', milk.id, bread.id])).toEqual([mail, null, listed[0], null]);
    expect(listed[0]).toMatchObject({ id: milk.id, done: true });

    // A todo whose list is deleted is not live either; the list's own row reads as null.
    await call(core, 'delete', 'lists', work.id);
    expect(await call(core, 'rowsById', 'todos', [mail.id])).toEqual([null]);
    expect(await call(core, 'rowsById', 'lists', [work.id, home.id])).toEqual([null, await call<AnyRow[]>(core, 'rows', 'lists', {}).then((r) => r[0])]);
  });

  it('reads the row of one table only: a list id asked of the todos is null', async () => {
    const core = await open();
    const home = await call<AnyRow>(core, 'create', 'lists', { name: 'Home' });
    expect(await call(core, 'rowsById', 'todos', [home.id])).toEqual([null]);
  });
});

describe('data events name the changed rows', () => {
  it('names the rows of a local write', async () => {
    const core = await open();
    const events: AppEvent[] = [];
    core.onEvent((e) => events.push(e));
    const home = await call<AnyRow>(core, 'create', 'lists', { name: 'Home' });
    const milk = await call<AnyRow>(core, 'create', 'todos', { listId: home.id, title: 'Milk' });
    await call(core, 'update', 'todos', milk.id, { done: true });
    const data = events.filter((e): e is DataEvent => e.type === 'data');
    expect(data.map((e) => e.rows)).toEqual([{ lists: [home.id] }, { todos: [milk.id] }, { todos: [milk.id] }]);
  });

  it('names at most ROWS_BY_ID_MAX rows of a table: past that, the table is to be re-read whole', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);
    const event = toDataEvent({ source: 'remote', changes: { todos: ids(ROWS_BY_ID_MAX + 1), lists: ['a', 'a', 'b'] } });
    expect(event).toEqual({ type: 'data', source: 'remote', tables: ['todos', 'lists'], rows: { lists: ['a', 'b'] } });
    expect(toDataEvent({ source: 'local', changes: { todos: ids(ROWS_BY_ID_MAX) } }).rows?.todos).toHaveLength(ROWS_BY_ID_MAX);
  });
});
