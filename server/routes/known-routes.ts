/**
 * The paths that exist, with their methods (app.ts): a browser's CORS preflight to one of
 * them is answered, and any other path or method is refused before a body is read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { addVary, type Cors } from '../cors.ts';
import { protocolError } from '../errors.ts';
import { routePathOf } from '../request-context.ts';
import { smallBody, type RefuseBeforeBody } from './refuse-before-body.ts';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** Paths that exist, with their methods: any other method gets 405 with `Allow`. */
const ROUTES: Readonly<Record<string, string>> = { '/v1/sync': 'POST', '/v1/events': 'GET', '/healthz': 'GET, HEAD' };

/**
 * A browser's preflight (OPTIONS, before a request it may not send unasked) from an allowed
 * origin: answered. A preflight from an origin not allowed, or with a body that is not small
 * (browsers send none), is any OPTIONS: 405 or 404 (`unknownPathHook`), unread.
 */
export function preflightHook(cors: Cors): Hook {
  return async (request, reply) => {
    if (request.method !== 'OPTIONS' || !smallBody(request.headers)) return undefined;
    const methods = ROUTES[routePathOf(request.url)];
    const answer = methods === undefined ? null : cors.preflight(request.headers, methods);
    if (answer === null) return undefined;
    for (const [name, value] of Object.entries(answer)) reply.header(name, name === 'Vary' ? addVary(reply.getHeader('vary'), value) : value);
    return reply.code(204).send();
  };
}

/** Unknown paths and wrong methods: answered before any body is read. */
export function unknownPathHook(refuse: RefuseBeforeBody): Hook {
  return async (request, reply) => {
    if (!request.is404) return undefined;
    const allow = ROUTES[routePathOf(request.url)];
    if (allow !== undefined) {
      return refuse(request, reply, protocolError('method_not_allowed', `${request.method} is not allowed here; use ${allow}`), { Allow: allow });
    }
    return refuse(request, reply, protocolError('not_found', 'no such endpoint'));
  };
}
