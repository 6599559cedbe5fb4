import { memo, useCallback } from 'react';
import type { Row } from '../../../../shared/app-rows.ts';
import { appSchema } from '../../../../shared/app-schema.ts';
import { textCheck } from '../../../../shared/field-checks.ts';
import { Icon } from '../../components/Icon.tsx';
import { InlineEdit } from '../../components/InlineEdit.tsx';
import { RowActions } from '../../components/RowActions.tsx';
import { RowNotices } from '../../components/RowNotices.tsx';
import { UserText } from '../../components/UserText.tsx';
import { displayText } from '../../lib/display-text.ts';
import type { GripHandlers } from '../../hooks/use-drag-reorder.ts';
import type { RowKeyHandlers } from '../../hooks/use-row-keys.ts';
import type { TextResult } from '../../store/app-state.ts';
import { quoteStart } from '../../lib/cell-words.ts';

const checkTitle = textCheck(appSchema, 'todos', 'title');

/**
 * What a row does, by the row's id: one object shared by every row and the same on every
 * render (see use-stable-handlers.ts), so that `memo` can skip the rows that did not change.
 */
export interface TodoRowActions {
  edit(id: string, editing: boolean): void;
  toggle(id: string): void;
  rename(id: string, title: string): Promise<TextResult>;
  /** The rename went away unsaved: the todo was deleted. */
  abandon(todo: Row<'todos'>, title: string): void;
  move(id: string, delta: -1 | 1): void;
  remove(id: string): void;
}

interface Props {
  /** Kept the same object while the todo is unchanged (data-store.ts): a changed one re-renders. */
  readonly todo: Row<'todos'>;
  /** Its place among the todos shown (0-based), and how many there are: the list is windowed,
   * so a screen reader learns both from the row (aria-posinset/-setsize), not by counting. */
  readonly index: number;
  readonly count: number;
  /** Where the row sits in the list element, in pixels (use-list-window.ts places every row). */
  readonly top: number;
  /** Measures the row for the window (a stable ref callback). */
  readonly measure: (el: HTMLElement | null) => void;
  readonly active: boolean;
  readonly editing: boolean;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  /** Drag state: the row follows the pointer by `dragOffset` pixels. */
  readonly dragOffset: number | null;
  readonly drop: 'before' | 'after' | null;
  readonly keys: RowKeyHandlers;
  readonly grip: GripHandlers;
  readonly actions: TodoRowActions;
}

/** One todo. Memoised: a list of thousands re-renders only the rows whose props changed. */
export const TodoRow = memo(function TodoRow({ todo, index, count, top, measure, active, editing, isFirst, isLast, dragOffset, drop, keys, grip, actions }: Props) {
  const id = todo.id;
  const tabIndex = active ? 0 : -1;
  const ref = useCallback(
    (el: HTMLLIElement | null) => {
      keys.register(id, el);
      measure(el);
    },
    [keys, id, measure],
  );
  // The title as synced may hold characters the input rules refuse: shown neutralised.
  const name = displayText(todo.title);
  return (
    <li
      ref={ref}
      tabIndex={tabIndex}
      onFocus={() => keys.focus(id)}
      onKeyDown={(event) => keys.keyDown(id, event)}
      className={`todo-row${todo.done ? ' is-done' : ''}${dragOffset !== null ? ' is-dragging' : ''}${drop ? ` drop-${drop}` : ''}`}
      style={{ transform: `translateY(${top + (dragOffset ?? 0)}px)` }}
      aria-label={name}
      aria-posinset={index + 1}
      aria-setsize={count}
      data-index={index}
      data-testid="todo-item"
      data-todo-id={id}
      data-done={todo.done}
      data-reorder-row
    >
      <span
        className="grip"
        aria-hidden="true"
        title="Drag to reorder"
        onPointerDown={(event) => grip.down(id, event)}
        onPointerMove={grip.move}
        onPointerUp={grip.up}
        onPointerCancel={grip.cancel}
      >
        <Icon name="grip" />
      </span>
      {/* The label is the box's hit area, 24 × 24 around its 18 px (WCAG 2.5.8). */}
      <label className="checkbox-hit">
        <input type="checkbox" className="checkbox" checked={todo.done} onChange={() => actions.toggle(id)} tabIndex={tabIndex} aria-label={name} data-testid="todo-checkbox" />
      </label>
      {editing ? (
        <InlineEdit
          initial={todo.title}
          label={`Rename “${quoteStart(name)}”`}
          check={checkTitle}
          save={(title) => actions.rename(id, title)}
          onDone={() => actions.edit(id, false)}
          onAbandon={(title) => actions.abandon(todo, title)}
        />
      ) : (
        <span className="todo-title" data-testid="todo-title" onDoubleClick={() => actions.edit(id, true)}>
          <UserText value={todo.title} />
        </span>
      )}
      {!editing && (
        <RowActions
          name={name}
          isFirst={isFirst}
          isLast={isLast}
          tabbable={active}
          onRename={() => actions.edit(id, true)}
          onMove={(delta) => actions.move(id, delta)}
          onDelete={() => actions.remove(id)}
        />
      )}
      <RowNotices table="todos" row={id} />
    </li>
  );
});
