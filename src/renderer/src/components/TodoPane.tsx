import { useMemo } from 'react';
import { checkTitle } from '../../../shared/input-rules.ts';
import type { TodoFilter } from '../store/app-state.ts';
import { useAppStore } from '../store/store-context.ts';
import { FilterTabs } from './FilterTabs.tsx';
import { Icon } from './Icon.tsx';
import { NewItemForm } from './NewItemForm.tsx';
import { TodoList } from './TodoList.tsx';

const EMPTY_TEXT: Record<TodoFilter, string> = {
  all: 'Nothing here yet. Add a todo above.',
  active: 'Nothing left to do.',
  done: 'Nothing done yet.',
};

/** The selected list: its name, the new-todo input, the filter tabs and the todos. */
export function TodoPane() {
  const list = useAppStore((s) => s.lists.find((l) => l.id === s.selectedListId) ?? null);
  const listsLoaded = useAppStore((s) => s.listsLoaded);
  const todos = useAppStore((s) => s.todos);
  const loaded = useAppStore((s) => s.todosListId !== null && s.todosListId === s.selectedListId);
  const filter = useAppStore((s) => s.filter);
  const setFilter = useAppStore((s) => s.setFilter);
  const createTodo = useAppStore((s) => s.createTodo);

  const { visible, counts, allIds } = useMemo(() => {
    const done = todos.filter((t) => t.done);
    const active = todos.filter((t) => !t.done);
    return {
      visible: filter === 'all' ? todos : filter === 'done' ? done : active,
      counts: { all: todos.length, active: active.length, done: done.length },
      allIds: todos.map((t) => t.id),
    };
  }, [todos, filter]);

  if (!list) {
    return (
      <main className="todo-pane todo-pane-empty" id="todo-pane" tabIndex={-1}>
        {listsLoaded && (
          <div className="empty-state" data-testid="no-lists">
            <Icon name="lists" className="empty-icon" />
            <h1>No lists yet</h1>
            <p>Create a list in the sidebar to start adding todos.</p>
          </div>
        )}
      </main>
    );
  }

  return (
    <main className="todo-pane" id="todo-pane" tabIndex={-1} aria-labelledby="list-heading">
      <header className="todo-pane-header">
        <h1 id="list-heading" data-testid="list-heading">
          {list.name}
        </h1>
        <p className="todo-summary" data-testid="todo-summary">
          {counts.active} to do · {counts.done} done
        </p>
      </header>
      <NewItemForm key={list.id} label="New todo" placeholder="Add a todo and press Enter" check={checkTitle} submit={createTodo} testId="new-todo-input" />
      <FilterTabs value={filter} counts={counts} onChange={setFilter} panelId="todo-panel" />
      <div id="todo-panel" role="tabpanel" aria-labelledby={`filter-${filter}`} className="todo-panel">
        {!loaded ? null : visible.length === 0 ? (
          <p className="empty-hint" data-testid="todos-empty">
            {EMPTY_TEXT[filter]}
          </p>
        ) : (
          <TodoList todos={visible} allIds={allIds} listName={list.name} />
        )}
      </div>
    </main>
  );
}
