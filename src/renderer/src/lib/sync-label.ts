/** The sync state in words, as the sync panel and the header show it. */
import type { SyncView } from '../../../shared/app-api.ts';

export type SyncTone = 'ok' | 'pending' | 'busy' | 'offline' | 'error' | 'signed-out' | 'unknown';

export function syncLabel(view: SyncView | null): { text: string; tone: SyncTone } {
  if (view === null) return { text: 'Connecting…', tone: 'unknown' };
  if (view.state === 'unauthorized') return { text: 'Signed out', tone: 'signed-out' };
  if (view.state === 'offline' || !view.online) return { text: 'Offline', tone: 'offline' };
  if (view.state === 'error') return { text: `Error: ${view.error?.message ?? 'sync failed'}`, tone: 'error' };
  if (view.state === 'syncing') return { text: 'Syncing…', tone: 'busy' };
  if (view.pending > 0) return { text: `${view.pending} pending`, tone: 'pending' };
  return { text: 'Synced', tone: 'ok' };
}
