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
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Admission, Reservation } from '../ingest/admission.ts';
import type { SyncEngine } from '../ingest/sync-engine.ts';
import { BodyError, readBody, wholeBody, type BodyLimits, type ReservedBody, type ReceivedBody } from '../body-reader.ts';
import { COMPRESS_MIN_BYTES, EncodingError, REQUEST_CODINGS, answerCoding, compress, inflateBody, requestCoding, type Coding } from '../compression.ts';
import { addVary } from '../cors.ts';
import { protocolError, sendError, type ErrorReply } from '../errors.ts';
import { expectsContinue } from '../expectations.ts';
import { LARGE_BODY_BYTES, RESERVED_BODY_PACE } from '../limits.ts';
import type { PokeBus } from '../poke-bus.ts';
import type { InflightLimiter } from '../rate-limit.ts';
import { arrivalClock } from '../ingest/job-queue.ts';
import { contextOf, holdUntilAnswered } from '../request-context.ts';
import { userOf, type Hook } from './auth-hook.ts';
import type { RefuseBeforeBody } from './refuse-before-body.ts';

export interface SyncRouteOptions {
  readonly engine: SyncEngine;
  readonly pokeBus: PokeBus;
  /** The per-user bound, taken before the body is read. */
  readonly perUser: InflightLimiter;
  readonly admission: Admission;
  readonly body: BodyLimits;
  readonly authenticate: Hook;
  /** Refuses a request before its body is read (refuse-before-body.ts). */
  readonly refuse: RefuseBeforeBody;
}

function sendBodyError(reply: FastifyReply, err: BodyError): FastifyReply {
  const e: ErrorReply = err.status === 413
    ? protocolError('payload_too_large', err.message)
    : { status: err.status, body: { error: { code: 'invalid_request', message: err.message } }, internal: false };
  return sendError(reply, e, err.close ? { Connection: 'close' } : {});
}

