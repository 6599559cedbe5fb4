import { useState } from 'react';

/**
 * Says a lasting change of the sync state to screen readers ("Working offline", "Can’t reach
 * the server", "Synced"), once each time it changes: never "Syncing…" and the like, which
 * last a moment on every edit on every instance.
 */
export function SyncAnnouncer({ text }: { readonly text: string | null }) {
  const [said, setSaid] = useState<string | null>(null);
  // The first lasting state is what the page opens with, not news.
  const [first, setFirst] = useState<string | null>(null);
  if (text !== null && first === null) setFirst(text);
  if (text !== null && first !== null && text !== said && (said !== null || text !== first)) setSaid(text);
  return (
    <p className="visually-hidden" role="status" aria-label="Sync status" data-testid="sync-announcer">
      {said ?? ''}
    </p>
  );
}
