/**
 * The HTTP server as a Fastify instance, built from injected parts (store, authenticator,
 * poke bus, limits, logger), so that tests build it in-process exactly as `main.ts` does.
 * Every refusal is a protocol error body (docs/protocol.md §7); no stack trace ever leaves.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createSyncHandler, type ServerStore } from 'fieldsync/server';
import type { Authenticator } from './auth.ts';
import type { LogLevel } from './config.ts';
import { handleClientError } from './client-error.ts';
import { loggableError, protocolError, sendError } from './errors.ts';
import { errorHandler } from './error-handler.ts';
import { acceptJsonBodies } from './json-bodies.ts';
import { addressBoundHook } from './address-bound.ts';
import { createEventStreams, type EventStreams } from './event-streams.ts';
import type { PokeBus } from './poke-bus.ts';
import { countConnections, forwardedBound } from './connection-limits.ts';
import { registerAnswerPace } from './answer-pace.ts';
import { addVary, createCors, type CorsOrigins } from './cors.ts';
import { createAdmission, createLane } from './ingest/admission.ts';
import { createParsePool } from './ingest/parse-pool.ts';
import { createInlineEngine, createThreadedEngine, isBodyHandlingStore } from './ingest/sync-engine.ts';
import { DEFAULT_LIMITS, HEADERS_TIMEOUT_MS, MIN_BODY_BYTES_PER_SECOND, REFUSAL_LINGER_MS, type AppLimits } from './limits.ts';
import { createInflightLimiter } from './rate-limit.ts';
import { contextOf, logRequest, requestIdOf } from './request-context.ts';
import { registerRequestLog } from './request-log.ts';
import { proxyTrust } from './trust-proxy.ts';
import { authHook } from './routes/auth-hook.ts';
import { registerEventsRoute } from './routes/events-route.ts';
import { handleExpectations } from './expectations.ts';
import { trackStreamConnections } from './stream-connections.ts';
import { registerSyncRoute } from './routes/sync-route.ts';
import { registerHealthzRoute } from './routes/healthz-route.ts';
import { preflightHook, unknownPathHook } from './routes/known-routes.ts';
import { refuseBodyOfGet, refuserFor } from './routes/refuse-before-body.ts';

export interface AppOptions {
  readonly store: ServerStore;
  readonly auth: Authenticator;
  readonly pokeBus: PokeBus;
  readonly limits?: Partial<AppLimits>;
  /** Structured logs (one JSON line each); `false` turns them off. Default: info to stdout. */
  readonly log?: false | { readonly level: LogLevel; readonly stream?: { write(line: string): void } };
  /** The server's clock, for tests. */
  readonly now?: () => number;
  /** The least average rate at which a client must take an answer, after the body timeout (answer-pace.ts); for tests. */
  readonly answerMinBytesPerSecond?: number;
  /**
   * Large pushes the store takes at once (the heavy lane, see ingest/admission.ts): 1 for a
   * store that works on the event loop (SQLite), more for one on another machine (PostgreSQL).
   */
  readonly storeConcurrency?: number;
  /** Web pages on other origins that may call the server from a browser (cors.ts). Default: none. */
  readonly corsOrigins?: CorsOrigins | undefined;
  /** Addresses and CIDR ranges of the reverse proxies whose `X-Forwarded-For` is believed (trust-proxy.ts). Default: none. */
  readonly trustProxy?: readonly string[] | undefined;
}

export interface FieldsyncApp {
  readonly fastify: FastifyInstance;
  readonly streams: EventStreams;
  /** Stops accepting, ends event streams, lets requests in flight finish. The store stays open. */
  close(): Promise<void>;
}

