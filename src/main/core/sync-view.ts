/** What the UI sees of the sync client: its status as a `SyncView`, its messages as inspector entries. */
import type { InspectorEntry, SyncView } from '../../shared/app-api.ts';
import type { InspectedMessage, SyncStatus } from 'fieldsync';

/** The status error shown when the app has no server to sync with. */
export const NOT_CONFIGURED = {
  code: 'not_configured',
  message: 'No sync server is configured: this instance works locally. Start it with a server URL and a token to sync.',
} as const;

export function toSyncView(s: SyncStatus, configured: boolean): SyncView {
  return {
    state: s.state,
    online: s.online,
    pending: s.pending,
    rejected: s.rejected,
    lastSyncAt: s.lastSyncAt,
    cursor: s.cursor,
    error: configured ? s.error : (s.error ?? NOT_CONFIGURED),
    nextRetryAt: s.nextRetryAt,
  };
}

export function toInspectorEntry(m: InspectedMessage): InspectorEntry {
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
  };
}
