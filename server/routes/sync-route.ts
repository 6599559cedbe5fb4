/**
 * `POST /v1/sync` (docs/protocol.md §5): the sync core's handler behind authentication and the
 * server's limits, in the order that keeps one client from costing others (issue 11):
 *
 * 1. before the body: the token, then the user's own bound on requests in flight (a slow
 *    upload holds only its own user's places);
 * 2. the body, read with size and time limits (body-reader.ts), and inflated when it came
 *    compressed, to at most the body limit (compression.ts);
 * 3. admission to the shared resources, by count and by bytes (admission.ts): 429 when full;
 * 4. the sync engine does the work, large requests one after another, small ones at once
 *    (ingest/sync-engine.ts); the answer is compressed when the client accepts it.
 *
 * Every answer of this route, errors included, carries `Accept-Encoding`: the codings a
 * request body may have (RFC 7694). Clients compress their requests only once they saw it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Admission } from '../ingest/admission.ts';
import type { SyncEngine } from '../ingest/sync-engine.ts';
import { BodyError, readBody, type BodyLimits, type ReceivedBody } from '../body-reader.ts';
import { COMPRESS_MIN_BYTES, EncodingError, REQUEST_CODINGS, answerCoding, compress, inflateBody, requestCoding, type Coding } from '../compression.ts';
import { protocolError, sendError, type ErrorReply } from '../errors.ts';
import type { PokeBus } from '../poke-bus.ts';
import type { InflightLimiter } from '../rate-limit.ts';
import { contextOf } from '../request-context.ts';
import { userOf, type Hook } from './auth-hook.ts';

export interface SyncRouteOptions {
  readonly engine: SyncEngine;
  readonly pokeBus: PokeBus;
  /** The per-user bound, taken before the body is read. */
  readonly perUser: InflightLimiter;
  readonly admission: Admission;
  readonly body: BodyLimits;
  readonly authenticate: Hook;
}

function sendBodyError(reply: FastifyReply, err: BodyError): FastifyReply {
  const e: ErrorReply = err.status === 413
    ? protocolError('payload_too_large', err.message)
    : { status: err.status, body: { error: { code: 'invalid_request', message: err.message } }, internal: false };
  return sendError(reply, e, err.close ? { Connection: 'close' } : {});
}

function sendEncodingError(reply: FastifyReply, err: EncodingError): FastifyReply {
  const code = err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_request';
  return sendError(reply, protocolError(code, err.message));
}

/** The codings request bodies may have, and that answers depend on Accept-Encoding. */
const advertise: Hook = async (_request, reply) => {
  reply.header('accept-encoding', REQUEST_CODINGS);
  reply.header('vary', 'Accept-Encoding');
  return undefined;
};

export function registerSyncRoute(app: FastifyInstance, o: SyncRouteOptions): void {
  const perUserLimit: Hook = async (request, reply) => {
    const release = o.perUser.tryAcquire(userOf(request));
    if (!release) {
      return sendError(reply, protocolError('rate_limited', 'too many requests in flight for this user; retry shortly'), { 'Retry-After': '1' });
    }
    reply.raw.once('close', release); // the response ended or the client went away
    return undefined;
  };

  app.post('/v1/sync', { onRequest: [advertise, o.authenticate, perUserLimit] }, async (request, reply) => {
    const userId = userOf(request);
    let coding: Coding | null;
    try {
      coding = requestCoding(request.headers['content-encoding']);
    } catch (err) {
      if (err instanceof EncodingError) return sendEncodingError(reply, err);
      throw err;
    }
    const busy = (): FastifyReply => sendError(reply, protocolError('rate_limited', 'the server is busy; retry shortly'), { 'Retry-After': '1' });
    // A body that would be shed once read is refused before: Node discards it unread.
    const declared = Number(request.headers['content-length']);
    if (Number.isSafeInteger(declared) && declared <= o.body.maxBytes && !o.admission.wouldAdmit(declared)) return busy();
    let body: ReceivedBody;
    try {
      body = await readBody(request.raw, o.body);
      // Inflated before admission, like a plain body is read before it: bounded by the body
      // limit, and by the user's own places.
      if (coding !== null) {
        const inflated = await inflateBody(body.bytes(), coding, o.body.maxBytes);
        body = { length: inflated.length, bytes: () => inflated };
      }
    } catch (err) {
      if (err instanceof BodyError) return sendBodyError(reply, err);
      if (err instanceof EncodingError) return sendEncodingError(reply, err);
      throw err;
    }
    const release = o.admission.tryAdmit(body.length);
    if (!release) return busy(); // the body is dropped as it arrived, never copied
    try {
      const outcome = await o.engine.sync(userId, body.bytes());
      const c = contextOf(request);
      c.pushed = outcome.pushed;
      c.stored = outcome.stored;
      c.pulled = outcome.pulled;
      if (outcome.stored > 0) o.pokeBus.publish(userId, outcome.clientId, outcome.maxId);
      reply.header('cache-control', 'no-store');
      reply.type('application/json; charset=utf-8');
      const text = typeof outcome.body === 'string' ? outcome.body : JSON.stringify(outcome.body);
      const answer = answerCoding(request.headers['accept-encoding']);
      if (answer === null || text.length < COMPRESS_MIN_BYTES) return text;
      reply.header('content-encoding', answer);
      return await compress(Buffer.from(text), answer);
    } finally {
      release();
    }
  });
}
