/**
 * The renderer served from a privileged custom scheme, `app://fieldsync/`, instead of
 * `file://` (Electron's security checklist, "avoid the file protocol"). A `file://` page has
 * no response headers (so its CSP could only be a meta tag), shares its origin with every
 * other file on the disk, and can read them. Here the page has an origin of its own, its
 * CSP and the usual security headers arrive with every response, and only the files of
 * `out/renderer` can be reached: the same path checks as the browser host's.
 *
 * The handler is a function from a standard `Request` to a `Response`, with the file
 * reading passed in: it runs under plain Node in the tests; `main.ts` hands it to
 * Electron's `protocol.handle`, which takes exactly that shape.
 */
import { join, sep } from 'node:path';
import { contentType, resolveStaticPath } from '../../web-host/static-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'fieldsync';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The scheme's privileges (`protocol.registerSchemesAsPrivileged`, before the app is ready):
 * standard (relative URLs, an origin of its own) and secure (like https: no mixed-content
 * downgrade). Nothing else: no fetch API, no CORS, no service workers, no stream.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true } as const;

export interface AppProtocolOptions {
  /** The built renderer (`out/renderer`), absolute. */
  readonly root: string;
  /** The Content-Security-Policy sent with every response (csp.ts). */
  readonly csp: string;
  /** Reads a file; in Electron, `fs.promises.readFile`, which reads inside app.asar too. */
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /** Resolves symlinks (`fs.promises.realpath`), so that none leads out of the build. */
  readonly realpath: (path: string) => Promise<string>;
}

const text = (status: number, body: string, headers: Record<string, string>, extra: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8', ...extra } });

export function createAppProtocolHandler(o: AppProtocolOptions): (request: Request) => Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': o.csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
  let realRoot: Promise<string> | null = null;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed', headers, { Allow: 'GET, HEAD' });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return text(400, 'Bad request', headers);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return text(404, 'Not found', headers);
    // The raw path, before any decoding: resolveStaticPath refuses encoded separators.
    const rawPath = request.url.slice(APP_ORIGIN.length).split(/[?#]/)[0] || '/';
    const file = resolveStaticPath(o.root, rawPath);
    if (file === null) return text(404, 'Not found', headers);
    let body: Uint8Array;
    try {
      realRoot ??= o.realpath(o.root);
      const real = await o.realpath(file);
      if (!real.startsWith(`${await realRoot}${sep}`)) return text(404, 'Not found', headers);
      body = await o.readFile(real);
    } catch {
      return text(404, 'Not found', headers);
    }
    const type = contentType(file);
    return new Response(request.method === 'HEAD' ? null : body as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: { ...headers, 'Content-Type': type, 'Content-Length': String(body.byteLength) },
    });
  };
}

/** The renderer's folder, next to the main bundle (`out/main` → `out/renderer`). */
export const rendererRoot = (mainDir: string): string => join(mainDir, '..', 'renderer');
