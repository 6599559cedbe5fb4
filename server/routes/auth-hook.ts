/**
 * The `onRequest` hook of every `/v1/` route: it verifies the bearer token before the body
 * is read, so that an unauthenticated client cannot make the server read or parse a body.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, type Authenticator } from '../auth.ts';
import { protocolError, sendError } from '../errors.ts';
import { contextOf } from '../request-context.ts';

export type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** The userId of an authenticated request (set by the auth hook). */
export function userOf(request: FastifyRequest): string {
  const user = contextOf(request).user;
  if (user === undefined) throw new Error('the route has no auth hook');
  return user;
}

export function authHook(auth: Authenticator): Hook {
  return async (request, reply) => {
    try {
      const identity = await auth.authenticate(request.headers.authorization);
      const c = contextOf(request);
      c.user = identity.userId;
      c.expiresAtMs = identity.expiresAtMs;
      return undefined;
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      const challenge = request.headers.authorization ? 'Bearer realm="fieldsync", error="invalid_token"' : 'Bearer realm="fieldsync"';
      return sendError(reply, protocolError('unauthorized', err.message), { 'WWW-Authenticate': challenge });
    }
  };
}
