/**
 * The browser host: one app instance (one profile, one app core) in a Node process, for a
 * browser instead of Electron's window. It serves the built renderer on 127.0.0.1 and the
 * `AppApi` over a WebSocket at `/api`; the page's bridge (`ws-bridge.ts`) makes it the same
 * `AppApi` the Electron preload gives. The core is the caller's: the host never closes it.
 *
 * Only a browser signed in with a one-time link gets anything (see host-session.ts):
 *
 * ```ts
 * const host = await startWebHost({ core, rendererDir: 'out/renderer', key: newInstanceKey() });
 * console.log(host.loginUrl()); // http://127.0.0.1:PORT/login?code=…, works once
 * await host.close();
 * ```
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { WS_API_PATH } from '../shared/ws-protocol.ts';
import { HOST_ADDRESS, isLoopbackAddress, isOwnHost, isViewerOrigin, isWellFormedKey, ownOrigin, securityHeaders } from './host-security.ts';
import { createLoginCodes, hasSessionCookie, LOGIN_CODE_PARAM, LOGIN_PATH, sessionCookie, setCookieHeader } from './host-session.ts';
import { createStaticHandler } from './static-files.ts';
import { attachWsApi, type HostedCore, type WsApiLimits } from './ws-api.ts';

export interface WebHostOptions {
  readonly core: HostedCore;
  /** The built renderer: a folder with index.html (`out/renderer` after `npm run build`). */
  readonly rendererDir: string;
  /**
   * The instance's key (`newInstanceKey()`), from which its session cookie is derived: keep
   * it across restarts, and the pages a host served stay signed in.
   */
  readonly key: string;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  readonly limits?: Partial<WsApiLimits>;
  readonly log?: (message: string) => void;
  /**
   * The origin of the one-screen viewer that may frame this instance
   * (`http://127.0.0.1:PORT`, see viewer/viewer-server.ts); none by default.
   */
  readonly frameAncestor?: string | null;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/`: the app, for a browser signed in. */
  readonly url: string;
  /** A new one-time sign-in URL, `http://127.0.0.1:PORT/login?code=…`: open it in a browser. */
  loginUrl(): string;
  readonly port: number;
  /** Pages connected right now. */
  readonly connections: number;
  /** Stops serving: disconnects the pages, closes the port. Safe to call more than once. */
  close(): Promise<void>;
}

/** What a browser that is not signed in gets, instead of the app. */
export const NOT_SIGNED_IN =
  'This Fieldsync instance opens only with its sign-in link, which works once. Use the newest ' +
  'link printed where it was started (npm run start:web), or start it again for new links.\n';

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
  if (!isWellFormedKey(options.key)) throw new WebHostError('the instance key must be 32 to 128 URL-safe base64 characters');
  const log = options.log ?? (() => {});
  const frameAncestor = options.frameAncestor ?? null;
  if (frameAncestor !== null && !isViewerOrigin(frameAncestor)) throw new WebHostError('the viewer origin must be http://127.0.0.1:PORT');

  let port = options.port ?? 0;
  const cookie = sessionCookie(options.key);
  const codes = createLoginCodes();
  const loginUrl = (): string => `${ownOrigin(port)}${LOGIN_PATH}?${LOGIN_CODE_PARAM}=${codes.issue()}`;
  const serveStatic = createStaticHandler({
    root: rendererDir,
    apiUrl: () => `ws://${HOST_ADDRESS}:${port}${WS_API_PATH}`,
    headers: () => securityHeaders(port, frameAncestor),
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = { ...securityHeaders(port, frameAncestor), 'Content-Type': 'text/plain; charset=utf-8' };
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      res.writeHead(403, headers).end('Forbidden\n');
      return;
    }
    // A page reached under another name (DNS rebinding, or `localhost`) is not our origin.
    // Say where the instance really is.
    if (!isOwnHost(req.headers.host, port)) {
      res.writeHead(421, headers).end(`This instance is at ${ownOrigin(port)}/\n`);
      return;
    }
    const url = new URL(req.url ?? '/', ownOrigin(port));
    if (url.pathname === LOGIN_PATH) {
      if (req.method !== 'GET') {
        res.writeHead(405, { ...headers, Allow: 'GET' }).end('Method not allowed\n');
        return;
      }
      if (!codes.redeem(url.searchParams.get(LOGIN_CODE_PARAM))) {
        // A used link opened again (twice from the terminal, history, autocomplete) in the
        // browser it signed in: that browser needs no link, it goes to the app.
        if (hasSessionCookie(req.headers.cookie, cookie)) res.writeHead(303, { ...headers, Location: '/' }).end();
        else res.writeHead(403, headers).end(NOT_SIGNED_IN);
        return;
      }
      // Signed in: the cookie, then the app at its clean URL (the code leaves the address bar).
      res.writeHead(303, { ...headers, 'Set-Cookie': setCookieHeader(cookie), Location: '/' }).end();
      log(`a browser signed in; to open this instance in another browser, use ${loginUrl()}`);
      return;
    }
    if (!hasSessionCookie(req.headers.cookie, cookie)) {
      res.writeHead(403, headers).end(NOT_SIGNED_IN);
      return;
    }
    serveStatic(req, res).catch((err: unknown) => {
      log(`request failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500, headers);
      res.end('Internal error\n');
    });
  };

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, onRequest);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new WebHostError(`port ${port} on ${HOST_ADDRESS} is already in use (use --port 0 for a free one)`, { cause: err })
          : err,
      );
    });
    server.listen(port, HOST_ADDRESS, () => resolveListen());
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : port;

  const api = attachWsApi({ server, core: options.core, port: () => port, cookie, log, ...(options.limits ? { limits: options.limits } : {}) });

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
