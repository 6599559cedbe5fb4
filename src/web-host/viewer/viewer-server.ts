/**
 * The one-screen viewer of `npm run start:web`: one page on 127.0.0.1 that shows every
 * instance side by side, each in its own frame, each still its own browser host with its
 * own sessions (docs/security.md, "The browser host"). No cookie anywhere: cookies are not
 * isolated by port, so any local user's server on 127.0.0.1 would receive them.
 *
 * - The viewer's one-time link (`/login?code=…`, printed to whoever started it, expiring) is
 *   answered once with the page whose frames go to fresh one-time sign-in links of each
 *   instance, asked of the hosts right then (`newLoginUrl`); each frame redeems its link for
 *   a session of its own instance, kept in that instance's origin's storage.
 * - `/` is the same page with the instances' plain addresses: a reload, or the viewer opened
 *   again, shows the frames signed in with their stored sessions. It holds no secret, and
 *   nothing the viewer serves does, so it needs no credential; nothing hands out links.
 * - Each instance allows exactly this viewer's origin in its `frame-ancestors`, and no other.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { HOST_ADDRESS, ownOrigin, refuseRequest } from '../host-security.ts';
import { createLoginCodes, LOGIN_CODE_PARAM, LOGIN_PATH, loginLink } from '../host-session.ts';
import { createLimitedServer } from '../web-host.ts';
import { VIEWER_CSS, VIEWER_JS, viewerHtml, type ViewerInstance } from './viewer-page.ts';

export interface ViewedInstance extends ViewerInstance {
  /** A fresh one-time sign-in link of the instance. */
  newLoginUrl(): Promise<string>;
}

export interface Viewer {
  /** `http://127.0.0.1:PORT`: what the instances name in their `frame-ancestors`. */
  readonly origin: string;
  /** A new one-time sign-in link of the viewer (15 minutes). */
  loginUrl(): string;
  /** The instances to show, once they run. */
  setInstances(instances: readonly ViewedInstance[]): void;
  close(): Promise<void>;
}

export const VIEWER_NOT_SIGNED_IN =
  'This viewer link was already used or has expired. Open the viewer at its plain address to see the instances this browser is signed in to, or press Enter where npm run start:web runs for new links.\n';

/** `img-src data:` for the page's empty icon (`data:,`), which spares the browser a /favicon.ico that is not there. */
function viewerCsp(instances: readonly ViewerInstance[]): string {
  const frames = instances.length > 0 ? instances.map((i) => i.origin).join(' ') : "'none'";
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src ${frames}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

export async function startViewer(options: { readonly log?: (line: string) => void; readonly now?: () => number } = {}): Promise<Viewer> {
  const log = options.log ?? (() => {});
  const codes = createLoginCodes(options.now ? { now: options.now } : {});
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
    const refused = refuseRequest(req.socket.remoteAddress, req.headers.host, port, 'viewer');
    if (refused) return void res.writeHead(refused.status, headers).end(refused.body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end('Method not allowed\n');
    const path = (req.url ?? '/').split('?')[0];
    const html = (body: string): void => void res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
    if (path === LOGIN_PATH) {
      const code = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get(LOGIN_CODE_PARAM);
      if (req.method !== 'GET' || !codes.redeem(code)) return void res.writeHead(403, headers).end(VIEWER_NOT_SIGNED_IN);
      const shown = instances;
      const links = await Promise.all(
        shown.map((instance) =>
          instance.newLoginUrl().catch((err: unknown) => {
            log(`no sign-in link from ${instance.name}: ${(err as Error).message}`);
            return null; // its frame shows the plain address: signed in already, or it says how to sign in
          }),
        ),
      );
      return html(viewerHtml(shown, links));
    }
    if (path === '/') return html(viewerHtml(instances));
    if (path === '/viewer.css') return void res.writeHead(200, { ...headers, 'Content-Type': 'text/css; charset=utf-8' }).end(VIEWER_CSS);
    if (path === '/viewer.js') return void res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' }).end(VIEWER_JS);
    return void res.writeHead(404, headers).end('Not found\n');
  };

  const server = createLimitedServer((req, res) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST_ADDRESS, () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    origin: ownOrigin(port),
    loginUrl: () => loginLink(ownOrigin(port), codes.issue()),
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
