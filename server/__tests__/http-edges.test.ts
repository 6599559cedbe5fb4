/**
 * Requests at the edges of HTTP and UTF-8, each answered with a protocol error body
 * (docs/protocol.md §7) and storing nothing: bytes that are not UTF-8 (they were decoded to
 * U+FFFD, which made two row ids one), a path that is not valid percent-encoding (Fastify's own
 * body named its error code and echoed the URL), no `Host` header and headers over the limit
 * (Node's empty 400). And the bound on one address's connections holds for sockets that never
 * send a request: those past twice the bound are closed as they open.
 */
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { addressKey } from '../connection-limits.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One raw HTTP/1.1 exchange: `head` and `body` as given, the whole answer once the server closes or `done` holds. */
async function exchange(url: string, bytes: Buffer | string, done: (text: string) => boolean = () => false): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      if (done(text)) resolve();
    });
    socket.once('close', () => resolve());
    socket.once('error', reject);
    socket.write(bytes);
  });
  socket.destroy();
  return text;
}

/**
 * Opens `n` sockets that send nothing, one after another (the server counts each before the
 * next opens), and gives, 300 ms after the last, which of them the server closed.
 */
async function openIdle(port: number, host: string, n: number): Promise<{ opened: Socket[]; closedEarly: boolean[] }> {
  const opened: Socket[] = [];
  const closedEarly: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const c = connect(port, host);
    c.on('error', () => {});
    await new Promise<void>((r) => c.once('connect', () => r()));
    closedEarly[i] = false;
    c.once('close', () => (closedEarly[i] = true));
    opened.push(c);
    await sleep(20);
  }
  await sleep(300);
  return { opened, closedEarly };
}

const answered = (text: string): boolean => /\r\n\r\n\{.*\}$/s.test(text);

/** The status and the parsed body of an answer with a Content-Length. */
function parse(text: string): { status: number; body: unknown; head: string } {
  const at = text.indexOf('\r\n\r\n');
  return { status: Number(text.slice(9, 12)), head: text.slice(0, at), body: JSON.parse(text.slice(at + 4)) };
}

describe('HTTP edges', () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer();
    token = await s.token('edge');
  });
  afterAll(() => s.stop());

  /** A push of one message whose row is `row`, as raw bytes, padded to `size` bytes. */
  function push(row: Buffer, value: number, size = 0): Buffer {
    const hlc = formatHlc({ millis: Date.now() - 1000 + value, counter: 0, clientId: 'A' });
    const body = Buffer.concat([
      Buffer.from(`{"clientId":"A","cursor":0,"messages":[{"hlc":"${hlc}","table":"t","row":"`),
      row,
      Buffer.from(`","column":"c","value":${value}}]}`),
    ]);
    const padded = Buffer.concat([body, Buffer.alloc(Math.max(0, size - body.length), ' ')]);
    return Buffer.concat([
      Buffer.from(`POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${padded.length}\r\n\r\n`),
      padded,
    ]);
  }

  it.each([
    ['a byte that never starts a character (FF)', [0x61, 0xff]],
    ['another (FE)', [0x61, 0xfe]],
    ['a surrogate encoded in UTF-8 (CESU-8)', [0x61, 0xed, 0xa0, 0x80]],
    ['an overlong encoding', [0x61, 0xc0, 0xaf]],
    ['a truncated character', [0x61, 0xe2, 0x82]],
  ])('refuses a body that is not UTF-8 (%s), small or large: nothing is stored', async (_name, bytes) => {
    for (const size of [0, 200 * 1024]) {
      const r = parse(await exchange(s.url, push(Buffer.from(bytes), 1, size), answered));
      expect(r.status, `${size}`).toBe(400);
      expect(r.body).toEqual({ error: { code: 'invalid_request', message: 'the body is not valid UTF-8' } });
    }
    expect(await s.pullAll('edge')).toEqual([]);
  });

  it('keeps two rows apart that differ in characters beyond ASCII', async () => {
    for (const [row, value] of [['aé', 1], ['a€', 2], ['a😀', 3]] as const) {
      expect(parse(await exchange(s.url, push(Buffer.from(row), value), answered)).status).toBe(200);
    }
    expect((await s.pullAll('edge')).map((m) => [m.row, m.value])).toEqual([['aé', 1], ['a€', 2], ['a😀', 3]]);
  });

  it.each(['/v1/sync%', '/%', '/v1/%zz', '/healthz%ff'])('answers a path that is not valid percent-encoding (%s) with a protocol error', async (path) => {
    const r = parse(await exchange(s.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'invalid_request', message: 'the URL is malformed' } });
    expect(r.head).toMatch(/cache-control: no-store/i);
  });

  it('answers a request with no Host header with a protocol error (HTTP/1.0 needs none)', async () => {
    const r = parse(await exchange(s.url, 'GET /healthz HTTP/1.1\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'invalid_request', message: 'the request has no Host header' } });
    expect(parse(await exchange(s.url, 'GET /healthz HTTP/1.0\r\n\r\n')).body).toEqual({ ok: true });
  });

  it('refuses a request with two Host headers (RFC 9112 §3.2; Node kept the first, a proxy may route by the other): 400, nothing stored', async () => {
    const body = push(Buffer.from('two-hosts'), 1).toString('latin1').replace('Host: x\r\n', 'Host: x\r\nHost: y\r\n');
    const r = parse(await exchange(s.url, body, answered));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'invalid_request', message: 'the request has more than one Host header' } });
    expect(r.head).toMatch(/connection: close/i);
    const rows = (await s.pullAll('edge')).map((m) => m.row);
    expect(rows).not.toContain('two-hosts');
    expect(parse(await exchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).body).toEqual({ ok: true });
  });

  it('refuses a body with two Content-Type headers (Node kept the first; a proxy may have judged the other): 415, nothing stored', async () => {
    const body = push(Buffer.from('two-types'), 2).toString('latin1').replace('Content-Type: application/json\r\n', 'Content-Type: application/json\r\nContent-Type: text/plain\r\n');
    const r = parse(await exchange(s.url, body, answered));
    expect(r.status).toBe(415);
    expect(r.body).toEqual({ error: { code: 'unsupported_media_type', message: 'the request has more than one Content-Type header' } });
    expect((await s.pullAll('edge')).map((m) => m.row)).not.toContain('two-types');
  });

  it('answers headers over the limit (a token grown too large) with 431 and says so', async () => {
    const r = parse(await exchange(s.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(r.status).toBe(431);
    expect(r.body).toEqual({ error: { code: 'invalid_request', message: "the request headers are over the server's limit of 16 KiB" } });
    // Its path could not be read: it may have been a sync request, whose every answer names the codings.
    expect(r.head).toMatch(/\r\naccept-encoding: gzip, deflate\r\n/i);
  });
});

