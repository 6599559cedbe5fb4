/**
 * CORS (docs/security.md, "Web pages on other origins"): which web pages on other origins
 * may call the server from a browser, with `--cors-origins`. Off by default: with no
 * setting, no answer carries a CORS header, and a browser lets only pages of the server's
 * own origin read its answers (non-browser clients never ask).
 *
 * Written here rather than with @fastify/cors because the server writes some answers on the
 * socket itself (refusals of unread bodies, the event stream's head, the 417 and the answers
 * to requests that are not HTTP), which must carry the same headers; and because that
 * plugin's catch-all OPTIONS route would answer OPTIONS on every path, where the server
 * answers 404 or 405 with `Allow` (app.ts).
 *
 * No `Access-Control-Allow-Credentials`, ever: the token travels in the `Authorization`
 * header, which a page must set itself, not in a cookie the browser would add on its own.
 * So a page the setting allows can do no more than its own code, holding a token, could
 * do; and `*` is safe in the same way.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** `*`, or the exact origins allowed, as browsers write them (`https://app.example.com`). */
export type CorsOrigins = '*' | readonly string[];

/**
 * Request headers a page may send: those the library's HTTP remote and poke stream set
 * (src/sync/http-remote.ts, poke-stream.ts, request-compression.ts). `Accept` is safelisted
 * but listed all the same, as a value with some characters would make it not so.
 */
export const ALLOWED_HEADERS = 'Authorization, Content-Type, Content-Encoding, Accept';
/**
 * Answer headers a page may read beyond the safelisted ones: the library reads `Retry-After`
 * and `Date` (RemoteError's retryAfterMs and serverTime), `Accept-Encoding` (whether the
 * server takes gzip bodies) and `WWW-Authenticate` (why a token was refused);
 * `Content-Encoding` says whether an answer came compressed; `X-Request-Id` names the
 * request in the server's log (an app can show it in a bug report).
 */
export const EXPOSED_HEADERS = 'Retry-After, Date, Accept-Encoding, WWW-Authenticate, Content-Encoding, X-Request-Id';
/**
 * How long a browser may reuse a preflight's answer, in seconds: 2 hours, Chromium's own
 * ceiling. Without it each sync would cost two round trips (Chromium's default is 5 s).
 */
export const PREFLIGHT_MAX_AGE_S = 7200;

export interface Cors {
  /**
   * The CORS headers of an answer to a request with this `Origin`: none for an origin not
   * allowed (only `Vary: Origin`, when the answer depends on the origin).
   */
  headers(origin: string | undefined): Record<string, string>;
  /**
   * The answer's headers when the request is a preflight from an allowed origin for a path
   * that takes `methods`; null when it is not one (it is then handled as any OPTIONS is).
   */
  preflight(headers: IncomingHttpHeaders, methods: string): Record<string, string> | null;
}

/** The CORS of a server with this setting; null when it is unset (no CORS at all). */
export function createCors(origins: CorsOrigins | undefined): Cors | null {
  if (origins === undefined) return null;
  const any = origins === '*';
  const allowed = new Set(any ? [] : origins);
  // With a list, the answer depends on the Origin: every answer says so, those to origins
  // not allowed and to requests with no Origin included, so that no cache hands an answer
  // without CORS headers to an allowed page, or one with another origin's.
  const vary: Record<string, string> = any ? {} : { Vary: 'Origin' };
  // Only a value equal to a configured origin is ever echoed: no header injection, and no
  // "reflect whatever comes" that would allow every origin.
  const allowOrigin = (origin: string | undefined): string | null => (any ? '*' : origin !== undefined && allowed.has(origin) ? origin : null);

  return {
    headers(origin) {
      const allow = allowOrigin(origin);
      if (allow === null) return { ...vary };
      return { 'Access-Control-Allow-Origin': allow, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, ...vary };
    },
    preflight(headers, methods) {
      const allow = allowOrigin(headers.origin);
      if (allow === null || headers.origin === undefined || headers['access-control-request-method'] === undefined) return null;
      return {
        'Access-Control-Allow-Origin': allow,
        'Access-Control-Allow-Methods': methods,
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
        ...vary,
      };
    },
  };
}

/** `value` added to a `Vary` header that may already name others (`Accept-Encoding`, set by a route). */
export function addVary(current: unknown, value: string): string {
  const names = typeof current === 'string' && current.trim() !== '' ? current.split(',').map((s) => s.trim()) : [];
  if (!names.some((n) => n.toLowerCase() === value.toLowerCase() || n === '*')) names.push(value);
  return names.join(', ');
}
