/**
 * `POST /v1/sync` (PROTOCOL.md §4): the sync core's handler behind authentication and the
 * server's limits, in the order that keeps one client from costing others (issue 11):
 *
 * 1. before the body: the token, then the user's own bound on requests in flight (a slow
 *    upload holds only its own user's places);
 * 2. the body, read with size and time limits (body-reader.ts);
 * 3. admission to the shared resources, by count and by bytes (admission.ts): 429 when full;
 * 4. large bodies are parsed in a worker and stored in the heavy lane, one after another,
 *    while small requests are served at once (parse-pool.ts, admission.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SyncHandler } from '../../src/sync/server/sync-handler.ts';
import type { Admission, Lane } from '../ingest/admission.ts';
import { parseBody } from '../ingest/parse-body.ts';
import type { ParsePool } from '../ingest/parse-pool.ts';
import { BodyError, readBody, type BodyLimits } from '../body-reader.ts';
import { protocolError, sendError, type ErrorReply } from '../errors.ts';
import { LARGE_BODY_BYTES } from '../limits.ts';
import type { PokeBus } from '../poke-bus.ts';
import type { InflightLimiter } from '../rate-limit.ts';
import { contextOf } from '../request-context.ts';
import { userOf, type Hook } from './auth-hook.ts';

export interface SyncRouteOptions {
  readonly handler: SyncHandler;
  readonly pokeBus: PokeBus;
  /** The per-user bound, taken before the body is read. */
  readonly perUser: InflightLimiter;
  readonly admission: Admission;
  readonly parsePool: ParsePool;
  readonly lane: Lane;
  readonly body: BodyLimits;
  readonly authenticate: Hook;
}

function sendBodyError(reply: FastifyReply, err: BodyError): FastifyReply {
  const e: ErrorReply = err.status === 413
    ? protocolError('payload_too_large', err.message)
    : { status: err.status, body: { error: { code: 'invalid_request', message: err.message } }, internal: false };
  return sendError(reply, e, err.close ? { Connection: 'close' } : {});
}

export function registerSyncRoute(app: FastifyInstance, o: SyncRouteOptions): void {
  const perUserLimit: Hook = async (request, reply) => {
    const release = o.perUser.tryAcquire(userOf(request));
    if (!release) {
      return sendError(reply, protocolError('rate_limited', 'too many requests in flight for this user; retry shortly'), { 'Retry-After': '1' });
    }
    reply.raw.once('close', release); // the response ended or the client went away
    return undefined;
  };

  app.post('/v1/sync', { onRequest: [o.authenticate, perUserLimit] }, async (request, reply) => {
    const userId = userOf(request);
    let body: Buffer;
    try {
      body = await readBody(request.raw, o.body);
    } catch (err) {
      if (err instanceof BodyError) return sendBodyError(reply, err);
      throw err;
    }
    const release = o.admission.tryAdmit(body.length);
    if (!release) return sendError(reply, protocolError('rate_limited', 'the server is busy; retry shortly'), { 'Retry-After': '1' });
    try {
      const outcome = body.length < LARGE_BODY_BYTES
        ? await o.handler.validated(userId, parseBody(body))
        : await o.parsePool.parse(body).then((parsed) => o.lane.run(() => o.handler.validated(userId, parsed)));
      const c = contextOf(request);
      c.pushed = outcome.pushed;
      c.stored = outcome.stored;
      c.pulled = outcome.response.messages.length;
      if (outcome.stored > 0) o.pokeBus.publish(userId, outcome.clientId, outcome.maxId);
      reply.header('cache-control', 'no-store');
      return outcome.response;
    } finally {
      release();
    }
  });
}
