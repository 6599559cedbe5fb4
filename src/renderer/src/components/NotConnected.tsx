import { useEffect, useRef } from 'react';
import { APP_NAME } from '../app-name.ts';

/**
 * Shown when no host provided an API: opened as a plain page, or the preload failed.
 *
 * A steady state, not news: no live region. An alert (as before round 59) is read out again
 * whenever a screen reader comes across it, interrupting what it was saying. The page is what
 * it says: its heading names the main landmark and takes the focus when the page opens, so a
 * screen reader reads it once, from the top, and the user can read on from there.
 */
export function NotConnected() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main className="not-connected" data-testid="not-connected" aria-labelledby="not-connected-heading">
      <div className="not-connected-card">
        <h1 id="not-connected-heading" ref={heading} tabIndex={-1}>
          Not connected
        </h1>
        <p>This window has no connection to {APP_NAME}'s core, so there is nothing to show.</p>
        <p>Start it from the {APP_NAME} desktop app, or from the browser host, which connect it for you.</p>
      </div>
    </main>
  );
}
