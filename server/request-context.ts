/** What the request log line reports about a request, filled in as the request is handled. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface RequestContext {
  user?: string;
  /** When the request's token stops being accepted (ms since the epoch). */
  expiresAtMs?: number;
  pushed?: number;
  stored?: number;
  pulled?: number;
  /** The client's address (clientAddress) and the peer's, once asked for. */
  ip?: string;
  peer?: string | undefined;
  /** Why the request was refused: its error code and message. */
  refusal?: { readonly code: string; readonly reason: string };
  /**
   * The connection closed before the whole answer was written (request-log.ts): by the client,
   * or by the server, at its shutdown timeout or because the client did not take the answer
   * (answer-pace.ts), or because the request arrived after its connection's last (stream-connections.ts).
   */
  gone?: 'client went away' | 'closed at the shutdown timeout' | 'answer not taken in time' | 'request after an event stream on its connection' | "request after its connection's last answer";
  /** The request's line is written: there is one per request, whichever path writes it. */
  logged?: boolean;
  /** Places in bounds the request holds until it is answered (holdUntilAnswered). */
  held?: (() => void)[];
}

const contexts = new WeakMap<FastifyRequest, RequestContext>();

export function contextOf(request: FastifyRequest): RequestContext {
  let c = contexts.get(request);
  if (!c) contexts.set(request, (c = {}));
  return c;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).slice(0, 200);
}

/**
 * The path a request is routed by: `pathOf`, with each percent-encoded unreserved character
 * (`A-Z a-z 0-9 - . _ ~`) decoded, since RFC 3986 §6.2.2.2 makes `/v1/%73ync` the same URI as
 * `/v1/sync` and the router (find-my-way) routes it there. Every check that names a path (405
 * and its `Allow`, the preflight, the route's `Accept-Encoding`) reads this one, so that it
 * agrees with the router: it read the raw path, and answered 404 where the route was found.
 * Other escapes (`%2F` above all) stay: they are not the character they encode.
 */
export function routePathOf(url: string): string {
  const hash = url.indexOf('#'); // the router ends the path there too (a fragment has no place in a request)
  return pathOf(hash === -1 ? url : url.slice(0, hash)).replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return /^[A-Za-z0-9\-._~]$/.test(c) ? c : escape;
  });
}

/**
 * True when the URL's query is not valid percent-encoding: a `%` without two hex digits after
 * it, or escapes that are not UTF-8 (Fastify's query parser takes them as they are; a bad path
 * is refused by Fastify itself, app.ts).
 */
export function malformedQuery(url: string): boolean {
  const q = url.indexOf('?');
  if (q === -1 || !url.includes('%', q)) return false;
  try {
    decodeURIComponent(url.slice(q + 1));
    return false;
  } catch {
    return true;
  }
}

/**
 * The client's address: the peer's, or with `--trust-proxy` and a trusted peer, the one its
 * `X-Forwarded-For` names (Fastify's `request.ip`, trust-proxy.ts). A forwarded value that is
 * not an address (a proxy that passes on whatever the client wrote) counts as the peer's.
 * Kept once known: a closed socket no longer has an address.
 */
export function clientAddress(request: FastifyRequest): string {
  const c = contextOf(request);
  if (c.ip === undefined) {
    const ip = request.ip as string | undefined;
    c.peer = request.socket.remoteAddress;
    // A value a proxy forwarded that is no address is its own key, never the peer's: the peer is
    // a trusted proxy, unbound per address, and such a client would have had no bound at all.
    c.ip = ip === undefined || ip === c.peer ? (c.peer ?? 'unknown') : (forwardedAddress(ip) ?? `unparsed:${ip.slice(0, 64)}`);
  }
  return c.ip;
}

/**
 * The address in a forwarded value as proxies write it: `203.0.113.5`, `203.0.113.5:51234`
 * (Azure's Application Gateway, IIS ARR), `[2001:db8::5]:443`, `[2001:db8::5]`; or null.
 */
export function forwardedAddress(value: string): string | null {
  const v = value.trim();
  if (isIP(v) !== 0) return v;
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(v) ?? /^\[([^\]]+)\](?::\d{1,5})?$/.exec(v);
  return m?.[1] !== undefined && isIP(m[1]) !== 0 ? m[1] : null;
}

/** Request ids a client (or a proxy) may give in `X-Request-Id`: a bounded token, nothing that could forge a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/**
 * The request's id (Fastify's `genReqId`): its `X-Request-Id` when that is a sane token (a
 * proxy's `$request_id`, a client's trace id) and, with `--trust-proxy`, comes from a trusted
 * proxy (a client's own could collide with other requests' ids), so that a proxy's log line and the server's
 * can be matched; otherwise a random one, unique across restarts and processes. Echoed in the
 * answer's `X-Request-Id` (app.ts) and logged as `reqId`.
 */
export function requestIdOf(req: IncomingMessage, fromTrustedPeer = true): string {
  const given = req.headers['x-request-id'];
  return fromTrustedPeer && typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Holds a place in a bound (a per-user or per-address count of requests in progress) until
 * the request is answered or its client went away: `release` runs once the response closes,
 * or once `answered` says so. A refusal written on the socket, unread (refuse-before-body.ts),
 * is answered when it is written, while its response closes only with its connection, after
 * the linger: it kept the place for 2 s, and the user's next sync got 429 meanwhile.
 * `release` must be safe to call twice.
 */
export function holdUntilAnswered(request: FastifyRequest, reply: FastifyReply, release: () => void): void {
  (contextOf(request).held ??= []).push(release);
  reply.raw.once('close', release); // the answer ended, or the client went away
  // A client gone already (while its token was checked): close came before the listener.
  if (request.raw.socket.destroyed) release();
}

/** The request's answer is written: the places it held go back (holdUntilAnswered). */
export function answered(request: FastifyRequest): void {
  for (const release of contextOf(request).held?.splice(0) ?? []) release();
}

/** Notes why `request` is refused, for its log line. */
export function noteRefusal(request: FastifyRequest, code: string, reason: string): void {
  contextOf(request).refusal = { code, reason };
}

/**
 * The one log line of a request: never headers (tokens), never bodies (message values). Only
 * the first call for a request writes it. `status` is the answer's, sent or (for a client that
 * went away) meant.
 */
export function logRequest(request: FastifyRequest, status: number, ms: number): void {
  const c = contextOf(request);
  if (c.logged === true) return;
  c.logged = true;
  const ip = clientAddress(request);
  const peer = c.peer;
  request.log.info({
    method: request.method,
    path: pathOf(request.url),
    status,
    ms: Math.round(ms * 10) / 10,
    ip,
    // Through a trusted proxy: the proxy's address as well.
    ...(peer !== undefined && peer !== ip ? { peer } : {}),
    ...(c.user !== undefined ? { user: c.user } : {}),
    ...(c.refusal !== undefined && status >= 400 ? { error: c.refusal.code, reason: c.refusal.reason } : {}),
    ...(c.pushed !== undefined ? { pushed: c.pushed, stored: c.stored, pulled: c.pulled } : {}),
    ...(c.gone !== undefined ? { ended: c.gone } : {}),
  }, 'request');
}
