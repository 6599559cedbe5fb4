/**
 * Locks down every web contents and the session, whatever page ends up in them. Structural
 * types instead of Electron's, so it is tested under plain Node with fakes; Electron's own
 * WebContents and Session fit these shapes.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  readonly webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[] | string> }) => void,
      ) => void,
    ): void;
  };
}

export interface SecurityLog {
  (message: string): void;
}

/**
 * Every web contents the app creates, the window's and any other:
 * - navigation and redirects are denied: the app is one page, and a page navigated to (a
 *   link in a todo title, injected markup) would get our preload's API;
 * - `window.open` is denied: a new window would get no sandbox settings of ours;
 * - webviews are refused: a `<webview>` can carry its own preload and Node integration.
 */
export function applySecurity(contents: WebContentsLike, log: SecurityLog = () => {}): void {
  const deny = (what: string) => (event: PreventableEvent, url?: string) => {
    event.preventDefault();
    log(`denied ${what}${url ? ` to ${url.slice(0, 200)}` : ''}`);
  };
  contents.on('will-navigate', deny('navigation'));
  contents.on('will-redirect', deny('redirect'));
  contents.on('will-attach-webview', deny('a webview'));
  contents.setWindowOpenHandler(({ url }) => {
    log(`denied window.open of ${url.slice(0, 200)}`);
    return { action: 'deny' };
  });
}

/**
 * The session: no permission is ever granted (camera, microphone, notifications,
 * geolocation, clipboard reads, USB...): a todo app needs none, so a compromised page gets
 * none. Every response gets our CSP header, replacing any the response had.
 */
export function applySessionSecurity(session: SessionLike, csp: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}
