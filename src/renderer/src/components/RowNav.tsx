import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { TableName } from '../../../shared/app-rows.ts';
import type { AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { numberInput, textCheck } from '../../../shared/field-checks.ts';
import { useDragReorder } from '../hooks/use-drag-reorder.ts';
import { quoted, type Message } from '../lib/display-text.ts';
import { focusParked } from '../lib/focus-lost.ts';
import { useRestoredFocus } from '../hooks/use-restored-focus.ts';
import { useRowKeys } from '../hooks/use-row-keys.ts';
import { useAppStore } from '../store/store-context.ts';
import { useRows, useSelection } from '../store/use-rows.ts';
import { NavRow } from './NavRow.tsx';
import { NewItemForm } from './NewItemForm.tsx';
import type { MoreField, MoreValues } from './NewItemMore.tsx';

interface Props {
  /** A table without a parent: its rows are what the view's main pane opens. */
  readonly table: TableName;
  /** The nav's heading and accessible name: "Lists". */
  readonly heading: string;
  /** The new-row input's label and placeholder: "New list". */
  readonly newLabel: string;
  /** Test hooks: `list-nav`, `list-item`, `data-list-id`, `new-list-input`. */
  readonly testIdPrefix: string;
}

type Mode = { id: string; mode: 'edit' | 'confirm' } | null;

/** "Delete “Groceries” and its todos?": deleting a row hides the rows below it too. */
function confirmQuestion(t: AppTable, title: string): Message {
  const below = t.descendants.map((name) => appSchema.table(name)?.plural ?? name);
  return [...quoted`Delete “${title}”`, below.length > 0 ? ` and its ${below.join(' and ')}?` : '?'];
}

/**
 * The columns a new row is given in the "New …" form besides its title, each by its label
 * (round 67: required text; round 68: required numbers and flags): a required text column (a
 * project's client), a number a user types whose spec forbids null (its hours), and each flag
 * (a checkbox, unchecked: what the core writes for a flag left out, so the user can set it at
 * once). No default is made up for text or numbers: an empty client or no hours is a refusal,
 * and a guessed one a wrong row that syncs to every device. Not asked: a parent (the view's
 * to give; RowNav's tables have none), order and creation time (the core's), optional text,
 * nullable numbers and `field()` columns without a label (the code's, not a user's).
 */
function moreFields(t: AppTable): MoreField[] {
  return [...t.columns].flatMap(([name, c]): MoreField[] => {
    if (name === t.titleColumn) return [];
    if (c.kind === 'text' && !c.optional) return [{ kind: 'text', column: name, label: c.label, check: textCheck(appSchema, t.name, name) }];
    if (c.kind === 'flag') return [{ kind: 'flag', column: name, label: c.label ?? name }];
    if (c.kind === 'field' && c.rule !== undefined) {
      const spec = numberInput(appSchema, t.name, name);
      return spec.nullable ? [] : [{ kind: 'number', column: name, spec }];
    }
    return [];
  });
}

/**
 * The rows of one table in a view's sidebar, by their title: pick one (it becomes the
 * table's selected row), add, rename, reorder (when the table has an order), delete after a
 * confirmation. Generic over the app schema: the todo view shows its lists with it.
 */
export function RowNav({ table, heading, newLabel, testIdPrefix }: Props) {
  const t = appSchema.table(table) as AppTable;
  const titleOf = (row: Readonly<Record<string, unknown>>) => String(row[t.titleColumn]);
  const { rows } = useRows(table);
  const [selectedId, select] = useSelection(table);
  const create = useAppStore((s) => s.create);
  const update = useAppStore((s) => s.update);
  const move = useAppStore((s) => s.move);
  const remove = useAppStore((s) => s.remove);
  const reportDeleted = useAppStore((s) => s.reportDeleted);
  const [mode, setMode] = useState<Mode>(null);
  // The row being renamed or confirmed was deleted (on another device): its mode ends with
  // it, and never comes back as a stale rename if the row does (an Undo brings a new id anyway).
  if (mode !== null && !rows.some((r) => r.id === mode.id)) setMode(null);
  const headingId = useId();
  const check = useMemo(() => textCheck(appSchema, table, t.titleColumn), [table, t.titleColumn]);
  const more = useMemo(() => moreFields(t), [t]);
  const ids = useMemo(() => rows.map((r) => r.id), [rows]);
  const ordered = t.orderColumn !== null;

  const keys = useRowKeys(
    ids,
    {
      move: (id, delta) => ordered && void move(table, id, ids.indexOf(id) + delta),
      rename: (id) => setMode({ id, mode: 'edit' }),
      remove: (id) => setMode({ id, mode: 'confirm' }),
    },
    selectedId,
  );
  useRestoredFocus(table, ids, keys.focusIfHere);
  const { drag, dropGap, gripProps } = useDragReorder((id, to) => void move(table, id, to));
  // The last row went (deleted, here or elsewhere) with the focus in it: the focus goes to
  // the New … input, not to <body> (the top of the page, for a screen reader), as the todo
  // pane does when its last todo goes.
  const nav = useRef<HTMLElement>(null);
  const hadRows = useRef(rows.length > 0);
  useEffect(() => {
    const had = hadRows.current;
    hadRows.current = rows.length > 0;
    if (had && rows.length === 0 && focusParked()) nav.current?.querySelector<HTMLElement>(`[data-testid="new-${testIdPrefix}-input"]`)?.focus();
  }, [rows.length, testIdPrefix]);
  const last = rows.length - 1;

  const add = async (title: string, values: MoreValues) => {
    const result = await create(table, { ...values, [t.titleColumn]: title });
    if (!result.ok) return result;
    select(result.row.id);
    return { ok: true } as const;
  };

  return (
    <nav ref={nav} className="sidebar" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-heading">
        {heading}
      </h2>
      {rows.length > 0 && (
        <ul className="list-nav" data-testid={`${testIdPrefix}-nav`}>
          {rows.map((row, i) => (
            <NavRow
              key={row.id}
              id={row.id}
              title={titleOf(row)}
              noun={t.noun}
              testIdPrefix={testIdPrefix}
              check={check}
              confirmQuestion={confirmQuestion(t, titleOf(row))}
              rowProps={keys.rowProps(row.id)}
              gripProps={ordered ? gripProps(row.id, i) : null}
              selected={row.id === selectedId}
              active={keys.activeId === row.id}
              mode={mode?.id === row.id ? mode.mode : 'view'}
              isFirst={i === 0}
              isLast={i === last}
              dragOffset={drag?.id === row.id ? drag.dy : null}
              drop={dropGap === i ? 'before' : dropGap === rows.length && i === last ? 'after' : null}
              onSelect={() => select(row.id)}
              onMode={(next) => {
                setMode(next === 'view' ? null : { id: row.id, mode: next });
                if (next === 'view') keys.refocusRow(row.id);
              }}
              onRename={(title) => update(table, row.id, { [t.titleColumn]: title })}
              onAbandon={(title) => void reportDeleted(table, row, title)}
              onMove={ordered ? (delta) => void move(table, row.id, i + delta) : null}
              onDelete={() => {
                setMode(null);
                keys.focusRow(ids[i + 1] ?? ids[i - 1] ?? row.id);
                // As a todo's: a toast with Undo, and Ctrl+Z (the rows below come back too).
                void remove(table, row.id, { undo: true });
              }}
            />
          ))}
        </ul>
      )}
      <NewItemForm className="nav-new-item" label={newLabel} placeholder={newLabel} check={check} more={more} submit={add} testId={`new-${testIdPrefix}-input`} />
    </nav>
  );
}
