/**
 * The `onRequest` hook of every `/v1/` route: it verifies the bearer token before the body
 * is read, so that an unauthenticated client cannot make the server read or parse a body (nor
 * pass over one: refuse-before-body.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, type Authenticator } from '../auth.ts';
import { protocolError } from '../errors.ts';
import { contextOf } from '../request-context.ts';
import type { RefuseBeforeBody } from './refuse-before-body.ts';

export type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** The userId of an authenticated request (set by the auth hook). */
export function userOf(request: FastifyRequest): string {
  const user = contextOf(request).user;
  if (user === undefined) throw new Error('the route has no auth hook');
  return user;
}

/**
 * How many `Authorization` headers the request has. Node keeps the first of several and drops
 * the rest; a proxy in front may check or log another one, and see another user.
 */
function authorizationCount(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === 'authorization') n++;
  return n;
}

export function authHook(auth: Authenticator, refuse: RefuseBeforeBody): Hook {
  return async (request, reply) => {
    try {
      if (authorizationCount(request.raw.rawHeaders) > 1) throw new AuthError('the request has more than one Authorization header');
      const identity = await auth.authenticate(request.headers.authorization);
      const c = contextOf(request);
      c.user = identity.userId;
      c.expiresAtMs = identity.expiresAtMs;
      return undefined;
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      const challenge = request.headers.authorization ? 'Bearer realm="fieldsync", error="invalid_token"' : 'Bearer realm="fieldsync"';
      // A token that only has to wait (its issuer's clock runs ahead of ours) says for how long: a
      // client retries it then, where any other 401 stops it until it has a new token.
      const headers: Record<string, string> = { 'WWW-Authenticate': challenge };
      if (err.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.retryAfterSeconds);
      return refuse(request, reply, protocolError('unauthorized', err.message), headers);
    }
  };
}
