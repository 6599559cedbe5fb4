/**
 * `nodeFetch` when the server answers before it has read the request's body (a 413 or 429
 * refusing a large push unread, server/refuse-unread.ts): the caller gets that answer, the
 * upload stops once it is in, and the connection is not reused. The server here is a raw TCP
 * one on loopback that answers as soon as a request's head is in, then only counts the bytes
 * that still arrive (reading them, so that nothing but the client bounds them).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, made } from './helpers/loopback.ts';

const MiB = 1024 * 1024;
const BODY = Buffer.alloc(64 * MiB, 'x');
const servers: Server[] = [];

afterEach(async () => {
  await closeAll();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

interface Connection {
  /** Bytes that arrived after the request's head. */
  after: number;
  readonly closed: Promise<void>;
}

/**
 * A server that answers each connection's first request with `answer` once its head is in,
 * and reads (without parsing) whatever comes after on that connection.
 */
async function earlyAnswer(answer: (n: number) => string, rest?: { after: number; text: string }): Promise<{ url: string; connections: Connection[] }> {
  const connections: Connection[] = [];
  const server = createServer((socket: Socket) => {
    let head = '';
    const c: Connection = { after: 0, closed: new Promise((r) => socket.once('close', () => r())) };
    connections.push(c);
    const n = connections.length;
    socket.on('error', () => {}); // the client may reset it
    socket.on('data', (chunk: Buffer) => {
      if (head === null) c.after += chunk.length;
      else {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        c.after += head.length - end - 4;
        head = null as unknown as string;
        socket.write(answer(n));
      }
      // The end of the first answer, once that many bytes came after the head (`rest`).
      if (n === 1 && rest !== undefined && c.after >= rest.after && c.after - chunk.length < rest.after) socket.write(rest.text);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections };
}

const refusal = (status: string, extra: string, body: string): string =>
  `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

describe('nodeFetch: an answer that arrives while the body is being sent', () => {
  it('resolves with the 429 (Connection: close) and stops sending the body', async () => {
    const body = '{"error":{"code":"rate_limited"}}';
    const { url, connections } = await earlyAnswer(() => refusal('429 Too Many Requests', 'Retry-After: 1\r\nConnection: close\r\n', body));
    const res = await made()(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.text()).toBe(body);
    await connections[0]?.closed;
    // What was already in the sockets' buffers when the answer came, not the 64 MiB.
    expect(connections[0]?.after).toBeLessThan(BODY.length / 4);
  });

  it('resolves with a 413 without Connection: close, stops sending, and does not reuse the connection', async () => {
    const body = '{"error":{"code":"payload_too_large"}}';
    const { url, connections } = await earlyAnswer((n) => (n === 1 ? refusal('413 Payload Too Large', '', body) : refusal('200 OK', '', '{}')));
    const f = made();
    const res = await f(url, { method: 'POST', body: BODY });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(JSON.parse(body));
    await connections[0]?.closed;
    expect(connections[0]?.after).toBeLessThan(BODY.length / 4);
    // The next request goes on a new connection: on the first, the server still expects the body.
    const next = await f(url, { signal: AbortSignal.timeout(3000) });
    expect([next.status, await next.text()]).toEqual([200, '{}']);
    expect(connections).toHaveLength(2);
  });

  it('does not reuse the connection either when the answer ends only after the whole body was sent', async () => {
    // The answer's head and the start of its body come at once; its end, only once the
    // server has counted the whole request body: by then the upload is done.
    const body = '{"error":{"code":"payload_too_large"}}';
    const head = refusal('413 Payload Too Large', '', body);
    const { url, connections } = await earlyAnswer(
      (n) => (n === 1 ? head.slice(0, -10) : refusal('200 OK', '', '{}')),
      { after: BODY.length, text: head.slice(-10) },
    );
    const f = made();
    const res = await f(url, { method: 'POST', body: BODY });
    expect([res.status, await res.text()]).toEqual([413, body]);
    expect(connections[0]?.after).toBe(BODY.length);
    // An early answer's connection is never handed back (this server would never answer
    // a second request on it): the next request opens a new one.
    const next = await f(url, { signal: AbortSignal.timeout(10_000) });
    expect([next.status, await next.text()]).toEqual([200, '{}']);
    expect(connections).toHaveLength(2);
  });
});
