import { useAppStore } from '../store/store-context.ts';
import { Icon } from './Icon.tsx';
import { InspectorRow } from './InspectorRow.tsx';

/**
 * The mechanism made visible: the newest messages, each a write to one cell, and whether it
 * is that cell's current value (won) or was outdated by a later timestamp (lost).
 */
export function Inspector() {
  const open = useAppStore((s) => s.inspectorOpen);
  const entries = useAppStore((s) => s.inspector);
  const ownClientId = useAppStore((s) => s.info?.clientId ?? null);
  const setOpen = useAppStore((s) => s.setInspectorOpen);

  return (
    <section className={`inspector${open ? ' is-open' : ''}`} aria-labelledby="inspector-heading" data-testid="inspector">
      <h2 id="inspector-heading" className="panel-heading">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls="inspector-body" data-testid="inspector-toggle" onClick={() => setOpen(!open)}>
          <Icon name="chevron" className="disclosure-icon" />
          Messages
          {open && <span className="heading-count">{entries.length}</span>}
        </button>
      </h2>
      {open && (
        <div id="inspector-body" className="inspector-body">
          <p className="inspector-legend">Newest first. Each write sets one cell; the latest timestamp wins.</p>
          {entries.length === 0 ? (
            <p className="empty-hint">No messages yet. Change something, or wait for another device.</p>
          ) : (
            <ol className="message-list" aria-label="Recent messages" data-testid="inspector-list">
              {entries.map((entry) => (
                <InspectorRow key={`${entry.hlc}/${entry.table}/${entry.row}/${entry.column}`} entry={entry} ownClientId={ownClientId} />
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
