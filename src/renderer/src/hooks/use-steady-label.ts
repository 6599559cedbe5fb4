import { useState } from 'react';
import type { SyncLabel } from '../lib/sync-label.ts';
import { useDelayedFlag } from './use-delayed-flag.ts';

/** How long a transient state (a sync round, a change on its way) must last to be shown. */
export const STEADY_MS = 1200;

/**
 * The label to show: a transient one (see sync-label.ts) only once it has lasted STEADY_MS,
 * the last lasting one until then. An edit that syncs in 50 ms leaves the badge on "Synced".
 */
export function useSteadyLabel(current: SyncLabel): SyncLabel {
  const [lasting, setLasting] = useState(current);
  if (!current.transient && (current.text !== lasting.text || current.detail !== lasting.detail || current.tone !== lasting.tone)) setLasting(current);
  const shown = useDelayedFlag(current.transient, STEADY_MS);
  // Nothing lasting seen yet (the page has just connected): the state as it is.
  return current.transient && !shown && lasting.tone !== 'unknown' ? lasting : current;
}
