import { useEffect, useRef } from 'react';
import type { InspectorEntry } from '../../../shared/app-api.ts';
import { useNow } from '../hooks/use-now.ts';
import { useRowKeys } from '../hooks/use-row-keys.ts';
import { focusLost } from '../lib/focus-lost.ts';
import { columnLabel, isInternal, nounOf } from '../lib/cell-words.ts';
import { displayText } from '../lib/display-text.ts';
import { useAppStore } from '../store/store-context.ts';
import { Icon } from './Icon.tsx';
import { InspectorRow } from './InspectorRow.tsx';

const keyOf = (e: InspectorEntry): string => `${e.hlc}/${e.table}/${e.row}/${e.column}`;
const NO_ACTIONS = {};

/**
 * The mechanism made visible: the newest messages, each a write to one cell, and whether it
 * is that cell's current value (won) or was outdated by a later timestamp (lost). Rows are
 * named by title and writers by device; the fields the core keeps (order, creation time,
 * parent) are folded away unless asked for. It narrows to one row, or to one field's whole
 * history: its winner and the writes it beat.
 */
export function Inspector() {
  const open = useAppStore((s) => s.inspectorOpen);
  const entries = useAppStore((s) => s.inspector);
  const ownClientId = useAppStore((s) => s.info?.clientId ?? null);
  const setOpen = useAppStore((s) => s.setInspectorOpen);
  const filter = useAppStore((s) => s.inspectorFilter);
  const history = useAppStore((s) => s.cellHistory);
  const showInternal = useAppStore((s) => s.showInternal);
  const setShowInternal = useAppStore((s) => s.setShowInternal);
  const setFilter = useAppStore((s) => s.filterInspector);
  const now = useNow();
  // The button that narrowed or widened the view is gone with it (a history button, Whole
  // todo, All messages): focus goes to what the view now shows, not to <body> (the top).
  // So does a press of Only … in the inspector, whose button stays: a screen reader would
  // say that button's name again and nothing of the narrowed view (round 63).
  const filterKey = filter === null ? '' : `${filter.table}\n${filter.row}\n${filter.column ?? ''}`;
  const filterName = useRef<HTMLSpanElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const section = useRef<HTMLElement>(null);
  const shownKey = useRef(filterKey);
  useEffect(() => {
    if (shownKey.current === filterKey) return;
    shownKey.current = filterKey;
    if (focusLost() || section.current?.contains(document.activeElement)) (filterName.current ?? toggle.current)?.focus();
  }, [filterKey]);

  const inRow = filter === null ? entries : entries.filter((e) => e.table === filter.table && e.row === filter.row);
  const shown = showInternal ? inRow : inRow.filter((e) => !isInternal(e.table, e.column));
  const hidden = inRow.length - shown.length;
  const list = filter?.column !== undefined ? (history ?? []) : shown;
  const title = filter === null ? null : entries.find((e) => e.table === filter.table && e.row === filter.row)?.rowTitle ?? history?.[0]?.rowTitle ?? null;
  const rowName = filter === null ? '' : `${nounOf(filter.table)} ${title !== null ? `“${displayText(title)}”` : displayText(filter.row.slice(0, 10))}`;
  // One tab stop for the list, as the todo list (round 63: a keyboard user tabbed through two
  // buttons per message, ~60 stops): the arrows, Home and End move between the messages.
  const ids = list.map(keyOf);
  const keys = useRowKeys(ids, NO_ACTIONS);
  const listName = filter?.column !== undefined ? `History of ${columnLabel(filter.table, filter.column).toLowerCase()} of ${rowName}` : filter ? `Messages of ${rowName}` : 'Recent messages';

  return (
    <section ref={section} className={`inspector${open ? ' is-open' : ''}`} aria-labelledby="inspector-heading" data-testid="inspector">
      <h2 id="inspector-heading" className="panel-heading">
        <button ref={toggle} type="button" className="disclosure" aria-expanded={open} aria-controls="inspector-body" data-testid="inspector-toggle" onClick={() => setOpen(!open)}>
          <Icon name="chevron" className="disclosure-icon" />
          Messages
          {open && <span className="heading-count">{entries.length}</span>}
        </button>
      </h2>
      {open && (
        <div id="inspector-body" className="inspector-body">
          {filter !== null && (
            <div className="inspector-filter" data-testid="inspector-filter">
              <span ref={filterName} className="filter-name" tabIndex={-1}>
                {listName}
              </span>
              {filter.column !== undefined && (
                <button type="button" className="link-button" onClick={() => setFilter({ table: filter.table, row: filter.row })}>
                  Whole {nounOf(filter.table)}
                </button>
              )}
              <button type="button" className="button button-small" onClick={() => setFilter(null)}>
                All messages
              </button>
            </div>
          )}
          {filter?.column === undefined && (
            <label className="inspector-toggle">
              <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.target.checked)} />
              Show internal fields{hidden > 0 ? ` (${hidden} hidden)` : ''}
            </label>
          )}
          <p className="inspector-legend">
            {filter?.column !== undefined ? 'Every write of this field, newest first: the latest timestamp won, the others lost.' : 'Newest first. Each write sets one field; the latest timestamp wins.'}
          </p>
          {list.length === 0 ? (
            <p className="empty-hint">{filter?.column !== undefined && history === null ? 'Loading…' : 'No messages yet. Change something, or wait for another device.'}</p>
          ) : (
            <ol className="message-list" aria-label={listName} data-testid="inspector-list">
              {list.map((entry) => {
                const key = keyOf(entry);
                return <InspectorRow key={key} entry={entry} ownClientId={ownClientId} now={now} showCell={filter?.column === undefined} rowProps={keys.rowProps(key)} active={keys.activeId === key} />;
              })}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
