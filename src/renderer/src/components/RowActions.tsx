import { quoteStart } from '../lib/cell-words.ts';
import { Icon } from './Icon.tsx';

interface Props {
  /** The item's name, for the buttons' accessible names: "Delete “Buy milk”". */
  readonly name: string;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  /** Only the active row's buttons are tab stops (see use-row-keys.ts). */
  readonly tabbable: boolean;
  readonly onRename: () => void;
  /** Null when the rows have no order: no move buttons. */
  readonly onMove: ((delta: -1 | 1) => void) | null;
  readonly onDelete: () => void;
  /**
   * Name the buttons by the whole name, not its start: a sidebar row's (NavRow), whose name is
   * what a screen-reader user finds a list by, and is short by its schema (a list's at most 100
   * characters, longer only by the visible escapes of characters that arrived by sync).
   */
  readonly wholeName?: boolean;
}

/**
 * A row's rename / move / delete buttons. At the ends, moving is aria-disabled rather than
 * disabled, so a button that just moved its row to the top keeps the keyboard focus.
 */
export function RowActions({ name, isFirst, isLast, tabbable, onRename, onMove, onDelete, wholeName = false }: Props) {
  const tabIndex = tabbable ? 0 : -1;
  // The row itself is named by its whole title; a todo's buttons (a title of up to 500
  // characters, said four times over), by its start.
  const quoted = `“${wholeName ? name : quoteStart(name)}”`;
  return (
    <div className="row-actions">
      <button type="button" className="icon-button" tabIndex={tabIndex} aria-label={`Rename ${quoted}`} title="Rename (F2)" onClick={onRename}>
        <Icon name="edit" />
      </button>
      {onMove && (
        <>
          <button type="button" className="icon-button" tabIndex={tabIndex} aria-label={`Move ${quoted} up`} title="Move up (Alt+↑)" aria-disabled={isFirst} onClick={() => !isFirst && onMove(-1)}>
            <Icon name="up" />
          </button>
          <button type="button" className="icon-button" tabIndex={tabIndex} aria-label={`Move ${quoted} down`} title="Move down (Alt+↓)" aria-disabled={isLast} onClick={() => !isLast && onMove(1)}>
            <Icon name="down" />
          </button>
        </>
      )}
      {/* The second click of a double click would delete the row that slid under the pointer. */}
      <button type="button" className="icon-button icon-button-danger" tabIndex={tabIndex} aria-label={`Delete ${quoted}`} title="Delete (Del)" onClick={(e) => e.detail < 2 && onDelete()}>
        <Icon name="trash" />
      </button>
    </div>
  );
}
