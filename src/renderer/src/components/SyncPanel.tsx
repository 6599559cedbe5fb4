import { useState } from 'react';
import { useNow } from '../hooks/use-now.ts';
import { useSteadyLabel } from '../hooks/use-steady-label.ts';
import { relativeTime, timeUntil } from '../lib/relative-time.ts';
import { syncLabel } from '../lib/sync-label.ts';
import { useAppStore } from '../store/store-context.ts';
import { DeviceName } from './DeviceName.tsx';
import { Icon } from './Icon.tsx';
import { NetworkControl } from './NetworkControl.tsx';
import { OfflineSwitch } from './OfflineSwitch.tsx';
import { SyncAnnouncer } from './SyncAnnouncer.tsx';

interface Props {
  /** In the bottom drawer (narrow windows): whether its details are shown, and the toggle. */
  readonly details?: { readonly open: boolean; readonly onToggle: () => void };
}

/** Who this instance is and how its sync is doing, with "Sync now" and "Work offline". */
export function SyncPanel({ details }: Props) {
  const info = useAppStore((s) => s.info);
  const sync = useAppStore((s) => s.sync);
  const setOnline = useAppStore((s) => s.setOnline);
  const syncNow = useAppStore((s) => s.syncNow);
  const now = useNow();
  const label = useSteadyLabel(syncLabel(sync));
  const online = sync?.online ?? true;
  const lastSync = sync?.lastSyncAt ?? null;
  // Answered presses of "Sync now": SyncAnnouncer says each one's outcome.
  const [presses, setPresses] = useState(0);
  const pressSyncNow = () => {
    if (!online) return setPresses((n) => n + 1);
    void syncNow().then(() => setPresses((n) => n + 1));
  };

  return (
    <section className="sync-panel" aria-labelledby="sync-heading" data-testid="sync-panel">
      <div className="sync-top">
        <h2 id="sync-heading" className="panel-heading">
          Sync
        </h2>
        {details && (
          <button type="button" className="disclosure drawer-toggle" aria-expanded={details.open} aria-controls="sync-details" onClick={details.onToggle} data-testid="sync-details-toggle">
            <Icon name="chevron" className="disclosure-icon" />
            Details
          </button>
        )}
        {/* Not a live region: it would announce every sync round. SyncAnnouncer says what lasts. */}
        <p className={`sync-state tone-${label.tone}`} data-tone={label.tone}>
          <span className="sync-dot" aria-hidden="true" />
          <span data-testid="sync-state" title={label.text}>
            {label.text}
          </span>
        </p>
      </div>
      {label.detail !== null && (
        <p className={`sync-detail tone-text-${label.tone}`} data-testid="sync-detail">
          {label.detail}
        </p>
      )}
      {info?.serverWarning != null && (
        <p className="sync-detail tone-text-error" role="note" data-testid="sync-server-warning">
          {info.serverWarning}
        </p>
      )}
      <SyncAnnouncer label={label} presses={presses} offline={!online} />
      <dl className="sync-facts" id="sync-details">
        <div>
          <dt>Profile</dt>
          <dd data-testid="sync-profile">{info?.profile ?? '…'}</dd>
        </div>
        <div>
          <dt>Device</dt>
          <DeviceName />
        </div>
        <div>
          <dt>Client</dt>
          <dd className="mono" data-testid="sync-client-id" title={info?.clientId}>
            {info?.clientId ?? '…'}
          </dd>
        </div>
        <div>
          <dt>Server</dt>
          <dd className="mono" data-testid="sync-server" title={info?.serverUrl || undefined}>
            {info === null ? '…' : info.serverUrl || 'none'}
          </dd>
        </div>
        <div>
          <dt>Last sync</dt>
          <dd data-testid="sync-last">
            {lastSync === null ? 'never' : <time dateTime={new Date(lastSync).toISOString()}>{relativeTime(lastSync, now)}</time>}
          </dd>
        </div>
        <div>
          <dt title="Field changes not yet on the server (a new row is one per field)">Unsent fields</dt>
          <dd data-testid="sync-pending">{sync?.pending ?? 0}</dd>
        </div>
        <div>
          <dt>Cursor</dt>
          <dd className="mono" data-testid="sync-cursor">
            {sync?.cursor ?? 0}
          </dd>
        </div>
        {sync?.nextRetryAt != null && sync.state !== 'syncing' && (
          <div>
            <dt>Next try</dt>
            <dd data-testid="sync-retry">{timeUntil(sync.nextRetryAt, now)}</dd>
          </div>
        )}
        {sync !== null && sync.rejected > 0 && (
          <div className="is-warning">
            <dt>Rejected</dt>
            <dd data-testid="sync-rejected">{sync.rejected}</dd>
          </div>
        )}
      </dl>
      <div className="sync-controls">
        <button
          type="button"
          className="button"
          data-testid="sync-now"
          aria-disabled={!online}
          title={online ? 'Sync with the server now' : 'Turn off “Work offline” to sync'}
          onClick={pressSyncNow}
        >
          <Icon name="sync" className={sync?.state === 'syncing' ? 'spin' : undefined} />
          Sync now
        </button>
        <OfflineSwitch offline={!online} onChange={(offline) => void setOnline(!offline)} />
      </div>
      <NetworkControl />
    </section>
  );
}