export function buildApp(options: AppOptions): FieldsyncApp {
  const limits: AppLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? { level: 'info' as const };
  const cors = createCors(options.corsOrigins);
  const trusted = proxyTrust(options.trustProxy);
  // Every answer, refusals included, carries the CORS headers of its request's origin: a page
  // must be able to read a 401 or a 429 (its code, Retry-After) as well as a success.
  const corsHeaders = (reply: FastifyReply, origin: string | undefined): void => {
    if (cors === null) return;
    for (const [name, value] of Object.entries(cors.headers(origin))) {
      reply.header(name, name === 'Vary' ? addVary(reply.getHeader('vary'), value) : value);
    }
  };
  const fastify = Fastify({
    logger: log === false ? false : { level: log.level, ...(log.stream ? { stream: log.stream } : {}) },
    logController: new LogController({ disableRequestLogging: true }), // one line per request, written below
    // The client's `X-Request-Id` when it is sane, else a random id (request-context.ts); not
    // Fastify's `requestIdHeader`, which takes the header's value whatever it is.
    genReqId: (req) => requestIdOf(req, trusted === null || trusted(req.socket?.remoteAddress)),
    // `request.ip` is the client's address from `X-Forwarded-For` only when the peer is a trusted proxy.
    ...(trusted !== null ? { trustProxy: (address: string) => trusted(address) } : {}),
    bodyLimit: limits.bodyLimit,
    return503OnClosing: false, // requests that arrive while draining are served, then their connection closes (onSend below)
    exposeHeadRoutes: false,
    requestTimeout: 120_000, // a whole request (headers and body) must arrive within 2 minutes
    http: {
      // A connection must send its headers within HEADERS_TIMEOUT_MS of opening (Node's 60 s,
      // checked every 30 s, held sockets that sent nothing for 87 s).
      headersTimeout: HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
      // Node answers these itself with an empty body; the hooks below answer them as the protocol says.
      requireHostHeader: false,
    },
    forceCloseConnections: 'idle',
    // A request that is not HTTP: its Origin is unknown, so only `*` can be answered.
    clientErrorHandler: (err, socket) => handleClientError(err, socket, cors?.headers(undefined) ?? {}, (line) => fastify.log.info(line, 'request')),
    // A path that is not valid percent-encoding: Fastify's own answer named its error code and echoed the URL.
    // Answered before any hook runs: its log line is written here, as onResponse (below) would.
    frameworkErrors: (_err, request, reply) => {
      reply.header('x-request-id', request.id);
      reply.raw.once('close', () => logRequest(request, reply.statusCode, reply.elapsedTime));
      corsHeaders(reply, request.headers.origin);
      return refuse(request, reply, protocolError('invalid_request', 'the URL is malformed'));
    },
  });
  // The requests a connection carries, in order: none is handled after its last (stream-connections.ts).
  const streamConnections = trackStreamConnections(fastify.server);
  const dropIfAfterLast = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (!streamConnections.isAfterLast(request.raw)) return false;
    contextOf(request).gone = streamConnections.isBehindStream(request.raw) ? 'request after an event stream on its connection' : "request after its connection's last answer";
    reply.hijack();
    logRequest(request, 400, reply.elapsedTime);
    return true;
  };
  // Refusals before a body is read read nothing of a large one (refuse-before-body.ts); such a
  // refusal is its connection's last answer.
  const refuse = refuserFor((socket) => connections.linger(socket), (req) => streamConnections.endsWith(req));
  let closing = false;
  /** The shutdown timeout passed and the connections still open were closed: their requests were cut by us. */
  let cutAtShutdown = false;
  // While draining, every answer closes its connection: `close()` closes the connections idle
  // when it starts, and one whose request finished later would stay open, kept alive, until
  // the shutdown timeout cut it (each rolling restart of a busy process took the whole timeout).
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // Bodies: UTF-8 JSON only (json-bodies.ts).
  acceptJsonBodies(fastify);

  // One machine holds at most so many connections, whatever its tokens (connection-limits.ts);
  // refused ones that linger are bounded apart, by as many; and the server as many in all.
  const connections = countConnections(fastify.server, {
    lingerMs: REFUSAL_LINGER_MS,
    maxPerAddress: limits.maxConnectionsPerAddress,
    max: limits.maxConnections,
    exempt: trusted ?? undefined,
  });
  // Requests through a trusted proxy: bound per client address instead (connection-limits.ts).
  const forwarded = forwardedBound(limits.maxConnectionsPerAddress);
  // One log line per request, a client that went away included (request-log.ts); a refusal
  // that takes over the connection writes its own (refuse-before-body.ts). First of all hooks,
  // so that every request is seen.
  registerRequestLog(fastify, () => cutAtShutdown);
  // A request after its connection's last (an open event stream, a refusal that left its body
  // unread) is not handled (stream-connections.ts); behind a stream, the connection was reset as
  // it arrived. Its line says so.
  fastify.addHook('onRequest', async (request, reply) => (dropIfAfterLast(request, reply) ? reply : undefined));
  // An answer its client does not take is not held for ever (answer-pace.ts).
  registerAnswerPace(fastify, { graceMs: limits.bodyTimeoutMs, minBytesPerSecond: options.answerMinBytesPerSecond ?? MIN_BODY_BYTES_PER_SECOND });
  // Next, so that every answer carries them, refusals included (refuse-before-body.ts
  // and the event stream copy them too): the request id, then CORS's.
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    return undefined;
  });
  if (cors !== null) {
    fastify.addHook('onRequest', async (request, reply) => {
      corsHeaders(reply, request.headers.origin);
      return undefined;
    });
  }
  // A request line or framing a proxy in front may read otherwise, a malformed query, a client
  // past its bound per address (address-bound.ts).
  fastify.addHook('onRequest', addressBoundHook({ limits, trusted, connections, forwarded, refuse }));

  // A browser's preflight (OPTIONS, before a request it may not send unasked) from an allowed
  // origin: answered here, after the bound on connections (a preflight opens a connection like
  // any request) and before authentication, which the browser never sends with it; it counts
  // against no user's bounds. A preflight from an origin not allowed, or with a body that is
  // not small (browsers send none), is any OPTIONS: 405 or 404, below, unread (known-routes.ts).
  if (cors !== null) fastify.addHook('onRequest', preflightHook(cors));

  // Unknown paths and wrong methods are answered before any body is read.
  fastify.addHook('onRequest', unknownPathHook(refuse));
  // A GET or HEAD with a large or chunked body: refused unread (refuse-before-body.ts).
  fastify.addHook('onRequest', refuseBodyOfGet(refuse));

  // `Expect`: exactly `100-continue` is met, by the sync route once its checks passed; any other gets 417 (expectations.ts).
  handleExpectations(fastify.server, {
    corsHeaders: cors === null ? null : (origin) => cors.headers(origin),
    requestId: (req) => requestIdOf(req, trusted === null || trusted(req.socket?.remoteAddress)),
  });
  fastify.setNotFoundHandler((_request, reply) => sendError(reply, protocolError('not_found', 'no such endpoint')));

  // Every error a protocol error body; an unavailable database said once per 10 s per reason (error-handler.ts).
  fastify.setErrorHandler(errorHandler(refuse));

  const authenticate = authHook(options.auth, refuse);
  const streams = createEventStreams({
    pokeBus: options.pokeBus,
    heartbeatMs: limits.heartbeatMs,
    maxStreams: limits.maxStreams,
    maxStreamsPerUser: limits.maxStreamsPerUser,
  });
  const lane = createLane(options.storeConcurrency ?? 1);
  const engine = isBodyHandlingStore(options.store)
    ? createThreadedEngine({ store: options.store })
    : createInlineEngine({
      handler: createSyncHandler({
        store: options.store,
        maxDriftMs: limits.maxDriftMs,
        ...(options.now ? { now: options.now } : {}),
        onPullError: (err) => fastify.log.error({ err: loggableError(err) }, 'pull failed after a stored push'),
      }),
      parsePool: createParsePool({ workers: limits.parseWorkers }),
      lane,
      failure: () => (options.store as { failure?: () => Error | null }).failure?.() ?? null,
    });
  registerSyncRoute(fastify, {
    engine,
    pokeBus: options.pokeBus,
    perUser: createInflightLimiter({ max: Infinity, maxPerUser: limits.maxInflightPerUser }),
    admission: createAdmission({ maxRequests: limits.maxInflight, maxBytes: limits.maxInflightBytes }),
    body: {
      maxBytes: limits.bodyLimit,
      graceMs: limits.bodyTimeoutMs,
      idleMs: limits.bodyTimeoutMs,
      minBytesPerSecond: MIN_BODY_BYTES_PER_SECOND,
      drainBytes: Math.max(limits.bodyLimit, 16 * 1024 * 1024),
    },
    authenticate,
    refuse,
  });
  registerEventsRoute(fastify, { streams, authenticate, connections: streamConnections });
  registerHealthzRoute(fastify, options.auth, () => closing || engine.failure() !== null);

  let closed: Promise<void> | null = null;
  return {
    fastify,
    streams,
    close() {
      closed ??= (async () => {
        closing = true;
        streams.closeAll();
        const timer = setTimeout(() => {
          cutAtShutdown = true;
          fastify.server.closeAllConnections();
        }, limits.shutdownTimeoutMs);
        try {
          await fastify.close();
        } finally {
          clearTimeout(timer);
          await engine.close();
        }
      })();
      return closed;
    },
  };
}