describe('the connection bound of an address', () => {
  let s: TestServer | undefined;
  afterAll(() => s?.stop());

  it('answers requests on as many again past the bound with 429, and closes any more as they open', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '4' } });
    const server = s;
    const { hostname, port } = new URL(server.url);
    const { opened, closedEarly } = await openIdle(Number(port), hostname, 10);
    // 4 served, 4 more held to be answered, the last 2 closed though they sent nothing.
    expect(closedEarly).toEqual([false, false, false, false, false, false, false, false, true, true]);
    // A request on one past the bound: 429, with the sync route's own headers, and the connection closes.
    const over = opened[5] as Socket;
    let text = '';
    over.on('data', (d: Buffer) => (text += d.toString()));
    over.write(`POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
    await new Promise<void>((r) => over.once('close', () => r()));
    const r = parse(text);
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ error: { code: 'rate_limited', message: 'too many connections from this address' } });
    expect(r.head).toMatch(/\r\naccept-encoding: gzip, deflate\r\n/i);
    expect(r.head).toMatch(/\r\nconnection: close\r\n/i);
    for (const c of opened) c.destroy();
    // Served again once they are gone.
    for (let t0 = Date.now(); ; await sleep(20)) {
      if ((await fetch(`${server.url}/healthz`)).status === 200) break;
      if (Date.now() - t0 > 3000) throw new Error('not served again');
    }
  });
});

describe('the connection bound of the server', () => {
  let s: TestServer | undefined;
  afterAll(() => s?.stop());

  it('closes connections past the bound in all as they open, whatever the bound per address, and serves again once some close', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_CONNECTIONS: '3', FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '100' } });
    const server = s;
    const { hostname, port } = new URL(server.url);
    const { opened, closedEarly } = await openIdle(Number(port), hostname, 5);
    expect(closedEarly).toEqual([false, false, false, true, true]);
    // The three it holds are served.
    const first = opened[0] as Socket;
    let text = '';
    first.on('data', (d: Buffer) => (text += d.toString()));
    first.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let t0 = Date.now(); !text.includes('\r\n\r\n'); await sleep(10)) if (Date.now() - t0 > 3000) throw new Error('not answered');
    expect(text.slice(9, 12)).toBe('200');
    for (const c of opened) c.destroy();
    // Until the server has seen them close, a new connection is still closed as it opens.
    const healthy = (): Promise<boolean> => fetch(`${server.url}/healthz`).then((r) => r.status === 200, () => false);
    for (let t0 = Date.now(); !(await healthy()); await sleep(20)) if (Date.now() - t0 > 3000) throw new Error('not served again');
  });
});

/** Whether this machine has IPv6 loopback (a container may have none). */
const hasIpv6 = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

describe('the connection bound of an IPv6 address', () => {
  let s: TestServer | undefined;
  afterAll(() => s?.stop());

  it.skipIf(!hasIpv6)('counts an IPv6 client under its /64, as it opens and as it asks (skipped: no IPv6 loopback here)', async () => {
    s = await startTestServer({ env: { HOST: '::1', FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
    const { port } = new URL(s.url);
    const { opened, closedEarly } = await openIdle(Number(port), '::1', 5);
    expect(closedEarly).toEqual([false, false, false, false, true]);
    const over = opened[2] as Socket;
    let text = '';
    over.on('data', (d: Buffer) => (text += d.toString()));
    over.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((r) => over.once('close', () => r()));
    expect(text.slice(9, 12)).toBe('429');
    for (const c of opened) c.destroy();
  });
});

describe('what an address is counted under', () => {
  it('is an IPv4 address as it is, and an IPv6 address by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    // Every address of one /64 is one key, however it is written; the next /64 is another.
    const one = ['2001:db8:0:1::1', '2001:db8:0:1:ffff:ffff:ffff:ffff', '2001:0db8:0000:0001:0:0:0:2', '2001:DB8:0:1::abcd%eth0'];
    expect(new Set(one.map(addressKey))).toEqual(new Set(['2001:db8:0:1::/64']));
    expect(addressKey('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});
