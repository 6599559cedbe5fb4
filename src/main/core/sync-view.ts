/** What the UI sees of the sync client: its status as a `SyncView`, its messages as inspector entries. */
import type { InspectorEntry, NetworkConditions, SyncView } from '../../shared/app-api.ts';
import type { InspectedMessage, SyncStatus } from 'fieldsync';

/** The status error shown when the app has no server to sync with. */
export const NOT_CONFIGURED = {
  code: 'not_configured',
  message: 'No sync server is configured: this instance works locally. Start it with a server URL and a token to sync.',
} as const;

/** What the core adds to the client's status: this instance's name, its simulated network, its unsent rows. */
export interface SyncExtras {
  readonly device: string;
  readonly network: NetworkConditions;
  /** Rows with a change not on the server yet (unsent-writes.ts). */
  readonly unsentItems: number;
}

export function toSyncView(s: SyncStatus, configured: boolean, extras: SyncExtras): SyncView {
  return {
    state: s.state,
    online: s.online,
    configured,
    pending: s.pending,
    unsentItems: extras.unsentItems,
    rejected: s.rejected,
    lastSyncAt: s.lastSyncAt,
    cursor: s.cursor,
    error: configured ? s.error : (s.error ?? NOT_CONFIGURED),
    nextRetryAt: s.nextRetryAt,
    device: extras.device,
    network: extras.network,
  };
}

export function toInspectorEntry(m: InspectedMessage, device: string | null, rowTitle: string | null): InspectorEntry {
  return {
    hlc: m.hlc,
    table: m.table,
    row: m.row,
    column: m.column,
    value: m.value,
    origin: m.local ? 'local' : 'remote',
    synced: m.synced,
    won: m.won,
    error: m.error,
    device,
    rowTitle,
  };
}
