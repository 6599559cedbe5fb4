import { useState } from 'react';
import { messageText } from '../lib/display-text.ts';
import type { Toast } from '../store/app-state.ts';

/**
 * Says each new toast to screen readers: an info toast politely, an error at once. Live
 * regions on the page from the start, whose words change: a region added with its words
 * already in it (as each toast was) is often not read out at all.
 */
export function ToastAnnouncer({ toasts }: { readonly toasts: readonly Toast[] }) {
  const [said, setSaid] = useState({ id: 0, info: '', error: '' });
  const newest = toasts.at(-1);
  if (newest && newest.id > said.id) {
    // The same words again (a second delete of "Milk") must change the region to be said again.
    const text = messageText(newest.message);
    const words = said[newest.kind] === text ? `${text}\u00a0` : text;
    setSaid({ ...said, id: newest.id, [newest.kind]: words });
  }
  return (
    <>
      <div className="visually-hidden" role="status" aria-atomic="true" aria-label="Notifications" data-testid="toast-announcer">
        {said.info}
      </div>
      {/* Assertive, without role="alert": an empty alert on every page would be one more
          alert to a screen reader's list of them, and to every test that looks for the one. */}
      <div className="visually-hidden" aria-live="assertive" aria-atomic="true" data-testid="error-announcer">
        {said.error}
      </div>
    </>
  );
}
