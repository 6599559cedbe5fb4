import { useState } from 'react';
import type { SyncLabel } from '../lib/sync-label.ts';

interface Said {
  /** The last lasting state seen. */
  readonly last: string | null;
  /** The polite region's words: a state, or the answer to a press. */
  readonly said: string | null;
  /** How many presses of "Sync now" have been answered. */
  readonly heard: number;
  /** The error the alert is about (its label), and the alert's words. */
  readonly alarmFor: string | null;
  readonly alarm: string | null;
}

interface Input {
  readonly label: SyncLabel;
  /** Presses of "Sync now" that have finished (or were refused offline). */
  readonly presses: number;
  readonly offline: boolean;
}

export const OFFLINE_SYNC_NOW = 'Working offline: turn off “Work offline” to sync.';

/** The same words again must change a live region to be said again: a trailing no-break space. */
const again = (words: string, before: string | null): string => (words === before ? `${words}\u00a0` : words);

/** What the regions say next; `prev` itself when nothing changes (no render loop). */
export function nextSaid(prev: Said, { label, presses, offline }: Input): Said {
  let next = prev;
  // An error the user must act on (a failed sync, a refused token), with what it means. The
  // host-lost states have no detail: their banner (HostLostBanner) is the alert.
  const alarming = (label.tone === 'error' || label.tone === 'signed-out') && label.detail !== null;
  const text = label.transient || label.tone === 'unknown' || alarming ? null : label.text;
  if (alarming && next.alarmFor !== label.text) next = { ...next, alarmFor: label.text, alarm: `${label.text}: ${label.detail}`, last: label.text, said: '' };
  if (!alarming && next.alarmFor !== null) next = { ...next, alarmFor: null, alarm: null };
  // The host-lost states are the banner's alert alone (round 63: "Reconnecting…" was said by
  // both). The polite region is emptied, so that the state the page comes back to is said.
  if (label.banner) return next.last === label.text ? next : { ...next, last: label.text, said: '' };
  // The first lasting state is what the page opens with: not news when all is well ("Synced",
  // "Local only"); anything else is (round 63: "Work offline" pressed before the first sync,
  // or a server unreachable from the start, was said by nothing).
  const news = next.last !== null || (label.tone !== 'ok' && label.tone !== 'local');
  if (text !== null && text !== next.last) next = { ...next, last: text, said: news ? text : next.said };
  // A press of "Sync now" gets its answer even when the state stays the same ("Synced").
  if (presses > next.heard && (offline || text !== null || alarming)) {
    if (offline) next = { ...next, said: again(OFFLINE_SYNC_NOW, next.said) };
    else if (alarming) next = { ...next, alarm: again(`${label.text}: ${label.detail}`, next.alarm) };
    else if (text !== null) next = { ...next, said: again(text, next.said) };
    next = { ...next, heard: presses };
  }
  return next;
}

/**
 * Says a lasting change of the sync state to screen readers ("Working offline", "Can’t reach
 * the server", "Synced"), once each time it changes: never "Syncing…" and the like, which
 * last a moment on every edit on every instance. A sync error is said at once, with what it
 * means, by an alert (the focus stays where it is); "Sync now" is answered each time.
 */
export function SyncAnnouncer(input: Input) {
  const [state, setState] = useState<Said>({ last: null, said: null, heard: 0, alarmFor: null, alarm: null });
  const next = nextSaid(state, input);
  if (next !== state) setState(next);
  return (
    <>
      <p className="visually-hidden" role="status" aria-label="Sync status" data-testid="sync-announcer">
        {next.said ?? ''}
      </p>
      {next.alarm !== null && (
        <p className="visually-hidden" role="alert" data-testid="sync-alert">
          {next.alarm}
        </p>
      )}
    </>
  );
}
