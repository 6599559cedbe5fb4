/**
 * Issue 12 (a small sync while 128 pushes of 4 MB arrive), with real sockets on loopback: a
 * large body with a declared length reserves its bytes before it is read, so one beyond the
 * bound is refused at once and never read; the refusal closes the connection without a reset,
 * so fetch and `nodeFetch` read the 429 (refuse-unread.ts), and so does a client that reads
 * only once its whole body is sent; a body that falls behind gives its bytes back.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { nodeFetch } from 'fieldsync/node';
import { REFUSAL_LINGER_MS, RESERVED_BODY_PACE } from '../limits.ts';
import { gatedStore } from './helpers/gated-store.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';
import { until } from '../../test-support/until.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

/** A push body of about `kib` KiB: a large body (over 64 KiB). */
function bigPush(clientId: string, kib: number): Buffer {
  const messages: Message[] = Array.from({ length: kib }, (_, i) => msg(clientId, `${clientId}-${i}`, 'x'.repeat(1000)));
  return Buffer.from(JSON.stringify({ clientId, cursor: 0, messages }));
}

/** The server's side of every connection opened from now on. */
function watchConnections(s: TestServer): Socket[] {
  const sockets: Socket[] = [];
  s.server.app.fastify.server.on('connection', (socket: Socket) => sockets.push(socket));
  return sockets;
}

/** A raw HTTP/1.1 request: the head at once, then the body as the test writes it. */
async function rawRequest(url: string, token: string, length: number): Promise<{ socket: Socket; text: () => string; closed: Promise<void>; error: () => Error | null }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  let text = '';
  let error: Error | null = null;
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', (err) => (error = err));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.write(`POST /v1/sync HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
  return { socket, text: () => text, closed, error: () => error };
}

