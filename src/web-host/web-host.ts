/**
 * The browser host: one app instance (one profile, one app core) in a Node process, for a
 * browser instead of Electron's window. It serves the built renderer on 127.0.0.1 and the
 * `AppApi` over a WebSocket at `/api`; the page's bridge (`ws-bridge.ts`) makes it the same
 * `AppApi` the Electron preload gives. The core is the caller's: the host never closes it.
 *
 * The app shell (index.html and its assets) holds no secret and is served to any loopback
 * client that names this host exactly; the API answers only a page signed in with a one-time
 * link, by a session of this run (see host-session.ts and ws-api.ts):
 *
 * ```ts
 * const host = await startWebHost({ core, rendererDir: 'out/renderer' });
 * console.log(host.loginUrl()); // http://127.0.0.1:PORT/login?code=…, works once, for 15 minutes
 * await host.close();
 * ```
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { WS_API_PATH } from '../shared/ws-protocol.ts';
import { boundConnections } from './connection-bound.ts';
import { HOST_ADDRESS, isViewerOrigin, ownOrigin, refuseRequest, securityHeaders } from './host-security.ts';
import { createLoginCodes, createSessions, LOGIN_PATH, loginLink } from './host-session.ts';
import { createStaticHandler } from './static-files.ts';
import { attachWsApi, type HostedCore, type WsApiLimits } from './ws-api.ts';

export interface WebHostOptions {
  readonly core: HostedCore;
  /** The built renderer: a folder with index.html (`out/renderer` after `npm run build`). */
  readonly rendererDir: string;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /**
   * With `port` 0: the port to take when it is free, before any other (the last run's, which
   * main.ts keeps in the profile: see last-port.ts). Taken, a free one is picked.
   */
  readonly preferredPort?: number;
  readonly limits?: Partial<WsApiLimits>;
  readonly log?: (message: string) => void;
  /**
   * The origin of the one-screen viewer that may frame this instance
   * (`http://127.0.0.1:PORT`, see viewer/viewer-server.ts); none by default.
   */
  readonly frameAncestor?: string | null;
  /** The clock of sign-in codes and sessions (tests). */
  readonly now?: () => number;
  /** How long a sign-in link and a session last (tests); host-session.ts has the defaults. */
  readonly codeTtlMs?: number;
  readonly sessionTtlMs?: number;
}

/**
 * Limits of the HTTP server, which anyone on the machine can reach (audit E, findings 4 and
 * 5). Sockets: a handful of tabs need a few each; idle and slow ones are dropped quickly, and
 * when all are taken a new one evicts the longest-silent one, never one still young, waiting
 * for its first request: those are taken beyond the bound for a second (connection-bound.ts).
 * Headers: no cookie is needed here, but the browser still sends every cookie it holds for
 * 127.0.0.1, which any page on another port of 127.0.0.1 can set. Chromium keeps at most
 * 180 cookies of at most 4096 bytes per host, about 720 KiB in one `Cookie` header: a limit
 * of 1 MiB (Node's default is 16 KiB, which answered 431 to a "cookie bomb") lets such a
 * request through, so a page on another port cannot lock the user out.
 */
export const HTTP_LIMITS = {
  maxConnections: 64,
  maxHeaderSize: 1024 * 1024,
  headersTimeout: 5000,
  requestTimeout: 10_000,
  keepAliveTimeout: 5000,
  connectionsCheckingInterval: 1000,
} as const;

/** A `node:http` server within HTTP_LIMITS. */
export function createLimitedServer(onRequest: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(
    {
      maxHeaderSize: HTTP_LIMITS.maxHeaderSize,
      headersTimeout: HTTP_LIMITS.headersTimeout,
      requestTimeout: HTTP_LIMITS.requestTimeout,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeout,
      connectionsCheckingInterval: HTTP_LIMITS.connectionsCheckingInterval,
    },
    onRequest,
  );
  // Not `server.maxConnections`, which refuses newcomers: silent sockets could fill it.
  boundConnections(server, HTTP_LIMITS.maxConnections);
  return server;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/`: the app, for a browser signed in. */
  readonly url: string;
  /** A new one-time sign-in URL, `http://127.0.0.1:PORT/login?code=…`: open it in a browser (within 15 minutes). */
  loginUrl(): string;
  readonly port: number;
  /** Pages connected right now. */
  readonly connections: number;
  /** Stops serving: disconnects the pages, closes the port. Safe to call more than once. */
  close(): Promise<void>;
}

export class WebHostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebHostError';
  }
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new WebHostError(`no renderer build in ${rendererDir} (index.html is missing): run \`npm run build\` first`);
  }
  const log = options.log ?? (() => {});
  const frameAncestor = options.frameAncestor ?? null;
  if (frameAncestor !== null && !isViewerOrigin(frameAncestor)) throw new WebHostError('the viewer origin must be http://127.0.0.1:PORT');

  let port = options.port ?? 0;
  const clock = options.now ? { now: options.now } : {};
  const codes = createLoginCodes({ ...clock, ...(options.codeTtlMs ? { ttlMs: options.codeTtlMs } : {}) });
  const sessions = createSessions({ ...clock, ...(options.sessionTtlMs ? { ttlMs: options.sessionTtlMs } : {}) });
  const loginUrl = (): string => loginLink(ownOrigin(port), codes.issue());
  const serveStatic = createStaticHandler({
    root: rendererDir,
    apiUrl: () => `ws://${HOST_ADDRESS}:${port}${WS_API_PATH}`,
    headers: () => securityHeaders(port, frameAncestor),
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = { ...securityHeaders(port, frameAncestor), 'Content-Type': 'text/plain; charset=utf-8' };
    const refused = refuseRequest(req.socket.remoteAddress, req.headers.host, port, 'instance');
    if (refused) {
      res.writeHead(refused.status, headers).end(refused.body);
      return;
    }
    // A sign-in link opens the app shell, like `/`: the page's bridge reads the code, takes it
    // out of the address bar, and redeems it over the WebSocket (ws-api.ts). Nothing here
    // looks at the code, and no cookie is set or read.
    if ((req.url ?? '/').split('?')[0] === LOGIN_PATH) req.url = '/';
    serveStatic(req, res).catch((err: unknown) => {
      log(`request failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500, headers);
      res.end('Internal error\n');
    });
  };

  const server = createLimitedServer(onRequest);
  const listen = (on: number): Promise<void> =>
    new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(on, HOST_ADDRESS, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  const preferred = port === 0 ? (options.preferredPort ?? 0) : 0;
  try {
    if (preferred === 0) await listen(port);
    else await listen(preferred).catch((err: NodeJS.ErrnoException) => {
      // Taken since (by anything: another run, another program), or not ours to take.
      if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
      return listen(0);
    });
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? new WebHostError(`port ${port} on ${HOST_ADDRESS} is already in use (use --port 0 for a free one)`, { cause: err })
      : err;
  }
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : port;

  const api = attachWsApi({ server, core: options.core, port: () => port, codes, sessions, log, ...(options.limits ? { limits: options.limits } : {}) });

  let closing: Promise<void> | null = null;
  return {
    url: `${ownOrigin(port)}/`,
    loginUrl,
    port,
    get connections() {
      return api.connections;
    },
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        await api.close();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
