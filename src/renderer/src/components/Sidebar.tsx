import { useMemo, useState } from 'react';
import { checkListName } from '../../../shared/input-rules.ts';
import { useDragReorder } from '../hooks/use-drag-reorder.ts';
import { useRowKeys } from '../hooks/use-row-keys.ts';
import { useAppStore } from '../store/store-context.ts';
import { ListRow } from './ListRow.tsx';
import { NewItemForm } from './NewItemForm.tsx';

type Mode = { id: string; mode: 'edit' | 'confirm' } | null;

/** The lists: pick one, add, rename, reorder, delete (after a confirmation). */
export function Sidebar() {
  const lists = useAppStore((s) => s.lists);
  const selectedListId = useAppStore((s) => s.selectedListId);
  const selectList = useAppStore((s) => s.selectList);
  const createList = useAppStore((s) => s.createList);
  const renameList = useAppStore((s) => s.renameList);
  const moveList = useAppStore((s) => s.moveList);
  const deleteList = useAppStore((s) => s.deleteList);
  const [mode, setMode] = useState<Mode>(null);
  const ids = useMemo(() => lists.map((l) => l.id), [lists]);

  const keys = useRowKeys(
    ids,
    {
      move: (id, delta) => void moveList(id, ids.indexOf(id) + delta),
      rename: (id) => setMode({ id, mode: 'edit' }),
      remove: (id) => setMode({ id, mode: 'confirm' }),
    },
    selectedListId,
  );
  const { drag, dropGap, gripProps } = useDragReorder((id, to) => void moveList(id, to));
  const last = lists.length - 1;

  return (
    <nav className="sidebar" aria-labelledby="lists-heading">
      <h2 id="lists-heading" className="panel-heading">
        Lists
      </h2>
      {lists.length > 0 && (
        <ul className="list-nav" data-testid="list-nav">
          {lists.map((list, i) => (
            <ListRow
              key={list.id}
              list={list}
              rowProps={keys.rowProps(list.id)}
              gripProps={gripProps(list.id, i)}
              selected={list.id === selectedListId}
              active={keys.activeId === list.id}
              mode={mode?.id === list.id ? mode.mode : 'view'}
              isFirst={i === 0}
              isLast={i === last}
              dragOffset={drag?.id === list.id ? drag.dy : null}
              drop={dropGap === i ? 'before' : dropGap === lists.length && i === last ? 'after' : null}
              onSelect={() => selectList(list.id)}
              onMode={(next) => {
                setMode(next === 'view' ? null : { id: list.id, mode: next });
                if (next === 'view') keys.refocusRow(list.id);
              }}
              onRename={(name) => renameList(list.id, name)}
              onMove={(delta) => void moveList(list.id, i + delta)}
              onDelete={() => {
                setMode(null);
                keys.focusRow(ids[i + 1] ?? ids[i - 1] ?? list.id);
                void deleteList(list.id);
              }}
            />
          ))}
        </ul>
      )}
      <NewItemForm className="new-list" label="New list" placeholder="New list" check={checkListName} submit={createList} testId="new-list-input" />
    </nav>
  );
}
