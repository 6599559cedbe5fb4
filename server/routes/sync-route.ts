/** `POST /v1/sync` (docs/protocol.md §5): the sync core's handler behind auth and load shedding. */
import type { FastifyInstance } from 'fastify';
import type { SyncHandler } from 'fieldsync/server';
import { protocolError, sendError } from '../errors.ts';
import type { PokeBus } from '../poke-bus.ts';
import type { InflightLimiter } from '../rate-limit.ts';
import { contextOf } from '../request-context.ts';
import { userOf, type Hook } from './auth-hook.ts';

export interface SyncRouteOptions {
  readonly handler: SyncHandler;
  readonly pokeBus: PokeBus;
  readonly limiter: InflightLimiter;
  readonly authenticate: Hook;
}

export function registerSyncRoute(app: FastifyInstance, o: SyncRouteOptions): void {
  // Runs after authentication and before the body is read: shed load as early as possible.
  const shedLoad: Hook = async (request, reply) => {
    const release = o.limiter.tryAcquire(userOf(request));
    if (!release) {
      return sendError(reply, protocolError('rate_limited', 'too many requests in flight; retry shortly'), { 'Retry-After': '1' });
    }
    reply.raw.once('close', release); // the response ended or the client went away
    return undefined;
  };

  app.post('/v1/sync', { onRequest: [o.authenticate, shedLoad] }, async (request, reply) => {
    const userId = userOf(request);
    const outcome = await o.handler(userId, request.body);
    const c = contextOf(request);
    c.pushed = outcome.pushed;
    c.stored = outcome.stored;
    c.pulled = outcome.response.messages.length;
    if (outcome.stored > 0) o.pokeBus.publish(userId, outcome.clientId, outcome.maxId);
    reply.header('cache-control', 'no-store');
    return outcome.response;
  });
}
