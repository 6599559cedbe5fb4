/**
 * Real HTTP(S) servers on loopback for the `nodeFetch` tests, and the fetchers made against
 * them; `closeAll` (each test file's afterEach) ends both. The fixtures' certificate is a
 * self-signed one for `localhost`/127.0.0.1, made for these tests alone (openssl req -x509,
 * EC P-256, 100 years).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nodeFetch, type NodeFetch } from 'fieldsync/node';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
const servers: Server[] = [];
const fetchers: NodeFetch[] = [];
export const fixture = (name: string): Buffer => readFileSync(join(import.meta.dirname, '..', 'fixtures', name));

/** A server that hands each request to `handler` once its body is in. */
export async function serve(handler: Handler, tls = false): Promise<{ url: string; server: Server }> {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  };
  const server = tls ? createHttpsServer({ key: fixture('localhost-key.pem'), cert: fixture('localhost-cert.pem') }, onRequest) : createServer(onRequest);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export function made(...args: Parameters<typeof nodeFetch>): NodeFetch {
  const f = nodeFetch(...args);
  fetchers.push(f);
  return f;
}

export async function closeAll(): Promise<void> {
  for (const f of fetchers.splice(0)) f.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
}

/** What `p` rejects with; an error of its own if it resolves. */
export const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => { throw new Error('it did not fail'); }, (err: unknown) => err);

/**
 * A signal that aborts with `reason` the moment nodeFetch stops listening to it (removes its
 * listener): the exact instant between two of its steps (two hops of a redirect; the headers
 * and the body), which no timer can hit.
 */
export function abortWhenUnlistened(reason: Error): AbortSignal {
  const controller = new AbortController();
  const { signal } = controller;
  const remove = signal.removeEventListener.bind(signal);
  signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => {
    remove(...args);
    if (!signal.aborted) controller.abort(reason);
  };
  return signal;
}
