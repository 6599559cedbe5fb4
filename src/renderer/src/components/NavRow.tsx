import type { ComponentProps } from 'react';
import type { TextCheck } from '../../../shared/input-rules.ts';
import { displayText, type Message } from '../lib/display-text.ts';
import type { TextResult } from '../store/app-state.ts';
import { ConfirmDelete } from './ConfirmDelete.tsx';
import { Icon } from './Icon.tsx';
import { InlineEdit } from './InlineEdit.tsx';
import { RowActions } from './RowActions.tsx';
import { UserText } from './UserText.tsx';

interface Props {
  readonly id: string;
  /** The row's title as stored: its accessible name and what it shows, neutralised (lib/display-text.ts). */
  readonly title: string;
  /** "list": rename label "Rename list “X”", test ids `list-item` and `data-list-id`. */
  readonly noun: string;
  readonly testIdPrefix: string;
  readonly check: (input: unknown) => TextCheck;
  /** "Delete “Groceries” and its todos?" */
  readonly confirmQuestion: Message;
  readonly rowProps: ComponentProps<'li'>;
  /** Absent when the rows have no order to change. */
  readonly gripProps: ComponentProps<'span'> | null;
  readonly selected: boolean;
  readonly active: boolean;
  readonly mode: 'view' | 'edit' | 'confirm';
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly dragOffset: number | null;
  readonly drop: 'before' | 'after' | null;
  readonly onSelect: () => void;
  readonly onMode: (mode: 'view' | 'edit' | 'confirm') => void;
  readonly onRename: (title: string) => Promise<TextResult>;
  /** The rename went away unsaved: the row was deleted. */
  readonly onAbandon: (title: string) => void;
  readonly onMove: ((delta: -1 | 1) => void) | null;
  readonly onDelete: () => void;
}

/** One row of a view's nav (a list, a note). Focusing it (arrow keys) or clicking it opens it. */
export function NavRow(props: Props) {
  const { id, title, rowProps, gripProps, selected, active, mode, dragOffset, drop, onSelect, onMode } = props;
  const name = displayText(title);
  const classes = ['list-row', selected && 'is-selected', dragOffset !== null && 'is-dragging', drop && `drop-${drop}`].filter(Boolean).join(' ');
  return (
    <li
      {...rowProps}
      className={classes}
      style={dragOffset !== null ? { transform: `translateY(${dragOffset}px)` } : undefined}
      aria-label={name}
      aria-current={selected ? 'true' : undefined}
      data-testid={`${props.testIdPrefix}-item`}
      {...{ [`data-${props.testIdPrefix}-id`]: id }}
      data-reorder-row
      onClick={(e) => {
        // The row's own buttons and inputs act on the row without opening it.
        if (!(e.target as Element).closest('button, input')) onSelect();
      }}
      onFocus={(e) => {
        rowProps.onFocus?.(e);
        if (e.target === e.currentTarget) onSelect();
      }}
    >
      {gripProps && (
        <span className="grip" aria-hidden="true" title="Drag to reorder" {...gripProps}>
          <Icon name="grip" />
        </span>
      )}
      {mode === 'edit' ? (
        <InlineEdit initial={title} label={`Rename ${props.noun} “${name}”`} check={props.check} save={props.onRename} onDone={() => onMode('view')} onAbandon={props.onAbandon} />
      ) : (
        <span className="list-name" onDoubleClick={() => onMode('edit')}>
          <UserText value={title} />
        </span>
      )}
      {mode === 'confirm' && <ConfirmDelete question={props.confirmQuestion} onConfirm={props.onDelete} onCancel={() => onMode('view')} />}
      {mode === 'view' && (
        <RowActions name={name} wholeName isFirst={props.isFirst} isLast={props.isLast} tabbable={active} onRename={() => onMode('edit')} onMove={props.onMove} onDelete={() => onMode('confirm')} />
      )}
    </li>
  );
}
