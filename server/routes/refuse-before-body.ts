/**
 * Every refusal made before a request's body is read (no token, no such path, the wrong
 * method or media type, too many requests or connections) goes through here, so that no
 * refusal costs the server a body it will throw away.
 *
 * Node keeps a connection alive by reading an answered request's unread body to its end, with
 * no bound: a client with no token could make the server read (and drop) a gigabyte per
 * request, 256 connections at a time. So only a body known to be small (a `Content-Length`
 * under LARGE_BODY_BYTES) is passed over and the connection kept, as any client expects; a
 * larger one, or a chunked one (its length unknown), is not read at all: the answer closes the
 * connection after a linger (refuse-unread.ts), which the client reads as the refusal.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { protocolError, sendError, type ErrorReply } from '../errors.ts';
import { LARGE_BODY_BYTES } from '../limits.ts';
import { refuseUnread } from '../refuse-unread.ts';
import { answered, logRequest, noteRefusal } from '../request-context.ts';

/** Refuses `request` with `e` and `headers`, reading nothing of a body that is not small. */
export type RefuseBeforeBody = (request: FastifyRequest, reply: FastifyReply, e: ErrorReply, headers?: Readonly<Record<string, string>>) => FastifyReply;

/** True when the request's body, if any, is declared small enough to pass over. */
export function smallBody(headers: FastifyRequest['headers']): boolean {
  if (headers['transfer-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  if (length === undefined) return true; // no body at all (HTTP/1.1 has no other way to send one)
  const declared = Number(length);
  return Number.isSafeInteger(declared) && declared >= 0 && declared < LARGE_BODY_BYTES;
}

/**
 * The `onRequest` hook that refuses a GET or HEAD request with a body that is not small, before
 * any route: neither reads a body, and Node read such a one to its end after the answer, with
 * no bound and no token (a chunked GiB sent to `/healthz`, or to an event stream's 400, was
 * read; the body limit applies only to bodies a route reads). Refused unread, as above, with
 * 400: such a body has no meaning here (RFC 9110 §9.3.1). A small one is passed over.
 */
export function refuseBodyOfGet(refuse: RefuseBeforeBody): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (request, reply) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || smallBody(request.headers)) return undefined;
    return refuse(request, reply, protocolError('invalid_request', `a ${request.method} request must not have a large or chunked body`));
  };
}

/** The refusal of a server whose refused connections linger with `linger` (connection-limits.ts). */
export function refuserFor(linger: (socket: Socket) => void, endsConnection: (req: FastifyRequest['raw']) => void = () => {}): RefuseBeforeBody {
  return (request, reply, e, headers = {}) => {
    if (smallBody(request.headers) || request.raw.complete) return sendError(reply, e, headers);
    // The answer as sendError would write it, with the headers already set on the reply.
    const all: Record<string, string> = { 'cache-control': 'no-store' };
    for (const [name, value] of Object.entries({ ...reply.getHeaders(), ...headers })) {
      if (value !== undefined) all[name.toLowerCase()] = String(value);
    }
    // refuseUnread writes these itself.
    for (const name of ['connection', 'content-type', 'content-length']) delete all[name];
    reply.hijack();
    // Its connection closes after it: what Node parsed after the unread body is not handled.
    endsConnection(request.raw);
    noteRefusal(request, e.body.error.code, e.body.error.message);
    refuseUnread(request.raw, { status: e.status, headers: all, body: JSON.stringify(e.body) }, linger);
    // Answered: the places the request held in bounds go back now, not when the lingering
    // connection closes (the user's next sync got 429 for those 2 s).
    answered(request);
    logRequest(request, e.status, reply.elapsedTime); // Fastify logs no hijacked reply
    return reply;
  };
}
