/**
 * The renderer's Content Security Policy. It is set twice: as a response header by the
 * session (for pages served over http, such as the dev server) and as a meta tag in
 * `src/renderer/index.html` (for the page loaded from disk, which has no headers). Where
 * both apply, the browser enforces both.
 *
 * It stops injected markup from running code: scripts only from the app itself (no inline
 * scripts, no eval), no plugins, no frames, no <base> or form hijacking, and no connections
 * anywhere (the renderer talks to the app only through the preload; the main process syncs).
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? new URL(devServerUrl) : null;
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
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
    directives['connect-src']!.push(dev.origin, `ws://${dev.host}`);
  }
  return Object.entries(directives).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');
}
