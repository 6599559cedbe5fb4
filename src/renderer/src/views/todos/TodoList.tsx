import { useMemo } from 'react';
import type { Row } from '../../../../shared/app-rows.ts';
import { useDragReorder } from '../../hooks/use-drag-reorder.ts';
import { useRowKeys } from '../../hooks/use-row-keys.ts';
import { displayText } from '../../lib/display-text.ts';
import { toFullIndex } from '../../lib/reorder.ts';
import { useAppStore } from '../../store/store-context.ts';
import type { TodoFilter } from './FilterTabs.tsx';
import { TodoRow } from './TodoRow.tsx';

interface Props {
  /** The todos the filter shows, in order. */
  readonly todos: readonly Row<'todos'>[];
  /** Every todo id of the list, in order: moves are positions in the whole list. */
  readonly allIds: readonly string[];
  readonly listName: string;
  readonly filter: TodoFilter;
  /** The todo being renamed (kept by the pane, which keeps it in view). */
  readonly editingId: string | null;
  readonly onEditing: (id: string | null) => void;
}

export function TodoList({ todos, allIds, listName, filter, editingId, onEditing }: Props) {
  const move = useAppStore((s) => s.move);
  const remove = useAppStore((s) => s.remove);
  const update = useAppStore((s) => s.update);
  const reportDeleted = useAppStore((s) => s.reportDeleted);
  const moveTodo = (id: string, toIndex: number) => move('todos', id, toIndex);
  const deleteTodo = (id: string) => remove('todos', id, { undo: true });
  const ids = useMemo(() => todos.map((t) => t.id), [todos]);

  const moveTo = (id: string, visibleTo: number) => void moveTodo(id, toFullIndex(allIds, ids, id, visibleTo));
  const toggle = (id: string) => {
    const index = ids.indexOf(id);
    const todo = todos[index];
    if (!todo) return;
    // Under Active or Done the toggled row leaves the view: its neighbour takes the focus.
    if (filter !== 'all') keys.focusRow(ids[index + 1] ?? ids[index - 1] ?? id);
    void update('todos', id, { done: !todo.done });
  };
  const keys = useRowKeys(ids, {
    move: (id, delta) => moveTo(id, ids.indexOf(id) + delta),
    rename: onEditing,
    remove: (id) => void deleteTodo(id),
    activate: toggle,
  });
  const { drag, dropGap, gripProps } = useDragReorder(moveTo);
  const last = todos.length - 1;

  return (
    <ul className="todo-list" aria-label={`Todos in ${displayText(listName)}`} data-testid="todo-list">
      {todos.map((todo, i) => (
        <TodoRow
          key={todo.id}
          todo={todo}
          rowProps={keys.rowProps(todo.id)}
          gripProps={gripProps(todo.id, i)}
          active={keys.activeId === todo.id}
          editing={editingId === todo.id}
          isFirst={i === 0}
          isLast={i === last}
          dragOffset={drag?.id === todo.id ? drag.dy : null}
          drop={dropGap === i ? 'before' : dropGap === todos.length && i === last ? 'after' : null}
          onEdit={(on) => {
            onEditing(on ? todo.id : null);
            if (!on) keys.refocusRow(todo.id);
          }}
          onToggle={() => toggle(todo.id)}
          onRename={(title) => update('todos', todo.id, { title })}
          onAbandon={(title) => void reportDeleted('todos', todo, title)}
          onMove={(delta) => moveTo(todo.id, i + delta)}
          onDelete={() => {
            keys.focusRow(ids[i + 1] ?? ids[i - 1] ?? todo.id);
            void deleteTodo(todo.id);
          }}
        />
      ))}
    </ul>
  );
}
