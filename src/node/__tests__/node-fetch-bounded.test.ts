/**
 * The client's bound on one answer (src/sync/answer-lines.ts, docs/security.md) holds over
 * nodeFetch too: its body is a web stream that the remote cancels past the bound, and the
 * socket goes with it. A server on loopback sends one line that never ends.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, expect, it } from 'vitest';
import { RemoteError, createHttpRemote } from 'fieldsync';
import { nodeFetch } from 'fieldsync/node';

const SERVER_CAP = 64 * 1024 * 1024;
const CHUNK = 'x'.repeat(64 * 1024);
let server: Server | null = null;
const fetcher = nodeFetch();
afterAll(() => fetcher.close());
afterEach(async () => {
  const s = server;
  server = null;
  s?.closeAllConnections();
  if (s) await new Promise((r) => s.close(r));
});

it.each(['identity', 'gzip'])('an endless line (%s) fails the sync as a bad answer, the socket closed long before the server is done', async (coding) => {
  let written = 0;
  let closed = false;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson', ...(coding === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}) });
      res.on('close', () => void (closed = true));
      // gzip: a small body that inflates without end (each chunk compresses to almost nothing).
      const zip = coding === 'gzip' ? (async () => (await import('node:zlib')).createGzip())() : null;
      void (async () => {
        const z = await zip;
        z?.pipe(res);
        const out = z ?? res;
        out.write('{"accepted":0,"cursor":0,"more":true,"page":{"s":"');
        while (!res.destroyed && written < SERVER_CAP) {
          written += CHUNK.length;
          if (!out.write(CHUNK)) await new Promise((r) => { out.once('drain', r); res.once('close', r); });
        }
        out.end();
      })();
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const remote = createHttpRemote({ url, token: 't', fetch: fetcher, timeoutMs: 20_000 });
  const err = await remote.sync({ clientId: 'c1', cursor: 0, limit: 2 }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteError);
  expect(err).toMatchObject({ code: 'invalid_response' });
  await expect.poll(() => closed, { timeout: 5000 }).toBe(true);
  expect(written).toBeLessThan(SERVER_CAP / 2);
}, 30_000);
