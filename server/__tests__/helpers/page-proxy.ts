/**
 * A proxy on loopback that answers a sync server's first syncs with a page of its own (a load
 * balancer's 404, a WAF's 403, a proxy's 413), then passes everything through: what a client
 * meets between it and the server (round 63: proxy-page-retry.test.ts; round 64: proxy-413).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A proxy to `upstream` that answers its first `pages` syncs with its own 4xx page (`seen`: the syncs). */
export async function pageProxy(upstream: string, pages: number, status: number, body: string, type: string): Promise<{ url: string; seen: () => number; server: Server }> {
  let seen = 0;
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const sync = req.url?.startsWith('/v1/sync') === true;
    if (sync && seen++ < pages) {
      req.resume();
      res.writeHead(status, { 'content-type': type }).end(body);
      return;
    }
    const out = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen, server };
}

