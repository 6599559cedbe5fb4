/**
 * The sync state in words, as the sync panel shows it: a short label for the badge, and for
 * the states a user must understand (no server, working offline, server unreachable, signed
 * out), a sentence that says what it means and what to do.
 *
 * `transient` marks the states that last a moment in normal use (a sync round, a change on
 * its way): the panel shows them only once they last (SyncPanel), so an edit does not make
 * the badge flicker, and never announces them.
 */
import type { SyncView } from '../../../shared/app-api.ts';

export type SyncTone = 'ok' | 'pending' | 'busy' | 'offline' | 'error' | 'signed-out' | 'local' | 'unknown';

export interface SyncLabel {
  readonly text: string;
  readonly tone: SyncTone;
  /** What it means and what to do, or null when the label says it all. */
  readonly detail: string | null;
  readonly transient: boolean;
  /**
   * The page's banner (HostLostBanner) says this state, as an alert: the sync regions
   * (SyncAnnouncer) must not say it too, or a screen reader hears it twice (round 63).
   */
  readonly banner: boolean;
}

const label = (text: string, tone: SyncTone, detail: string | null = null, transient = false, banner = false): SyncLabel => ({ text, tone, detail, transient, banner });

const changes = (n: number): string => `${n} ${n === 1 ? 'change' : 'changes'}`;

/** The page lost its host (the browser host restarted): see ws-bridge.ts. */
export const HOST_LOST_CODE = 'disconnected';
/**
 * The page stopped for good: its host does not know its session (restarted), or whatever
 * answers at its address cannot prove it is its host, or it was never signed in (ws-bridge.ts).
 */
export const HOST_GONE_CODE = 'host-gone';

export function syncLabel(view: SyncView | null): SyncLabel {
  if (view === null) return label('Connecting…', 'unknown');
  // Rows, not fields: a new todo is one change. A change of this device's name alone has no row.
  const unsent = view.unsentItems > 0 ? view.unsentItems : view.pending > 0 ? 1 : 0;
  const kept = unsent > 0 ? `${changes(unsent)} kept here` : 'Changes are kept here';
  // What it means and what to do are the banner's (HostLostBanner), the one place they are said.
  if (view.error?.code === HOST_LOST_CODE) return label('Reconnecting…', 'error', null, false, true);
  if (view.error?.code === HOST_GONE_CODE) return label('Not connected', 'error', null, false, true);
  if (!view.configured) {
    return label('Local only', 'local', 'No sync server is set for this instance: it works on this device only. Start it with a server URL and a token to sync.');
  }
  if (!view.online) return label('Working offline', 'offline', `${kept}, sent when you turn “Work offline” off.`);
  if (view.state === 'unauthorized') {
    const why = view.error?.message ? ` (${view.error.message})` : '';
    return label(
      'Signed out',
      'signed-out',
      `The server refused this instance’s token${why}. ${kept}. To sync again, start it with a new token in FIELDSYNC_TOKEN: \`npm run token -- USER\` prints one, and \`npm start\` or \`npm run start:web\` sign a fresh one each time.`,
    );
  }
  if (view.state === 'offline') return label('Can’t reach the server', 'offline', `${kept}, and sent by themselves once it answers.${view.error ? ` (${view.error.message})` : ''}`);
  if (view.state === 'error') {
    // No retry due after a permanent refusal (the library stops syncing by itself until a
    // sync() call, round 62): saying "it tries again by itself" then would be false. A stalled
    // store does settle by itself, with no retry of its own to show.
    const stopped = view.nextRetryAt === null && view.error?.code !== 'store_stalled';
    return label('Sync error', 'error', `${view.error?.message ?? 'The last sync failed.'} ${kept}; ${stopped ? 'syncing has stopped: “Sync now” tries again.' : 'it tries again by itself.'}`);
  }
  if (view.state === 'syncing') return label('Syncing…', 'busy', null, true);
  if (unsent > 0) return label(`${changes(unsent)} to sync`, 'pending', null, true);
  return label('Synced', 'ok');
}
