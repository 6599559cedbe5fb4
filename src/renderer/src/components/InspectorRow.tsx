import type { InspectorEntry } from '../../../shared/app-api.ts';
import { displayText } from '../lib/display-text.ts';
import { formatValue } from '../lib/format-value.ts';
import { hlcParts } from '../lib/hlc-parts.ts';
import { Icon } from './Icon.tsx';
import { UserText } from './UserText.tsx';

interface Props {
  readonly entry: InspectorEntry;
  /** This instance's clientId, to mark its own timestamps. */
  readonly ownClientId: string | null;
}

/**
 * One message: the cell it writes, its value, its HLC, and how it fared (won, lost, set aside).
 * Everything in it came from some device, the row ids and the names of a set-aside message
 * too: all of it is shown through UserText / displayText.
 */
export function InspectorRow({ entry, ownClientId }: Props) {
  const hlc = hlcParts(entry.hlc);
  const value = formatValue(entry.value);
  const outcome = entry.error !== null ? 'aside' : entry.won ? 'won' : 'lost';
  return (
    <li
      className={`message outcome-${outcome} origin-${entry.origin}`}
      data-testid="inspector-row"
      data-won={entry.won}
      data-origin={entry.origin}
      data-synced={entry.synced}
      data-hlc={entry.hlc}
    >
      <div className="message-cell">
        <code className="cell-path" title={displayText(`${entry.table}.${entry.row}.${entry.column}`)}>
          <UserText className="cell-table" value={entry.table} />.<UserText className="cell-row" value={entry.row} />.<UserText className="cell-column" value={entry.column} />
        </code>
        <span className="cell-equals" aria-hidden="true">
          =
        </span>
        <code className="cell-value" title={displayText(value.full)}>
          <UserText value={value.text} />
        </code>
      </div>
      <div className="message-meta">
        <code className="hlc" title={displayText(entry.hlc)}>
          {hlc ? (
            <>
              <span className="hlc-time">{hlc.time}</span>
              <span className="hlc-counter">{hlc.counter}</span>
              <UserText className="hlc-client" value={hlc.clientId} />
              {hlc.clientId === ownClientId && <span className="hlc-you">you</span>}
            </>
          ) : (
            <UserText value={entry.hlc} />
          )}
        </code>
        <span className="badges">
          <span className={`badge badge-${entry.origin}`}>
            <Icon name={entry.origin === 'local' ? 'outgoing' : 'incoming'} />
            {entry.origin === 'local' ? 'Local' : 'Remote'}
          </span>
          <span className={`badge ${entry.synced ? 'badge-synced' : 'badge-pending'}`}>{entry.synced ? 'Synced' : 'Pending'}</span>
          <span className={`badge badge-outcome badge-${outcome}`} data-testid="inspector-outcome">
            <Icon name={outcome === 'won' ? 'check' : outcome === 'lost' ? 'close' : 'alert'} />
            {outcome === 'won' ? 'Won' : outcome === 'lost' ? 'Lost' : 'Set aside'}
          </span>
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
