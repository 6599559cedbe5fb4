/** `GET /v1/events?clientId=...` (docs/protocol.md §5): the realtime poke stream. */
import type { FastifyInstance } from 'fastify';
import { CLIENT_ID_PATTERN } from 'fieldsync/server';
import { protocolError, sendError } from '../errors.ts';
import type { EventStreams } from '../event-streams.ts';
import type { StreamConnections } from '../stream-connections.ts';
import { clientAddress, contextOf } from '../request-context.ts';
import { userOf, type Hook } from './auth-hook.ts';

export function registerEventsRoute(app: FastifyInstance, o: { streams: EventStreams; authenticate: Hook; connections: StreamConnections }): void {
  app.get('/v1/events', { onRequest: [o.authenticate] }, async (request, reply) => {
    const userId = userOf(request);
    const clientId = (request.query as Record<string, unknown>).clientId;
    if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) {
      return sendError(reply, protocolError('invalid_request', 'the clientId query parameter must match ^[A-Za-z0-9_-]{1,64}$'));
    }
    const allowed = o.streams.check(userId);
    if (allowed !== 'ok') {
      const why = allowed === 'user_limit' ? 'too many open event streams for this user'
        : allowed === 'closing' ? 'the server is shutting down' : 'the server has too many open event streams';
      return sendError(reply, protocolError('rate_limited', why), { 'Retry-After': '5' });
    }
    // A stream is its connection's last request: one asked for with others pipelined after it
    // would hold their answers behind it for as long as it lasts (stream-connections.ts).
    if (!o.connections.isLast(request.raw)) {
      return sendError(reply, protocolError('invalid_request', 'an event stream must be the last request on its connection'));
    }
    o.connections.opened(request.raw);
    // From here on the stream is written by hand: Fastify lets go of the reply, and of the
    // headers the hooks set on it (CORS's), which the stream's head must carry.
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    reply.hijack();
    const started = performance.now();
    const c = contextOf(request);
    const ip = clientAddress(request); // while the socket has its address
    // Its one line is "stream closed", below: ended by the server (a shutdown), the stream's
    // answer finishes, and Fastify's onResponse wrote a "request" line for it as well.
    c.logged = true;
    o.streams.open(userId, clientId, c.expiresAtMs ?? Date.now(), reply.raw, (summary) => {
      request.log.info({
        method: 'GET', path: '/v1/events', status: 200, ms: Math.round(performance.now() - started), ip, user: c.user, pokes: summary.pokes,
        ...(summary.expired ? { ended: 'token expired' } : {}),
      }, 'stream closed');
    });
    return reply;
  });
}
