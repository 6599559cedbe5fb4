import type { ComponentProps } from 'react';
import type { TodoList } from '../../../shared/app-api.ts';
import { checkListName } from '../../../shared/input-rules.ts';
import type { TextResult } from '../store/app-state.ts';
import { ConfirmDelete } from './ConfirmDelete.tsx';
import { Icon } from './Icon.tsx';
import { InlineEdit } from './InlineEdit.tsx';
import { RowActions } from './RowActions.tsx';

interface Props {
  readonly list: TodoList;
  readonly rowProps: ComponentProps<'li'>;
  readonly gripProps: ComponentProps<'span'>;
  readonly selected: boolean;
  readonly active: boolean;
  readonly mode: 'view' | 'edit' | 'confirm';
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly dragOffset: number | null;
  readonly drop: 'before' | 'after' | null;
  readonly onSelect: () => void;
  readonly onMode: (mode: 'view' | 'edit' | 'confirm') => void;
  readonly onRename: (name: string) => Promise<TextResult>;
  readonly onMove: (delta: -1 | 1) => void;
  readonly onDelete: () => void;
}

/** One list in the sidebar. Focusing it (arrow keys) or clicking it opens it. */
export function ListRow(props: Props) {
  const { list, rowProps, gripProps, selected, active, mode, dragOffset, drop, onSelect, onMode } = props;
  const classes = ['list-row', selected && 'is-selected', dragOffset !== null && 'is-dragging', drop && `drop-${drop}`].filter(Boolean).join(' ');
  return (
    <li
      {...rowProps}
      className={classes}
      style={dragOffset !== null ? { transform: `translateY(${dragOffset}px)` } : undefined}
      aria-label={list.name}
      aria-current={selected ? 'true' : undefined}
      data-testid="list-item"
      data-list-id={list.id}
      data-reorder-row
      onClick={(e) => {
        // The row's own buttons and inputs act on the list without opening it.
        if (!(e.target as Element).closest('button, input')) onSelect();
      }}
      onFocus={(e) => {
        rowProps.onFocus?.(e);
        if (e.target === e.currentTarget) onSelect();
      }}
    >
      <span className="grip" aria-hidden="true" title="Drag to reorder" {...gripProps}>
        <Icon name="grip" />
      </span>
      {mode === 'edit' ? (
        <InlineEdit initial={list.name} label={`Rename list “${list.name}”`} check={checkListName} save={props.onRename} onDone={() => onMode('view')} />
      ) : (
        <span className="list-name" onDoubleClick={() => onMode('edit')}>
          {list.name}
        </span>
      )}
      {mode === 'confirm' && <ConfirmDelete question={`Delete “${list.name}” and its todos?`} onConfirm={props.onDelete} onCancel={() => onMode('view')} />}
      {mode === 'view' && (
        <RowActions name={list.name} isFirst={props.isFirst} isLast={props.isLast} tabbable={active} onRename={() => onMode('edit')} onMove={props.onMove} onDelete={() => onMode('confirm')} />
      )}
    </li>
  );
}
