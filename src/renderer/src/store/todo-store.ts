/**
 * Lists and todos: loading them, keeping the selection sensible when lists come and go, and
 * the actions that change them. Every write re-reads afterwards, so the screen always shows
 * what the core holds, including after a failed call.
 */
import type { Todo, TodoList } from '../../../shared/app-api.ts';
import { checkListName, checkTitle } from '../../../shared/input-rules.ts';
import type { DataSlice, SliceContext, TextResult } from './app-state.ts';
import { isInvalidArgument, isNotFound } from './errors.ts';

type Check = (input: unknown) => { ok: true; value: string } | { ok: false; message: string };

/** Keeps the selection, or moves it to the list that took the removed one's place. */
function pickSelection(previous: readonly TodoList[], next: readonly TodoList[], selected: string | null): string | null {
  if (selected !== null && next.some((l) => l.id === selected)) return selected;
  if (next.length === 0) return null;
  const at = previous.findIndex((l) => l.id === selected);
  return (next[Math.min(Math.max(at, 0), next.length - 1)] as TodoList).id;
}

export function createDataSlice({ api, set, get }: SliceContext): DataSlice {
  // Answers can arrive out of order: a response older than the one on screen is dropped.
  let listsRequested = 0;
  let listsApplied = 0;
  let todosRequested = 0;
  let todosApplied = 0;

  const refresh = () => get().loadLists();

  async function write(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      await refresh();
      return true;
    } catch (error) {
      get().reportError(error);
      await refresh();
      return false;
    }
  }

  async function writeText(check: Check, text: string, call: (value: string) => Promise<unknown>): Promise<TextResult> {
    const checked = check(text);
    if (!checked.ok) return { ok: false, message: checked.message };
    try {
      await call(checked.value);
      await refresh();
      return { ok: true };
    } catch (error) {
      if (isInvalidArgument(error)) return { ok: false, message: error.message };
      get().reportError(error);
      await refresh();
      return { ok: false, message: null };
    }
  }

  async function restoreTodo(todo: Todo, index: number): Promise<void> {
    await write(async () => {
      const created = await api.createTodo(todo.listId, todo.title);
      if (todo.done) await api.setTodoDone(created.id, true);
      await api.moveTodo(created.id, index);
    });
  }

  return {
    lists: [],
    listsLoaded: false,
    selectedListId: null,
    todos: [],
    todosListId: null,
    filter: 'all',

    async loadLists() {
      const seq = ++listsRequested;
      let lists: TodoList[];
      try {
        lists = await api.lists();
      } catch (error) {
        if (seq > listsApplied) get().reportError(error);
        return;
      }
      if (seq <= listsApplied) return;
      listsApplied = seq;
      const { lists: previous, selectedListId } = get();
      set({ lists, listsLoaded: true, selectedListId: pickSelection(previous, lists, selectedListId) });
      await get().loadTodos();
    },

    async loadTodos() {
      const listId = get().selectedListId;
      const seq = ++todosRequested;
      if (listId === null) {
        todosApplied = seq;
        set({ todos: [], todosListId: null });
        return;
      }
      const current = () => seq > todosApplied && get().selectedListId === listId;
      try {
        const todos = await api.todos(listId);
        if (!current()) return;
        todosApplied = seq;
        set({ todos, todosListId: listId });
      } catch (error) {
        if (!current()) return;
        // Deleted on another device: the data event that says so reloads the lists.
        if (isNotFound(error)) {
          todosApplied = seq;
          set({ todos: [], todosListId: listId });
        } else get().reportError(error);
      }
    },

    selectList(id) {
      if (get().selectedListId === id) return;
      set({ selectedListId: id });
      void get().loadTodos();
    },

    setFilter(filter) {
      set({ filter });
    },

    createList: (name) =>
      writeText(checkListName, name, async (value) => {
        const list = await api.createList(value);
        set({ selectedListId: list.id });
      }),
    renameList: (id, name) => writeText(checkListName, name, (value) => api.renameList(id, value)),
    moveList: (id, toIndex) => write(() => api.moveList(id, toIndex)),
    deleteList: (id) => write(() => api.deleteList(id)),

    createTodo(title) {
      const listId = get().selectedListId;
      if (listId === null) return Promise.resolve({ ok: false, message: 'Create a list first.' });
      return writeText(checkTitle, title, (value) => api.createTodo(listId, value));
    },
    renameTodo: (id, title) => writeText(checkTitle, title, (value) => api.renameTodo(id, value)),
    setTodoDone: (id, done) => write(() => api.setTodoDone(id, done)),
    moveTodo: (id, toIndex) => write(() => api.moveTodo(id, toIndex)),

    async deleteTodo(id) {
      const { todos } = get();
      const index = todos.findIndex((t) => t.id === id);
      const todo = todos[index];
      const ok = await write(() => api.deleteTodo(id));
      if (ok && todo) {
        get().notify({ kind: 'info', message: `Deleted “${todo.title}”`, action: { label: 'Undo', run: () => void restoreTodo(todo, index) } });
      }
      return ok;
    },
  };
}
