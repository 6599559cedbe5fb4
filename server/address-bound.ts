/**
 * The onRequest hook (app.ts) that refuses, before any body is read, a request line or
 * framing a proxy in front may read otherwise, a malformed query, and a client past its bound
 * on connections (or, through a trusted proxy, on requests in progress) per address.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectionCounter, ForwardedBound } from './connection-limits.ts';
import { protocolError } from './errors.ts';
import type { AppLimits } from './limits.ts';
import { clientAddress, holdUntilAnswered, malformedQuery, routePathOf } from './request-context.ts';
import { framingRefusal } from './request-framing.ts';
import type { RefuseBeforeBody } from './routes/refuse-before-body.ts';
import { advertiseCodings } from './routes/sync-route.ts';
import { isLocalAddress, type ProxyTrust } from './trust-proxy.ts';

export interface AddressBoundParts {
  readonly limits: AppLimits;
  readonly trusted: ProxyTrust | null;
  readonly connections: ConnectionCounter;
  readonly forwarded: ForwardedBound;
  readonly refuse: RefuseBeforeBody;
}

export function addressBoundHook({ limits, trusted, connections, forwarded, refuse }: AddressBoundParts): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  // The first time the bound per address refuses a loopback or private peer: most likely a
  // reverse proxy, whose users all share its address. Said once, naming the setting.
  let proxyWarned = false;
  const warnIfProxied = (request: FastifyRequest, peer: string | undefined): void => {
    if (proxyWarned || !isLocalAddress(peer)) return;
    proxyWarned = true;
    request.log.warn(
      { ip: peer, maxConnectionsPerAddress: limits.maxConnectionsPerAddress },
      `the connections from ${peer ?? 'a local address'} passed --max-connections-per-address (${limits.maxConnectionsPerAddress}): if the server is behind a reverse proxy, ` +
      `every client has the proxy's address; set --trust-proxy to the proxy's address (see "Deploy behind a reverse proxy" in docs/deploy.md)`,
    );
  };
  return async (request, reply) => {
    // A request line or framing a proxy in front may read otherwise (request-framing.ts).
    const framing = framingRefusal(request.raw);
    if (framing !== null) {
      if (routePathOf(request.url) === '/v1/sync') advertiseCodings(reply); // as every answer of the route
      return refuse(request, reply, framing, { Connection: 'close' });
    }
    // A query that is not valid percent-encoding, as a path that is not (frameworkErrors, in app.ts).
    if (malformedQuery(request.url)) {
      if (routePathOf(request.url) === '/v1/sync') advertiseCodings(reply); // as every answer of the route
      return refuse(request, reply, protocolError('invalid_request', 'the URL is malformed'));
    }
    const peer = request.socket.remoteAddress;
    if (trusted?.(peer)) {
      // Through a trusted proxy: the client's requests in progress, by its forwarded address.
      // The connection is the proxy's, shared with other clients: it is kept. A request whose
      // client is itself a trusted address (the proxy's own machine, or a chain of trusted
      // proxies that named no one else) cannot be told from others there: unbound, as a
      // trusted proxy's connections are.
      const ip = clientAddress(request);
      if (trusted(ip)) return undefined;
      const release = forwarded.tryAcquire(ip);
      if (release !== null) {
        holdUntilAnswered(request, reply, release); // a refusal written unread included
        return undefined;
      }
      if (routePathOf(request.url) === '/v1/sync') advertiseCodings(reply);
      return refuse(request, reply, protocolError('rate_limited', 'too many requests in progress from this address'), { 'Retry-After': '5' });
    }
    if (connections.count(peer) <= limits.maxConnectionsPerAddress) return undefined;
    warnIfProxied(request, peer);
    if (routePathOf(request.url) === '/v1/sync') advertiseCodings(reply); // as every answer of the route
    return refuse(request, reply, protocolError('rate_limited', 'too many connections from this address'), { 'Retry-After': '5', Connection: 'close' });
  };
}
