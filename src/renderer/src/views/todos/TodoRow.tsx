import type { ComponentProps } from 'react';
import type { Row } from '../../../../shared/app-rows.ts';
import { appSchema } from '../../../../shared/app-schema.ts';
import { textCheck } from '../../../../shared/field-checks.ts';
import { Icon } from '../../components/Icon.tsx';
import { InlineEdit } from '../../components/InlineEdit.tsx';
import { RowActions } from '../../components/RowActions.tsx';
import { RowNotices } from '../../components/RowNotices.tsx';
import { UserText } from '../../components/UserText.tsx';
import { displayText } from '../../lib/display-text.ts';
import type { TextResult } from '../../store/app-state.ts';

const checkTitle = textCheck(appSchema, 'todos', 'title');

interface Props {
  readonly todo: Row<'todos'>;
  readonly rowProps: ComponentProps<'li'>;
  readonly gripProps: ComponentProps<'span'>;
  readonly active: boolean;
  readonly editing: boolean;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  /** Drag state: the row follows the pointer by `dragOffset` pixels. */
  readonly dragOffset: number | null;
  readonly drop: 'before' | 'after' | null;
  readonly onEdit: (editing: boolean) => void;
  readonly onToggle: () => void;
  readonly onRename: (title: string) => Promise<TextResult>;
  /** The rename went away unsaved: the todo was deleted. */
  readonly onAbandon: (title: string) => void;
  readonly onMove: (delta: -1 | 1) => void;
  readonly onDelete: () => void;
}

export function TodoRow({ todo, rowProps, gripProps, active, editing, isFirst, isLast, dragOffset, drop, onEdit, onToggle, onRename, onAbandon, onMove, onDelete }: Props) {
  const tabIndex = active ? 0 : -1;
  // The title as synced may hold characters the input rules refuse: shown neutralised.
  const name = displayText(todo.title);
  return (
    <li
      {...rowProps}
      className={`todo-row${todo.done ? ' is-done' : ''}${dragOffset !== null ? ' is-dragging' : ''}${drop ? ` drop-${drop}` : ''}`}
      style={dragOffset !== null ? { transform: `translateY(${dragOffset}px)` } : undefined}
      aria-label={name}
      data-testid="todo-item"
      data-todo-id={todo.id}
      data-done={todo.done}
      data-reorder-row
    >
      <span className="grip" aria-hidden="true" title="Drag to reorder" {...gripProps}>
        <Icon name="grip" />
      </span>
      <input type="checkbox" className="checkbox" checked={todo.done} onChange={onToggle} tabIndex={tabIndex} aria-label={name} data-testid="todo-checkbox" />
      {editing ? (
        <InlineEdit initial={todo.title} label={`Rename “${name}”`} check={checkTitle} save={onRename} onDone={() => onEdit(false)} onAbandon={onAbandon} />
      ) : (
        <span className="todo-title" data-testid="todo-title" onDoubleClick={() => onEdit(true)}>
          <UserText value={todo.title} />
        </span>
      )}
      {!editing && <RowActions name={name} isFirst={isFirst} isLast={isLast} tabbable={active} onRename={() => onEdit(true)} onMove={onMove} onDelete={onDelete} />}
      <RowNotices table="todos" row={todo.id} />
    </li>
  );
}
