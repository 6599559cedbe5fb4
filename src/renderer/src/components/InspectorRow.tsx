import type { ComponentProps } from 'react';
import type { InspectorEntry } from '../../../shared/app-api.ts';
import { columnLabel, exactTime, hlcMillis, nounOf, writerName } from '../lib/cell-words.ts';
import { displayText } from '../lib/display-text.ts';
import { formatValue } from '../lib/format-value.ts';
import { relativeTime } from '../lib/relative-time.ts';
import { useAppStore } from '../store/store-context.ts';
import { Icon } from './Icon.tsx';
import { UserText } from './UserText.tsx';

interface Props {
  readonly entry: InspectorEntry;
  /** This instance's clientId, to mark its own writes. */
  readonly ownClientId: string | null;
  /** The current time, for "12 s ago". */
  readonly now: number;
  /** False inside a cell's history, where the row and field are the heading's. */
  readonly showCell?: boolean;
  /** The list is one tab stop (use-row-keys.ts): the row's tabIndex, focus and key handlers. */
  readonly rowProps: ComponentProps<'li'>;
  /** Whether this row has the list's tab stop: only then are its buttons tab stops too. */
  readonly active: boolean;
}

/** formatValue's own bound on the full text: up to it, nothing of a value is left out. */
const VALUE_MAX = 2000;

const OUTCOME_WORDS = { won: 'Won', lost: 'Lost', aside: 'Set aside' } as const;

/**
 * One message, in words: the row by its title, the field by its label, the value, who wrote
 * it (by device name) and when (relative and exact), and how it fared (won, lost, set
 * aside). The row's name narrows the inspector to that row; the history button to that
 * field's history. Everything that came from a device is shown through UserText /
 * displayText.
 */
export function InspectorRow({ entry, ownClientId, now, showCell = true, rowProps, active }: Props) {
  const filter = useAppStore((s) => s.filterInspector);
  // The value whole, as far as formatValue keeps one (VALUE_MAX): it wraps (inspector.css).
  // Cut to 60 characters (round 66), its end was in a title, which a pointer alone can show.
  const value = formatValue(entry.value, VALUE_MAX);
  const outcome = entry.error !== null ? 'aside' : entry.won ? 'won' : 'lost';
  const noun = nounOf(entry.table);
  const label = columnLabel(entry.table, entry.column);
  const rowName = entry.rowTitle !== null ? `“${displayText(entry.rowTitle)}”` : displayText(entry.row.slice(0, 10));
  const mine = ownClientId !== null && entry.hlc.endsWith(`-${ownClientId}`);
  const writer = writerName(entry.device, entry.hlc);
  const ms = hlcMillis(entry.hlc);
  const tabIndex = active ? 0 : -1;
  // What a screen reader says on the row, which takes the focus (its parts are spans): the
  // cell, its value, how it fared, who wrote it and when (exact, so that it does not change).
  const name = `${showCell ? `${noun} ${rowName} · ${label} = ` : ''}${displayText(value.text)}: ${OUTCOME_WORDS[outcome]}, by ${displayText(writer)}${mine ? ' (you)' : ''}${entry.synced ? '' : ', pending'}, at ${exactTime(entry.hlc)}`;
  return (
    <li
      {...rowProps}
      aria-label={name}
      className={`message outcome-${outcome} origin-${entry.origin}`}
      data-testid="inspector-row"
      data-won={entry.won}
      data-origin={entry.origin}
      data-synced={entry.synced}
      data-hlc={entry.hlc}
      data-column={entry.column}
    >
      <div className="message-cell">
        {showCell && (
          <span className="cell-path" title={displayText(`${entry.table}.${entry.row}.${entry.column}`)}>
            <span className="cell-noun">{noun}</span>{' '}
            <button type="button" className="link-button cell-row" tabIndex={tabIndex} aria-label={`Only ${noun} ${rowName}`} onClick={() => filter({ table: entry.table, row: entry.row })}>
              {entry.rowTitle !== null ? <>“<UserText value={entry.rowTitle} />”</> : <UserText value={entry.row.slice(0, 10)} />}
            </button>{' '}
            · <span className="cell-column">{label}</span>
          </span>
        )}
        {showCell && (
          <span className="cell-equals" aria-hidden="true">
            =
          </span>
        )}
        <code className="cell-value" title={displayText(value.full)}>
          <UserText value={value.text} />
        </code>
      </div>
      <div className="message-meta">
        <span className="writer" title={displayText(entry.hlc)}>
          <Icon name={entry.origin === 'local' ? 'outgoing' : 'incoming'} />
          <UserText className="writer-name" value={writer} />
          {mine && <span className="hlc-you">you</span>}
          <time dateTime={ms === null ? undefined : new Date(ms).toISOString()} className="writer-time">
            {ms === null ? '' : `${relativeTime(ms, now)} · `}
            <span className="exact-time">{exactTime(entry.hlc)}</span>
          </time>
        </span>
        <span className="badges">
          {!entry.synced && <span className="badge badge-pending">Pending</span>}
          <span className={`badge badge-outcome badge-${outcome}`} data-testid="inspector-outcome">
            <Icon name={outcome === 'won' ? 'check' : outcome === 'lost' ? 'close' : 'alert'} />
            {OUTCOME_WORDS[outcome]}
          </span>
          {showCell && (
            <button type="button" className="icon-button icon-button-small" tabIndex={tabIndex} aria-label={`History of ${label.toLowerCase()} of ${noun} ${rowName}`} title="This field’s history" onClick={() => filter({ table: entry.table, row: entry.row, column: entry.column })}>
              <Icon name="history" />
            </button>
          )}
        </span>
      </div>
      {entry.error !== null && (
        <p className="message-error" data-testid="inspector-error">
          <UserText value={entry.error} />
        </p>
      )}
    </li>
  );
}
