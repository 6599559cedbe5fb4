/**
 * One log line per request (request-context.ts, logRequest), also for a request whose client
 * went away before its answer was written. Fastify runs `onResponse` only once the answer has
 * been handed to the socket ('finish'): a client that sent a whole push and closed the
 * connection at once left no line, although its push was stored. The answer's 'close' without
 * 'finish' marks the request gone; its line is written once its handling is over (the answer
 * was built: `onSend`), so that it says what was pushed and stored. A reply taken over by
 * hand (hijacked: an event stream, a refusal that leaves the body unread) writes its own.
 */
import type { FastifyInstance } from 'fastify';
import { contextOf, logRequest } from './request-context.ts';

/** Registers the hooks; call it before any other `onRequest` hook, so that every request gets the listener. */
export function registerRequestLog(fastify: FastifyInstance, cutAtShutdown: () => boolean): void {
  const answered = new WeakSet<object>();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished) return; // answered: onResponse writes the line
      // After the shutdown timeout, the server closed it: "client went away" sent operators
      // looking for a client problem (round 52).
      // An answer the client did not take was cut by the server as well (answer-pace.ts).
      const c = contextOf(request);
      c.gone = cutAtShutdown() ? 'closed at the shutdown timeout' : c.gone ?? 'client went away';
      // Handled already (the client left while the answer was being written): say so now.
      // Otherwise the handler is still at work: onSend writes the line when it is done.
      if (answered.has(request)) logRequest(request, reply.statusCode, reply.elapsedTime);
    });
    return undefined;
  });
  // Runs for every answer Fastify sends, whether or not its client is still there.
  fastify.addHook('onSend', async (request, reply, payload) => {
    answered.add(request);
    if (contextOf(request).gone !== undefined) logRequest(request, reply.statusCode, reply.elapsedTime);
    return payload;
  });
  fastify.addHook('onResponse', async (request, reply) => logRequest(request, reply.statusCode, reply.elapsedTime));
}
