/**
 * The built renderer (`out/renderer`), served as static files: GET and HEAD only, a fixed
 * table of MIME types (with `nosniff`, a browser never guesses), nothing outside the build
 * folder (no `..`, no encoded separators, no dotfiles, no symlink escaping it), and the
 * security headers on every response. `index.html` gets the host's meta tag, which tells
 * the page where its API is.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { HOST_META_NAME } from '../shared/ws-protocol.ts';
import { escapeHtml } from './html-text.ts';

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The Content-Type of a file, by its extension; unknown types are plain bytes. */
export function contentType(file: string): string {
  return MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names inside `root`, or null when it names nothing servable. Checked
 * on the decoded path: `..` and `.` segments, dotfiles, backslashes, NUL, encoded slashes.
 * `root` must be an absolute, resolved path.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  if (!urlPath.startsWith('/') || urlPath.length > 1024) return null;
  // Encoded separators would let a "segment" carry a path: refuse them before decoding.
  if (/%2f|%5c|%00/i.test(urlPath)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').slice(1);
  if (segments.length === 1 && segments[0] === '') return join(root, 'index.html');
  for (const s of segments) {
    if (s === '' || s.startsWith('.')) return null; // empty (`//`), `.`, `..` and dotfiles
  }
  const file = join(root, ...segments);
  return file.startsWith(root + sep) ? file : null;
}

/** index.html with the host's meta tag at the end of `<head>` (after the charset and the CSP). */
export function injectHostMeta(html: string, apiUrl: string): string {
  const tag = `<meta name="${HOST_META_NAME}" content="${escapeHtml(apiUrl)}" />`;
  const at = html.search(/<\/head\s*>/i);
  if (at < 0) throw new Error('index.html has no </head>');
  return `${html.slice(0, at)}  ${tag}\n  ${html.slice(at)}`;
}

export interface StaticOptions {
  /** The build folder (absolute). */
  readonly root: string;
  /** The URL the page's bridge connects to, written into index.html. */
  readonly apiUrl: () => string;
  /** Headers for every response (the security headers). */
  readonly headers: () => Record<string, string>;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, head: boolean): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
}

/** Serves one request from the build folder. */
export function createStaticHandler(options: StaticOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let realRoot: string | null = null;
  return async (req, res) => {
    const headers = options.headers();
    const text = (status: number, body: string, extra: Record<string, string> = {}): void =>
      send(res, status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', ...extra }, `${body}\n`, req.method === 'HEAD');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method not allowed', { Allow: 'GET, HEAD' });
    const path = (req.url ?? '/').split('?')[0] as string;
    realRoot ??= await realpath(options.root);
    const file = resolveStaticPath(realRoot, path);
    if (file === null) return text(404, 'Not found');
    let body: Buffer;
    try {
      // A symlink inside the build must not lead outside it.
      const real = await realpath(file);
      if (!real.startsWith(realRoot + sep) || !(await stat(real)).isFile()) return text(404, 'Not found');
      body = await readFile(real);
    } catch {
      return text(404, 'Not found');
    }
    const type = contentType(file);
    if (file === join(realRoot, 'index.html')) {
      return send(res, 200, { ...headers, 'Content-Type': type }, injectHostMeta(body.toString('utf8'), options.apiUrl()), req.method === 'HEAD');
    }
    send(res, 200, { ...headers, 'Content-Type': type }, body, req.method === 'HEAD');
  };
}
