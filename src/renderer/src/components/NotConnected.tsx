import { APP_NAME } from '../app-name.ts';

/** Shown when no host provided an API: opened as a plain page, or the preload failed. */
export function NotConnected() {
  return (
    <main className="not-connected" data-testid="not-connected">
      <div className="not-connected-card" role="alert">
        <h1>Not connected</h1>
        <p>This window has no connection to {APP_NAME}'s core, so there is nothing to show.</p>
        <p>Start it from the {APP_NAME} desktop app, or from the browser host, which connect it for you.</p>
      </div>
    </main>
  );
}
