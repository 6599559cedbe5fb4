/**
 * Lists and todos: reads straight from the SQLite data tables the store keeps (one row per
 * id, one column per field), writes through the sync client (every field a message).
 *
 * What the user sees:
 * - a row whose `_deleted` tombstone is set is gone, and so are the todos of a deleted list;
 * - a row that has not received its name or title yet (its other fields synced first) is
 *   not shown until it does;
 * - items sort by fractional `order`, then by `id`.
 */
import type { Todo, TodoList } from '../../shared/app-api.ts';
import type { SyncClient } from 'fieldsync';
import type { Db } from 'fieldsync/sqlite';
import { ORDER_MAX } from './app-schema.ts';
import { newId } from './ids.ts';
import { byOrder, placeAt, type OrderWrite } from './order-keys.ts';

interface ListRow { id: string; name: string; order: string | null; createdAt: number | null }
interface TodoRow { id: string; listId: string; title: string; done: number | null; order: string | null; createdAt: number | null }

const toList = (r: ListRow): TodoList => ({ id: r.id, name: r.name, order: r.order ?? '', createdAt: r.createdAt ?? 0 });
const toTodo = (r: TodoRow): Todo => ({ id: r.id, listId: r.listId, title: r.title, done: r.done === 1, order: r.order ?? '', createdAt: r.createdAt ?? 0 });

export interface TodoRepo {
  lists(): TodoList[];
  /** A list that exists and is not deleted. */
  list(id: string): TodoList | undefined;
  /** The todos of a list, in order. */
  todos(listId: string): Todo[];
  /** A todo that exists, is not deleted, and whose list is not deleted. */
  todo(id: string): Todo | undefined;
  createList(name: string): Promise<TodoList>;
  renameList(id: string, name: string): Promise<void>;
  moveList(id: string, toIndex: number): Promise<void>;
  deleteList(id: string): Promise<void>;
  createTodo(listId: string, title: string): Promise<Todo>;
  renameTodo(id: string, title: string): Promise<void>;
  setTodoDone(id: string, done: boolean): Promise<void>;
  moveTodo(id: string, toIndex: number): Promise<void>;
  deleteTodo(id: string): Promise<void>;
}

export function createTodoRepo(db: Db, client: SyncClient, now: () => number = Date.now): TodoRepo {
  // An app-side index: the store creates the tables, the app adds what its queries need.
  db.exec('CREATE INDEX IF NOT EXISTS todos_by_list ON todos ("listId")');
  const LIVE_LIST = (l: string) => `${l}.name IS NOT NULL AND ${l}."_deleted" IS NOT 1`;
  const LIVE_TODO = (t: string) => `${t}.title IS NOT NULL AND ${t}."listId" IS NOT NULL AND ${t}."_deleted" IS NOT 1`;
  const LIST_COLUMNS = 'l.id, l.name, l."order", l."createdAt"';
  const TODO_COLUMNS = 't.id, t."listId", t.title, t.done, t."order", t."createdAt"';
  const q = {
    lists: db.prepare<[], ListRow>(`SELECT ${LIST_COLUMNS} FROM lists l WHERE ${LIVE_LIST('l')}`),
    list: db.prepare<[string], ListRow>(`SELECT ${LIST_COLUMNS} FROM lists l WHERE l.id = ? AND ${LIVE_LIST('l')}`),
    todos: db.prepare<[string], TodoRow>(`SELECT ${TODO_COLUMNS} FROM todos t WHERE t."listId" = ? AND ${LIVE_TODO('t')}`),
    todo: db.prepare<[string], TodoRow>(`
      SELECT ${TODO_COLUMNS} FROM todos t JOIN lists l ON l.id = t."listId"
      WHERE t.id = ? AND ${LIVE_TODO('t')} AND ${LIVE_LIST('l')}`),
  };

  const lists = (): TodoList[] => q.lists.all().map(toList).sort(byOrder);
  const list = (id: string): TodoList | undefined => {
    const r = q.list.get(id);
    return r ? toList(r) : undefined;
  };
  const todos = (listId: string): Todo[] => (list(listId) ? q.todos.all(listId).map(toTodo).sort(byOrder) : []);
  const todo = (id: string): Todo | undefined => {
    const r = q.todo.get(id);
    return r ? toTodo(r) : undefined;
  };

  async function writeOrders(table: 'lists' | 'todos', writes: readonly OrderWrite[]): Promise<void> {
    for (const w of writes) await client.set(table, w.id, 'order', w.order);
  }

  /** The order key for a new last item (renumbering the others first if their keys need it). */
  async function orderForNew(table: 'lists' | 'todos', items: readonly { id: string; order: string }[], id: string): Promise<string> {
    const writes = placeAt(items, id, items.length, ORDER_MAX);
    await writeOrders(table, writes.filter((w) => w.id !== id));
    return writes.find((w) => w.id === id)?.order as string;
  }

  return {
    lists,
    list,
    todos,
    todo,

    async createList(name) {
      const id = newId();
      const order = await orderForNew('lists', lists(), id);
      await client.update('lists', id, { name, order, createdAt: now() });
      return list(id) as TodoList;
    },
    async renameList(id, name) {
      await client.set('lists', id, 'name', name);
    },
    async moveList(id, toIndex) {
      await writeOrders('lists', placeAt(lists(), id, toIndex, ORDER_MAX));
    },
    async deleteList(id) {
      await client.delete('lists', id); // its todos disappear with it; they keep their own rows
    },

    async createTodo(listId, title) {
      const id = newId();
      const order = await orderForNew('todos', todos(listId), id);
      await client.update('todos', id, { listId, title, done: false, order, createdAt: now() });
      return todo(id) as Todo;
    },
    async renameTodo(id, title) {
      await client.set('todos', id, 'title', title);
    },
    async setTodoDone(id, done) {
      await client.set('todos', id, 'done', done);
    },
    async moveTodo(id, toIndex) {
      const t = todo(id) as Todo;
      await writeOrders('todos', placeAt(todos(t.listId), id, toIndex, ORDER_MAX));
    },
    async deleteTodo(id) {
      await client.delete('todos', id);
    },
  };
}
