/**
 * The one-screen viewer of `npm run start:web`: one page on 127.0.0.1 that shows every
 * instance side by side, each in its own frame, each still its own browser host with its
 * own key and cookie (docs/security.md, "The browser host").
 *
 * - The viewer opens only with a one-time sign-in link of its own, printed to whoever
 *   started it, exchanged once for the viewer's own cookie (host-session.ts): without it,
 *   nothing is served.
 * - Its page holds no secret. Each frame loads `/frame/N`, which answers the signed-in viewer
 *   with a redirect to a fresh one-time sign-in link of instance N, asked of that host when
 *   the frame loads (`newLoginUrl`); the frame then holds the instance's own cookie.
 * - Each instance allows exactly this viewer's origin in its `frame-ancestors`, and no other.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { HOST_ADDRESS, isLoopbackAddress, isOwnHost, ownOrigin } from '../host-security.ts';
import { createLoginCodes, hasSessionCookie, LOGIN_CODE_PARAM, LOGIN_PATH, sessionCookie, setCookieHeader } from '../host-session.ts';
import { VIEWER_CSS, viewerHtml, type ViewerInstance } from './viewer-page.ts';

export interface ViewedInstance extends ViewerInstance {
  /** A fresh one-time sign-in link of the instance. */
  newLoginUrl(): Promise<string>;
}

export interface Viewer {
  /** `http://127.0.0.1:PORT`: what the instances name in their `frame-ancestors`. */
  readonly origin: string;
  /** A new one-time sign-in link of the viewer. */
  loginUrl(): string;
  /** The instances to show, once they run. */
  setInstances(instances: readonly ViewedInstance[]): void;
  close(): Promise<void>;
}

export const VIEWER_NOT_SIGNED_IN = 'This viewer opens only with its sign-in link, which works once. Use the newest link printed where it was started (npm run start:web).\n';

function viewerCsp(instances: readonly ViewerInstance[]): string {
  const frames = ["'self'", ...instances.map((i) => i.origin)].join(' ');
  return `default-src 'none'; style-src 'self'; img-src 'self'; frame-src ${frames}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

export async function startViewer(options: { readonly log?: (line: string) => void } = {}): Promise<Viewer> {
  const log = options.log ?? (() => {});
  const cookie = sessionCookie(randomBytes(32).toString('base64url'));
  const codes = createLoginCodes();
  let instances: readonly ViewedInstance[] = [];
  let port = 0;

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = {
      'Content-Security-Policy': viewerCsp(instances),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'Content-Type': 'text/plain; charset=utf-8',
    };
    if (!isLoopbackAddress(req.socket.remoteAddress)) return void res.writeHead(403, headers).end('Forbidden\n');
    if (!isOwnHost(req.headers.host, port)) return void res.writeHead(421, headers).end(`This viewer is at ${ownOrigin(port)}/\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end('Method not allowed\n');
    const url = new URL(req.url ?? '/', ownOrigin(port));
    if (url.pathname === LOGIN_PATH) {
      if (!codes.redeem(url.searchParams.get(LOGIN_CODE_PARAM))) return void res.writeHead(403, headers).end(VIEWER_NOT_SIGNED_IN);
      res.writeHead(303, { ...headers, 'Set-Cookie': setCookieHeader(cookie), Location: '/' }).end();
      log(`a browser opened the viewer; for another browser, use ${ownOrigin(port)}${LOGIN_PATH}?${LOGIN_CODE_PARAM}=${codes.issue()}`);
      return;
    }
    if (!hasSessionCookie(req.headers.cookie, cookie)) return void res.writeHead(403, headers).end(VIEWER_NOT_SIGNED_IN);
    if (url.pathname === '/') return void res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(viewerHtml(instances));
    if (url.pathname === '/viewer.css') return void res.writeHead(200, { ...headers, 'Content-Type': 'text/css; charset=utf-8' }).end(VIEWER_CSS);
    const frame = /^\/frame\/([1-9]\d?)$/.exec(url.pathname);
    const instance = frame ? instances[Number(frame[1]) - 1] : undefined;
    if (!instance) return void res.writeHead(404, headers).end('Not found\n');
    try {
      res.writeHead(303, { ...headers, Location: await instance.newLoginUrl() }).end();
    } catch (err) {
      log(`no sign-in link from ${instance.name}: ${(err as Error).message}`);
      res.writeHead(503, headers).end(`${instance.name} is not answering; reload when it is back.\n`);
    }
  };

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST_ADDRESS, () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    origin: ownOrigin(port),
    loginUrl: () => `${ownOrigin(port)}${LOGIN_PATH}?${LOGIN_CODE_PARAM}=${codes.issue()}`,
    setInstances(list) {
      instances = list;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
