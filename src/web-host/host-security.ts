/**
 * Who may talk to a browser host. One host is one app instance, and a page may reach only
 * its own instance. The threats, for a host listening on 127.0.0.1:
 *
 * - **Cross-site WebSocket hijacking.** Browsers let any web page open a WebSocket to any
 *   address, loopback included, and the same-origin policy does not apply to WebSockets:
 *   a page from evil.example (or the page of another instance on another port) could call
 *   this instance's API. The browser always sends the page's `Origin` on the upgrade, and
 *   a page cannot forge it: we accept exactly `http://127.0.0.1:<our port>`.
 * - **DNS rebinding.** evil.example can make its own name resolve to 127.0.0.1, and then
 *   its pages are "same-origin" with whatever listens there, under the name evil.example.
 *   The request's `Host` header then names evil.example, so we serve nothing (page, assets,
 *   WebSocket) unless `Host` is exactly `127.0.0.1:<our port>`.
 * - **Other local programs or users** can connect to loopback directly and send any
 *   headers. The WebSocket also needs the instance's random key, which only the page this
 *   host served knows (it is in that page's HTML, which other origins cannot read), and it
 *   is compared in constant time.
 * - **Anything remote**: the host binds 127.0.0.1 only, and refuses a connection that does
 *   not come from a loopback address anyway.
 *
 * Everything here is pure, so it is unit-tested on its own.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { WS_API_PATH, WS_KEY_PARAM } from '../shared/ws-protocol.ts';

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

/** Compares two keys in constant time (hashing both first, so that their lengths do not leak either). */
export function keysMatch(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface UpgradeRequest {
  readonly remoteAddress: string | undefined;
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly origin: string | undefined;
}

export type UpgradeVerdict = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 403 | 404 | 421; readonly reason: string };

/** Every check a WebSocket upgrade must pass, in order; the reason is for the host's log only. */
export function checkUpgrade(req: UpgradeRequest, port: number, key: string): UpgradeVerdict {
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
  if (!keysMatch(url.searchParams.get(WS_KEY_PARAM), key)) return { ok: false, status: 403, reason: 'wrong key' };
  return { ok: true };
}

/**
 * The Content-Security-Policy the host sends with every response. It is the page's own
 * policy (index.html) narrowed to this instance: the only socket a page may open is its
 * own host's. `frame-ancestors` only works as a header, so it must be here.
 */
export function contentSecurityPolicy(port: number): string {
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
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers sent with every response the host makes. */
export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
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