function encodingError(err: EncodingError): ErrorReply {
  return protocolError(err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_request', err.message);
}

/** The body length a request declares, when it is one the server may read; else null. */
function declaredLength(request: FastifyRequest, maxBytes: number): number | null {
  const declared = Number(request.headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 && declared <= maxBytes ? declared : null;
}

/** True when the request declares a body over the limit (body-reader.ts refuses it before reading it). */
function declaredOverLimit(request: FastifyRequest, maxBytes: number): boolean {
  const declared = Number(request.headers['content-length']);
  return Number.isSafeInteger(declared) && declared > maxBytes;
}

/** A 429 before the body is read (a large body is not read at all: refuse-before-body.ts). */
function shed(request: FastifyRequest, reply: FastifyReply, message: string, o: SyncRouteOptions): FastifyReply {
  return o.refuse(request, reply, protocolError('rate_limited', message), { 'Retry-After': '1' });
}

/** The codings request bodies may have, and that answers depend on Accept-Encoding: on every answer of the route. */
export function advertiseCodings(reply: FastifyReply): void {
  reply.header('accept-encoding', REQUEST_CODINGS);
  reply.header('vary', addVary(reply.getHeader('vary'), 'Accept-Encoding')); // after `Vary: Origin` (app.ts)
}

const advertise: Hook = async (_request, reply) => {
  advertiseCodings(reply);
  return undefined;
};

export function registerSyncRoute(app: FastifyInstance, o: SyncRouteOptions): void {
  const perUserLimit: Hook = async (request, reply) => {
    const release = o.perUser.tryAcquire(userOf(request));
    if (!release) return shed(request, reply, 'too many requests in flight for this user; retry shortly', o);
    // Until the answer is written, a refusal written unread included (request-context.ts). A
    // client gone while its token was checked (a sync cancelled as it started) gives it back
    // at once: after maxInflightPerUser of them the user got 429 for good. (release() runs once.)
    holdUntilAnswered(request, reply, release);
    return undefined;
  };

  app.post('/v1/sync', { onRequest: [advertise, o.authenticate, perUserLimit] }, async (request, reply) => {
    // Before the body is read: a large push's read and parse are the server's own time, which
    // must not make the small requests that came just before it look gone (job-queue.ts).
    const arrivedAt = arrivalClock();
    const userId = userOf(request);
    let coding: Coding | null;
    try {
      coding = requestCoding(request.headers['content-encoding']);
    } catch (err) {
      if (err instanceof EncodingError) return o.refuse(request, reply, encodingError(err));
      throw err;
    }
    // A client that waits for `100 Continue` with a body declared over the limit gets the 413
    // instead (the body reader refuses it too, but only after the 100 had asked for the body).
    // It sent nothing: refused unread, its connection closed (refuse-before-body.ts).
    const waits = expectsContinue(request.headers.expect);
    if (waits && declaredOverLimit(request, o.body.maxBytes)) {
      return o.refuse(request, reply, protocolError('payload_too_large', "the request body is over the server's limit"));
    }
    const busy = (): FastifyReply => shed(request, reply, 'the server is busy; retry shortly', o);
    // A body that would be shed once read is refused before it is read. A large one reserves
    // its bytes now, and keeps them while it arrives at a healthy pace: when many arrive at
    // once, the ones beyond the bound are refused at once and unread, rather than all read
    // and then most of them shed (admission.ts). A body that falls behind gives them back,
    // and is admitted once read, as one without a declared length is.
    const declared = declaredLength(request, o.body.maxBytes);
    const reservation: Reservation | null = declared !== null && declared >= LARGE_BODY_BYTES ? o.admission.reserve(declared) : null;
    if (declared !== null && (declared >= LARGE_BODY_BYTES ? reservation === null : !o.admission.wouldAdmit(declared))) return busy();
    const reserved: ReservedBody | undefined = reservation === null ? undefined : { ...RESERVED_BODY_PACE, onBehind: () => reservation.cancel() };
    // Everything that could refuse the request without its body has passed: a client that
    // waits for leave to send it (`Expect: 100-continue`) gets it now (expectations.ts).
    if (waits) reply.raw.writeContinue();
    let body: ReceivedBody;
    try {
      body = await readBody(request.raw, o.body, reserved);
      // Inflated before admission, like a plain body is read before it: bounded by the body
      // limit, and by the user's own places.
      if (coding !== null) {
        body = wholeBody(await inflateBody(body.bytes(), coding, o.body.maxBytes));
      }
    } catch (err) {
      reservation?.cancel();
      if (err instanceof BodyError) return sendBodyError(reply, err);
      if (err instanceof EncodingError) return sendError(reply, encodingError(err));
      throw err;
    }
    // The body's reserved bytes become its place; without them (none, given back, or the body
    // inflated to another size), it is admitted now or shed: read, it is dropped as it arrived.
    if (reservation !== null && body.length !== declared) reservation.cancel();
    const release = (reservation !== null && body.length === declared ? reservation.admit() : null) ?? o.admission.tryAdmit(body.length);
    if (!release) return sendError(reply, protocolError('rate_limited', 'the server is busy; retry shortly'), { 'Retry-After': '1' });
    try {
      const outcome = await o.engine.sync(userId, body, arrivedAt);
      const c = contextOf(request);
      c.pushed = outcome.pushed;
      c.stored = outcome.stored;
      c.pulled = outcome.pulled;
      if (outcome.stored > 0) o.pokeBus.publish(userId, outcome.clientId, outcome.maxId);
      reply.header('cache-control', 'no-store');
      reply.type(outcome.type);
      const text = outcome.body;
      const answer = answerCoding(request.headers['accept-encoding']);
      if (answer === null || text.length < COMPRESS_MIN_BYTES) return text;
      reply.header('content-encoding', answer);
      return await compress(Buffer.from(text), answer);
    } finally {
      release();
    }
  });
}
