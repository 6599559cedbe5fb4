/** Raw HTTP requests, for what `fetch` will not send (no Content-Type, a lying Content-Length, a body cut short). */
import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  /** An array: the header sent once per value. */
  readonly headers?: Record<string, string | number | string[]>;
  /** Chunks written one after another (a chunked body when no Content-Length is set). */
  readonly chunks?: readonly (string | Buffer)[];
  /** Leave the request body unfinished: the answer must come without it. */
  readonly leaveOpen?: boolean;
}

export function rawRequest(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${r.path}`, { method: r.method, headers: r.headers ?? {}, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', (err) => {
      // The server may close the connection once it has answered, while we are still writing.
      if (!r.leaveOpen) reject(err);
    });
    for (const c of r.chunks ?? []) req.write(c);
    if (!r.leaveOpen) req.end();
  });
}

/**
 * One exchange over a plain socket, for bytes no HTTP client sends (a request line of
 * HTTP/2.0, `Transfer-Encoding: gzip, chunked`): the answer's text, and whether the server
 * closed the connection (within 4 s).
 */
export async function socketExchange(url: string, bytes: string): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  let closed = false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 4000);
    socket.on('data', (d: Buffer) => { text += d.toString('utf8'); });
    socket.once('close', () => { closed = true; clearTimeout(timer); resolve(); });
    socket.once('error', () => {});
    socket.write(bytes);
  });
  socket.destroy();
  return { text, closed };
}

/** An answer with a Content-Length read from its text: status, head (lower case) and JSON body. */
export function parseAnswer(text: string): { status: number; head: string; body: unknown } {
  const at = text.indexOf('\r\n\r\n');
  return { status: Number(text.slice(9, 12)), head: text.slice(0, at).toLowerCase(), body: JSON.parse(text.slice(at + 4)) };
}
