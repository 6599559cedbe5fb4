/**
 * Who may talk to a browser host. One host is one app instance, and a page may reach only
 * its own instance. The threats, for a host listening on 127.0.0.1:
 *
 * - **Other local programs or users.** Anything on the machine can connect to loopback and
 *   send any headers (`Origin` and `Host` included): outside a browser they are just text.
 *   So nothing is served, neither a page nor an asset nor the WebSocket, without the
 *   instance's session cookie (host-session.ts). The only way to get it is the one-time
 *   sign-in link the host printed to whoever started it, which works once. The cookie
 *   value is derived from the instance key, which lives in the profile (0700 folder, 0600
 *   file) or in FIELDSYNC_HOST_KEY, out of other users' reach, and it is compared in
 *   constant time. No page ever contains a secret: index.html only says where the API is.
 * - **Cross-site WebSocket hijacking.** Browsers let any web page open a WebSocket to any
 *   address, loopback included, and send the cookies they hold for it (cookies are not
 *   isolated by port, and `SameSite` treats every port of 127.0.0.1 as one site): the page
 *   of another instance could use this one's API. The browser always sends the page's
 *   `Origin` on the upgrade, and a page cannot forge it: we accept exactly
 *   `http://127.0.0.1:<our port>`, together with the cookie.
 * - **DNS rebinding.** evil.example can make its own name resolve to 127.0.0.1, and then
 *   its pages are "same-origin" with whatever listens there, under the name evil.example.
 *   The request's `Host` header then names evil.example, so we serve nothing (page, assets,
 *   WebSocket) unless `Host` is exactly `127.0.0.1:<our port>`. (Its requests carry no
 *   cookie of ours either: the cookie belongs to 127.0.0.1.)
 * - **Anything remote**: the host binds 127.0.0.1 only, and refuses a connection that does
 *   not come from a loopback address anyway.
 *
 * Everything here is pure, so it is unit-tested on its own.
 */
import { randomBytes } from 'node:crypto';
import { WS_API_PATH } from '../shared/ws-protocol.ts';
import { hasSessionCookie, type SessionCookie } from './host-session.ts';

/** The only address the host listens on. */
export const HOST_ADDRESS = '127.0.0.1';

/** A fresh instance key: 32 random bytes, URL-safe. */
export function newInstanceKey(): string {
  return randomBytes(32).toString('base64url');
}

/** A key as the host accepts one: URL-safe base64 of a sensible length. */
export function isWellFormedKey(key: string): boolean {
  return /^[A-Za-z0-9_-]{32,128}$/.test(key);
}

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

export interface UpgradeRequest {
  readonly remoteAddress: string | undefined;
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  /** The `Cookie` header. */
  readonly cookie: string | undefined;
}

export type UpgradeVerdict = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 403 | 404 | 421; readonly reason: string };

/** Every check a WebSocket upgrade must pass, in order; the reason is for the host's log only. */
export function checkUpgrade(req: UpgradeRequest, port: number, cookie: SessionCookie): UpgradeVerdict {
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
  if (!hasSessionCookie(req.cookie, cookie)) return { ok: false, status: 403, reason: 'no session cookie' };
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
