/**
 * The renderer's Content Security Policy, sent as a response header with every response
 * that makes up the page: by the `app://` protocol handler (app-protocol.ts) in the app,
 * and by the session (security.ts) for the dev server's pages. The page has no meta CSP:
 * the browser host serves the same build with its own header (src/web-host).
 *
 * It allows exactly what the page uses: its own scripts and styles (no inline scripts, no
 * eval), its own images and fonts and `data:` images (the empty favicon), and nothing else.
 * No connections at all: the renderer talks to the app only through the preload, and the
 * main process syncs. No plugins, frames, workers, `<base>` or form targets.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? new URL(devServerUrl) : null;
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'none'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'worker-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  if (dev) {
    // Development only: Vite's hot reload injects inline styles and a small inline script
    // and talks to the dev server over a WebSocket.
    directives['script-src']!.push("'unsafe-inline'");
    directives['style-src']!.push("'unsafe-inline'");
    directives['connect-src'] = [dev.origin, `ws://${dev.host}`];
  }
  return Object.entries(directives).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');
}
