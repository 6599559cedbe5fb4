import { useMemo, useRef, type RefObject } from 'react';
import type { Row } from '../../../../shared/app-rows.ts';
import { useDragReorder } from '../../hooks/use-drag-reorder.ts';
import { useListWindow } from '../../hooks/use-list-window.ts';
import { useRestoredFocus } from '../../hooks/use-restored-focus.ts';
import { useRowKeys } from '../../hooks/use-row-keys.ts';
import { useStableHandlers } from '../../hooks/use-stable-handlers.ts';
import { displayText } from '../../lib/display-text.ts';
import { toFullIndex } from '../../lib/reorder.ts';
import { useAppStore } from '../../store/store-context.ts';
import type { TodoFilter } from './FilterTabs.tsx';
import { TodoRow, type TodoRowActions } from './TodoRow.tsx';

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
  /** The pane the list scrolls in: the list renders only the rows in its view. */
  readonly scrollRef: RefObject<HTMLElement | null>;
}

export function TodoList({ todos, allIds, listName, filter, editingId, onEditing, scrollRef }: Props) {
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
    // `view` is set below; this runs later, on a key press or after a render.
    reveal: (id) => view.reveal(ids.indexOf(id)),
  });
  useRestoredFocus('todos', ids, keys.focusIfHere);
  const { drag, dropGap, grip } = useDragReorder(moveTo);
  const listRef = useRef<HTMLUListElement>(null);
  const view = useListWindow({
    ids,
    scrollRef,
    listRef,
    keep: [ids.indexOf(keys.activeId ?? ''), editingId === null ? -1 : ids.indexOf(editingId), drag ? ids.indexOf(drag.id) : -1],
  });
  const last = todos.length - 1;
  // One object for every row, the same on every render: a row re-renders only when its own
  // props change (TodoRow is memoised), not on every keystroke or write elsewhere in the list.
  const actions: TodoRowActions = useStableHandlers({
    edit: (id: string, on: boolean) => {
      onEditing(on ? id : null);
      if (!on) keys.refocusRow(id);
    },
    toggle,
    rename: (id: string, title: string) => update('todos', id, { title }),
    abandon: (todo: Row<'todos'>, title: string) => void reportDeleted('todos', todo, title),
    move: (id: string, delta: -1 | 1) => moveTo(id, ids.indexOf(id) + delta),
    remove: (id: string) => {
      const i = ids.indexOf(id);
      keys.focusRow(ids[i + 1] ?? ids[i - 1] ?? id);
      void deleteTodo(id);
    },
  });

  return (
    <ul ref={listRef} className="todo-list" aria-label={`Todos in ${displayText(listName)}`} data-testid="todo-list" style={{ height: view.height }}>
      {view.rows.map(({ index: i, start }) => {
        const todo = todos[i];
        if (!todo) return null;
        return (
          <TodoRow
            key={todo.id}
            todo={todo}
            index={i}
            count={todos.length}
            top={start - view.margin}
            measure={view.measure}
            active={keys.activeId === todo.id}
            editing={editingId === todo.id}
            isFirst={i === 0}
            isLast={i === last}
            dragOffset={drag?.id === todo.id ? drag.dy : null}
            drop={dropGap === i ? 'before' : dropGap === todos.length && i === last ? 'after' : null}
            keys={keys.handlers}
            grip={grip}
            actions={actions}
          />
        );
      })}
    </ul>
  );
}
