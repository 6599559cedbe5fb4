/**
 * An event stream is the last request its connection carries (docs/protocol.md §5). Its answer
 * has `Connection: close` and never ends while its token is valid, so an answer to a request
 * pipelined after it on the same connection waits behind it for as long: such requests were
 * handled all the same (a push stored, never answered; RFC 9112 §9.6 says a server that sent
 * `close` must not process them), and each held its user's place and its answer's memory
 * while the stream lasted, out of reach of the answer pace (answer-pace.ts), which runs only
 * once an answer starts being written. Two pushes behind one stream locked out a user whose
 * bound was 2 (429 for every sync, for as long as the probe ran); at the default bound, 16
 * pulls of up to 8 MiB each would hold up to 128 MiB per token until the token expired.
 *
 * So:
 * - a request that arrives on a connection whose stream is open resets the connection,
 *   unhandled (the stream ends; its client, which broke the protocol, reconnects);
 * - an event stream asked for with requests already pipelined after it is not opened: it is
 *   refused with 400 and the requests after it are answered as usual.
 *
 * The same holds for a refusal written with its body unread (refuse-before-body.ts): its
 * answer closes the connection, but Node had parsed what followed the body in the same
 * packets, a pipelined push included, and that push was handled and stored, never answered
 * (round 56: behind a 501 for `gzip, chunked`, whose framing a proxy may read otherwise, that
 * is request smuggling; behind a 401 too). A request after its connection's last answer is
 * not handled: it is dropped unanswered, and goes with the connection.
 *
 * Arrivals are counted on the server's own `request` event, which Node emits in order as it
 * parses a connection's requests, before any hook of the server's runs.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface StreamConnections {
  /** True when no request arrived on `req`'s connection after it. */
  isLast(req: IncomingMessage): boolean;
  /** The stream of `req` is open: its connection carries nothing else. */
  opened(req: IncomingMessage): void;
  /** True when `req` arrived on a connection that carries an open event stream. */
  isBehindStream(req: IncomingMessage): boolean;
  /** The answer to `req` closes its connection: no request after it is handled. */
  endsWith(req: IncomingMessage): void;
  /** True when `req` arrived after its connection's last request (endsWith, or an open stream). */
  isAfterLast(req: IncomingMessage): boolean;
}

export function trackStreamConnections(server: Server): StreamConnections {
  const arrivals = new WeakMap<Socket, number>();
  const order = new WeakMap<IncomingMessage, number>();
  /** The connections that carry an open stream, with the stream's place among their requests. */
  const streaming = new WeakMap<Socket, number>();
  /** The connections whose answer to a request closes them, with that request's place. */
  const last = new WeakMap<Socket, number>();
  const endsWith = (req: IncomingMessage): void => {
    const n = order.get(req) ?? 0;
    if (n < (last.get(req.socket) ?? Infinity)) last.set(req.socket, n);
  };
  server.prependListener('request', (req: IncomingMessage) => {
    const socket = req.socket;
    const n = (arrivals.get(socket) ?? 0) + 1;
    arrivals.set(socket, n);
    order.set(req, n);
    if (streaming.has(socket)) socket.resetAndDestroy();
  });
  return {
    isLast: (req) => arrivals.get(req.socket) === order.get(req),
    opened: (req) => {
      streaming.set(req.socket, order.get(req) ?? 0);
      endsWith(req);
    },
    isBehindStream: (req) => (order.get(req) ?? 0) > (streaming.get(req.socket) ?? Infinity),
    endsWith,
    isAfterLast: (req) => (order.get(req) ?? 0) > (last.get(req.socket) ?? Infinity),
  };
}