describe('large bodies refused before they are read', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  /** A server whose store holds user a's first push (about 2 MB) until `g.open()`: that push takes the byte budget, or the user's bound. */
  async function withPushHeld(env: Record<string, string>) {
    const g = gatedStore();
    const server = (s = await startTestServer({ store: g.store, env }));
    const first = server.sync('a', { clientId: 'A', cursor: 0, messages: Array.from({ length: 2000 }, (_, i) => msg('A', `a${i}`, 'x'.repeat(1000))) });
    await until(() => g.reached() === 1, 'the first large push did not reach the store');
    return { g, server, first };
  }

  it('refuses a large push over the byte budget unread: fetch and nodeFetch get the 429 and the connection closes', async () => {
    const { g, server, first } = await withPushHeld({ FIELDSYNC_MAX_INFLIGHT_BYTES: '3MiB' });

    const body = bigPush('B', 3500); // 3.9 MB
    const fetcher = nodeFetch();
    for (const [name, f] of [['fetch', fetch], ['nodeFetch', fetcher]] as const) {
      const sockets = watchConnections(server);
      const res = await f(`${server.url}/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token('b')}` },
        body,
      });
      expect(res.status, name).toBe(429);
      expect(await res.json(), name).toEqual({ error: { code: 'rate_limited', message: 'the server is busy; retry shortly' } });
      expect(res.headers.get('retry-after'), name).toBe('1');
      expect(res.headers.get('connection'), name).toBe('close');
      expect(res.headers.get('accept-encoding'), name).toBe('gzip, deflate'); // the route's own headers are kept
      expect(res.headers.get('cache-control'), name).toBe('no-store');
      // The server closes its side once the client dropped the connection (or the linger is over),
      // having read only what arrived before it stopped reading: not the body.
      await until(() => sockets.length > 0 && sockets.every((c) => c.destroyed), `${name}: the connection was not closed`, REFUSAL_LINGER_MS + 5000);
      const read = sockets.reduce((sum, c) => sum + c.bytesRead, 0);
      expect(read, name).toBeLessThan(body.length / 2);
    }
    fetcher.close();
    // The refused push stored nothing; the held one and a resend of the refused one are stored.
    g.open();
    expect((await first).status).toBe(200);
    expect(await server.pullAll('b')).toEqual([]);
    const again = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token('b')}` }, body });
    expect(again.status).toBe(200);
    expect(await server.pullAll('b')).toHaveLength(3500);
    // The refusal has its log line, as every request.
    expect(server.logs.some((l) => l.msg === 'request' && l.status === 429 && l.user === 'b')).toBe(true);
  });

  it('lets a client that reads only once it has sent its body read the 429, when the socket buffers took the body', async () => {
    const { g, server, first } = await withPushHeld({ FIELDSYNC_MAX_INFLIGHT_BYTES: '3MiB' });

    const body = bigPush('B', 2000);
    const r = await rawRequest(server.url, await server.token('b'), body.length);
    r.socket.pause(); // reads nothing until its body is sent, as some HTTP libraries do
    await new Promise<void>((resolve, reject) => r.socket.write(body, (err) => (err ? reject(err) : resolve())));
    await sleep(200); // the answer (and the server's FIN) arrived meanwhile
    r.socket.resume();
    await r.closed;
    expect(r.error()).toBeNull();
    expect(r.text()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n.*connection: close\r\n.*"code":"rate_limited"/is);
    g.open();
    expect((await first).status).toBe(200);
    expect(await server.pullAll('b')).toEqual([]);
  });

  it('lingers before it closes: a client still sending, which reads its answers only now and then, gets the 429, not a reset', async () => {
    const { g, server, first } = await withPushHeld({ FIELDSYNC_MAX_INFLIGHT_BYTES: '3MiB', FIELDSYNC_BODY_LIMIT: '32MiB' });

    // More than the socket buffers on loopback take (several MiB): the client is still sending.
    const body = Buffer.alloc(24 * MiB, ' ');
    const r = await rawRequest(server.url, await server.token('b'), body.length);
    // It sends its body piece by piece, as fetch does, and reads what arrived every 150 ms only
    // (a busy client): closing the connection at once would reset it while it is still sending.
    r.socket.pause();
    let offset = 0;
    let sending = true;
    const pump = (): void => {
      while (sending && offset < body.length) {
        const more = r.socket.write(body.subarray(offset, (offset += 64 * 1024)));
        if (!more) {
          r.socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
    const reader = setInterval(() => {
      r.socket.resume();
      setImmediate(() => r.socket.pause());
    }, 150);
    try {
      await until(() => r.text().includes('rate_limited') || r.error() !== null || r.socket.destroyed, 'no answer', REFUSAL_LINGER_MS + 3000);
    } finally {
      sending = false;
      clearInterval(reader);
    }
    expect(r.error()).toBeNull();
    expect(r.text()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n.*connection: close\r\n/is);
    expect(offset).toBeLessThan(body.length); // it was still sending
    r.socket.destroy();
    g.open();
    expect((await first).status).toBe(200);
  });

  it('also when the user\'s own bound is full: the 429 from before the body (the per-user hook) does not read it either', async () => {
    const { g, server, first } = await withPushHeld({ FIELDSYNC_MAX_INFLIGHT_PER_USER: '1' });
    const sockets = watchConnections(server);
    const body = bigPush('A2', 3500);
    const res = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token('a')}` }, body });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: { code: 'rate_limited', message: 'too many requests in flight for this user; retry shortly' } });
    expect(res.headers.get('connection')).toBe('close');
    await until(() => sockets.length > 0 && sockets.every((c) => c.destroyed), 'the connection was not closed', REFUSAL_LINGER_MS + 5000);
    expect(sockets.reduce((sum, c) => sum + c.bytesRead, 0)).toBeLessThan(body.length / 2);
    // A small request of another user is served meanwhile, and the user's own once the first is done.
    expect((await server.sync('b', { clientId: 'B', cursor: 0 })).status).toBe(200);
    g.open();
    expect((await first).status).toBe(200);
    expect((await server.sync('a', { clientId: 'A', cursor: 0 })).status).toBe(200);
  });

  it('reserves a large body\'s bytes while it arrives: another one over the budget meanwhile is refused unread', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_BYTES: '3MiB' } });
    const server = s;
    const a = bigPush('A', 2000);
    const arriving = await rawRequest(server.url, await server.token('a'), a.length);
    arriving.socket.write(a.subarray(0, a.length - 100_000)); // most of it, at once: a healthy pace
    await sleep(150);
    const sockets = watchConnections(server);
    const b = bigPush('B', 2000);
    const refused = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token('b')}` }, body: b });
    expect(refused.status).toBe(429);
    const refusedConnections = [...sockets];
    // The first one, reserved, is admitted once it has arrived (never shed after being read).
    arriving.socket.write(a.subarray(a.length - 100_000));
    await until(() => arriving.text().includes('\r\n\r\n{'), 'no answer to the reserved push');
    expect(arriving.text()).toMatch(/^HTTP\/1\.1 200 /);
    arriving.socket.destroy();
    expect(await server.pullAll('a')).toHaveLength(2000);
    await until(() => refusedConnections.length > 0 && refusedConnections.every((c) => c.destroyed), 'the refused connection was not closed', REFUSAL_LINGER_MS + 5000);
    expect(refusedConnections.reduce((sum, c) => sum + c.bytesRead, 0)).toBeLessThan(b.length / 2);
  });

  it('a large body that falls behind a healthy pace gives its bytes back, and is admitted once it has arrived', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_BYTES: '3MiB' } });
    const server = s;
    const a = bigPush('A', 2000);
    const slow = await rawRequest(server.url, await server.token('a'), a.length);
    slow.socket.write(a.subarray(0, 10_000));
    await sleep(RESERVED_BODY_PACE.graceMs + 300); // behind: 10 kB in over a second
    const b = await server.sync('b', { clientId: 'B', cursor: 0, messages: Array.from({ length: 2000 }, (_, i) => msg('B', `b${i}`, 'x'.repeat(1000))) });
    expect(b.status).toBe(200);
    slow.socket.write(a.subarray(10_000));
    await until(() => slow.text().includes('\r\n\r\n{'), 'no answer to the slow push');
    expect(slow.text()).toMatch(/^HTTP\/1\.1 200 /);
    slow.socket.destroy();
    expect(await server.pullAll('a')).toHaveLength(2000);
    expect(await server.pullAll('b')).toHaveLength(2000);
  });

  it('many large pushes at once: each is stored once or refused with 429, never a network error, and the refused ones are not read', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_BYTES: '4MiB' } });
    const server = s;
    const sockets = watchConnections(server);
    const bodies = Array.from({ length: 12 }, (_, i) => bigPush(`P${i}`, 1500));
    const outcomes = await Promise.all(bodies.map(async (body, i) => {
      try {
        const res = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token(`p${i}`)}` }, body });
        await res.arrayBuffer();
        return res.status;
      } catch (err) {
        return String((err as Error).cause ?? err);
      }
    }));
    expect(outcomes.every((o) => o === 200 || o === 429), String(outcomes)).toBe(true);
    // The pushes' connections, before the pulls below open any: fetch's pool sends the next
    // request on its first client that is free, and when that client's push was refused (its
    // connection closed), it opens a new connection, kept alive after the pulls. Counting that
    // one failed the fresh CI run of round 58 ("not closed"), by the pushes' arrival order.
    const pushConnections = [...sockets];
    const stored = outcomes.filter((o) => o === 200).length;
    expect(stored).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === 429).length).toBeGreaterThan(0);
    for (let i = 0; i < bodies.length; i++) expect(await server.pullAll(`p${i}`)).toHaveLength(outcomes[i] === 200 ? 1500 : 0);
    const open = () => pushConnections.filter((c) => !c.destroyed && c.bytesRead <= MiB).map((c) => `${c.bytesRead} B read`);
    await until(() => open().length === 0, 'the refused connections were not closed', REFUSAL_LINGER_MS + 5000).catch((err: Error) => {
      throw new Error(`${err.message} (still open: ${open().join(', ')})`);
    });
    // What was read: the stored bodies, and little of the others.
    const read = pushConnections.reduce((sum, c) => sum + c.bytesRead, 0);
    expect(read).toBeLessThan((stored + 2) * (bodies[0] as Buffer).length);
  });
});
