/** What the request log line reports about a request, filled in as the request is handled. */
import type { FastifyRequest } from 'fastify';

export interface RequestContext {
  user?: string;
  /** When the request's token stops being accepted (ms since the epoch). */
  expiresAtMs?: number;
  pushed?: number;
  stored?: number;
  pulled?: number;
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

/** The one log line of a request: never headers (tokens), never bodies (message values). */
export function logRequest(request: FastifyRequest, status: number, ms: number): void {
  const c = contextOf(request);
  request.log.info({
    method: request.method,
    path: pathOf(request.url),
    status,
    ms: Math.round(ms * 10) / 10,
    ...(c.user !== undefined ? { user: c.user } : {}),
    ...(c.pushed !== undefined ? { pushed: c.pushed, stored: c.stored, pulled: c.pulled } : {}),
  }, 'request');
}
