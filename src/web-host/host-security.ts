/**
 * Who may talk to a browser host. One host is one app instance, and a page may reach only
 * its own instance. The threats, for a host listening on 127.0.0.1:
 *
 * - **Other local programs or users.** Anything on the machine can connect to loopback and
 *   send any headers (`Origin` and `Host` included): outside a browser they are just text.
 *   And it can run a server on another port of 127.0.0.1, which receives every cookie the
 *   user's browser holds for 127.0.0.1 (cookies are not isolated by port). So no header
 *   and no cookie is a credential: the app shell (index.html, assets) is served to anyone,
 *   and holds no secret; the API answers only a connection that has proved, by
 *   challenge-response, a session made by this host run (host-session.ts, ws-api.ts).
 * - **Cross-site WebSocket hijacking.** Browsers let any web page open a WebSocket to any
 *   address, loopback included. Such a page has no session (it lives in storage scoped to
 *   our origin, port included), and besides, the browser always sends the page's `Origin`
 *   on the upgrade, which a page cannot forge: we accept exactly `http://127.0.0.1:<our port>`.
 * - **DNS rebinding.** evil.example can make its own name resolve to 127.0.0.1, and then
 *   its pages are "same-origin" with whatever listens there, under the name evil.example.
 *   The request's `Host` header then names evil.example, so we serve nothing (page, assets,
 *   WebSocket) unless `Host` is exactly `127.0.0.1:<our port>`. (Its pages could not read
 *   our origin's storage either: their origin is evil.example's.)
 * - **Anything remote**: the host binds 127.0.0.1 only, and refuses a connection that does
 *   not come from a loopback address anyway.
 *
 * Everything here is pure, so it is unit-tested on its own.
 */
import { WS_API_PATH } from '../shared/ws-protocol.ts';

/** The only address the host listens on. */
export const HOST_ADDRESS = '127.0.0.1';

/** Whether a socket's remote address is the machine itself. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  return address === '::1';
}

/** The origin of the pages this host serves. */
export function ownOrigin(port: number): string {
  return `http://${HOST_ADDRESS}:${port}`;
}

/** The `Host` header must name this host exactly: anything else is DNS rebinding or a wrong URL. */
export function isOwnHost(host: string | undefined, port: number): boolean {
  return host === `${HOST_ADDRESS}:${port}`;
}

/** The upgrade's `Origin` must be this host's own pages. */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  return origin === ownOrigin(port);
}

export { keysMatch } from './host-session.ts';

/**
 * The first checks of every HTTP request to a host or to the viewer: from the machine itself,
 * naming `127.0.0.1:<port>` exactly (another name is DNS rebinding, or `localhost`, which is
 * another origin: say where the page really is). Null when it passes.
 */
export function refuseRequest(remoteAddress: string | undefined, host: string | undefined, port: number, what: string): { readonly status: 403 | 421; readonly body: string } | null {
  if (!isLoopbackAddress(remoteAddress)) return { status: 403, body: 'Forbidden\n' };
  if (!isOwnHost(host, port)) return { status: 421, body: `This ${what} is at ${ownOrigin(port)}/\n` };
  return null;
}

export interface UpgradeRequest {
  readonly remoteAddress: string | undefined;
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly origin: string | undefined;
}

export type UpgradeVerdict = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 403 | 404 | 421; readonly reason: string };

/**
 * Every check a WebSocket upgrade must pass, in order; the reason is for the host's log only.
 * Passing them proves nothing about who is asking (a program forges them all): the socket
 * then gets nothing but the handshake until it proves a session (ws-api.ts).
 */
export function checkUpgrade(req: UpgradeRequest, port: number): UpgradeVerdict {
  if (!isLoopbackAddress(req.remoteAddress)) return { ok: false, status: 403, reason: 'not a loopback connection' };
  if (!isOwnHost(req.host, port)) return { ok: false, status: 421, reason: 'wrong Host header' };
  // A request target is a path here: `//other/api` or an absolute URL would name another host.
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return { ok: false, status: 400, reason: 'bad request URL' };
  let url: URL;
  try {
    url = new URL(target, ownOrigin(port));
  } catch {
    return { ok: false, status: 400, reason: 'bad request URL' };
  }
  if (url.pathname !== WS_API_PATH) return { ok: false, status: 404, reason: 'no such endpoint' };
  if (!isOwnOrigin(req.origin, port)) return { ok: false, status: 403, reason: 'wrong Origin' };
  return { ok: true };
}

/**
 * The Content-Security-Policy the host sends with every response. It is the page's own
 * policy (index.html) narrowed to this instance: the only socket a page may open is its
 * own host's. `frame-ancestors` only works as a header, so it must be here: no page may
 * frame the instance, except the one-screen viewer of `npm run start:web` when the host was
 * started for one (`frameAncestor`, exactly its origin).
 */
export function contentSecurityPolicy(port: number, frameAncestor: string | null = null): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ws://${HOST_ADDRESS}:${port}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestor ?? "'none'"}`,
  ].join('; ');
}

/** A viewer origin a host accepts in `frame-ancestors`: another port of its own address. */
export function isViewerOrigin(origin: string): boolean {
  return /^http:\/\/127\.0\.0\.1:([1-9]\d{0,4})$/.test(origin) && Number(origin.split(':')[2]) <= 65535;
}

/** Headers sent with every response the host makes. */
export function securityHeaders(port: number, frameAncestor: string | null = null): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port, frameAncestor),
    'X-Content-Type-Options': 'nosniff',
    // X-Frame-Options cannot name an origin: with a viewer, the CSP's frame-ancestors decides.
    ...(frameAncestor === null ? { 'X-Frame-Options': 'DENY' } : {}),
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
    'Cache-Control': 'no-store',
  };
}

/** A token bucket: `burst` calls at once, then `perSecond`. */
export function createRateLimiter(options: { readonly perSecond: number; readonly burst: number; readonly now?: () => number }): { take(): boolean } {
  const now = options.now ?? Date.now;
  let tokens = options.burst;
  let last = now();
  return {
    take() {
      const t = now();
      tokens = Math.min(options.burst, tokens + ((t - last) / 1000) * options.perSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
