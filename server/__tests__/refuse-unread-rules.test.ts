/**
 * refuse-unread.ts alone (round 66, from its first mutation run): the refusal's text, and what
 * `refuseUnread` does with the connection, on a bare node:http server over loopback whose
 * handler refuses each request at once, and a raw socket as the client. The server's own
 * suites (`unread-refusal.test.ts`, `lingering-refusals.test.ts`) show the same through the
 * sync route, at seconds per case. Asserted by the bytes the client reads, whether and how the
 * connection ends, what the server read and what it handed to `linger`; never by time.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { refusalText, refuseUnread, type UnreadRefusal } from '../refuse-unread.ts';
import { until } from '../../test-support/until.ts';

const DATE = new Date(Date.UTC(2026, 11, 7, 17, 0, 0));
const TOO_MANY: UnreadRefusal = { status: 429, headers: { 'retry-after': '2' }, body: '{"error":{"code":"rate_limited","message":"busy"}}' };

describe('refusalText', () => {
  it('is the whole answer as HTTP/1.1 text: status line, headers given, then its own four, a blank line and the body', () => {
    expect(refusalText(TOO_MANY, DATE)).toBe([
      'HTTP/1.1 429 Too Many Requests',
      'retry-after: 2',
      'Content-Type: application/json; charset=utf-8',
      'Content-Length: 50',
      'Date: Mon, 07 Dec 2026 17:00:00 GMT',
      'Connection: close',
      '',
      TOO_MANY.body,
    ].join('\r\n'));
  });

  it('to a HEAD request, the head alone, its Content-Length the body\'s', () => {
    const text = refusalText(TOO_MANY, DATE, true);
    expect(text.endsWith('Connection: close\r\n\r\n')).toBe(true);
    expect(text).toContain('\r\nContent-Length: 50\r\n');
    expect(text).not.toContain('rate_limited');
  });

  it('counts Content-Length in bytes, not characters', () => {
    const body = '{"error":{"message":"é — 😀"}}'; // 30 characters (the emoji two), 35 bytes
    expect(refusalText({ status: 400, headers: {}, body }, DATE)).toContain('\r\nContent-Length: 35\r\n');
  });

  it('gives a status without a reason phrase of its own the phrase Error', () => {
    expect(refusalText({ status: 599, headers: {}, body: '{}' }, DATE).split('\r\n')[0]).toBe('HTTP/1.1 599 Error');
    expect(refusalText({ status: 415, headers: {}, body: '{}' }, DATE).split('\r\n')[0]).toBe('HTTP/1.1 415 Unsupported Media Type');
  });

  it('leaves out a header whose name or value holds a line break, and keeps the others in order', () => {
    const headers = { 'x-a': '1', 'x-cr': 'a\rb', 'x-b': '2', 'x-lf\n': 'c', 'x-c': 'd\ne', 'x-d': '3' };
    const lines = refusalText({ status: 400, headers, body: '{}' }, DATE).split('\r\n');
    expect(lines.slice(1, 4)).toEqual(['x-a: 1', 'x-b: 2', 'x-d: 3']);
    expect(lines[4]).toBe('Content-Type: application/json; charset=utf-8');
  });
});

/** What the client side of one connection saw. */
interface Client {
  readonly socket: Socket;
  text(): string;
  /** The server ended its side (FIN). */
  ended(): boolean;
  /** The connection closed, and with which error if any (a reset is ECONNRESET). */
  closed(): { error: string | undefined } | undefined;
}

async function client(port: number, head: string): Promise<Client> {
  // Half-open, as a client still sending its body: our FIN does not end its side.
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('error', reject));
  let text = '';
  let ended = false;
  let error: string | undefined;
  let closed: { error: string | undefined } | undefined;
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('end', () => (ended = true));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  socket.on('close', () => (closed = { error }));
  socket.write(head);
  return { socket, text: () => text, ended: () => ended, closed: () => closed };
}

describe('refuseUnread', () => {
  let server: Server | undefined;
  const clients: Socket[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  /**
   * A server that refuses each request with TOO_MANY, reading nothing; `before` runs first
   * (and may wait), `lingered` holds the sockets handed to `linger`, which closes none.
   */
  async function refusing(before: (req: IncomingMessage) => Promise<void> | void = () => {}): Promise<{ port: number; lingered: Socket[]; served: Socket[] }> {
    const lingered: Socket[] = [];
    const served: Socket[] = [];
    server = createServer((req) => {
      served.push(req.socket);
      void Promise.resolve(before(req)).then(() => refuseUnread(req, TOO_MANY, (s) => lingered.push(s)));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { port: address.port, lingered, served };
  }

  async function connectTo(port: number, head: string): Promise<Client> {
    const c = await client(port, head);
    clients.push(c.socket);
    return c;
  }

  const answered = (c: Client) => (): boolean => c.text().includes('\r\n\r\n') && c.text().endsWith(TOO_MANY.body);

  it('answers a request whose body has not arrived, hands the connection to linger, and closes nothing itself', async () => {
    const s = await refusing();
    const c = await connectTo(s.port, 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3900000\r\n\r\n');
    await until(answered(c), 'no answer');
    expect(c.text()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\nretry-after: 2\r\n.*\r\nConnection: close\r\n\r\n/s);
    await until(() => s.lingered.length === 1, 'not handed to linger');
    expect(s.lingered).toEqual(s.served); // the very socket of the request
    // Our side is ended after the answer (FIN, no reset); the socket stays for linger to close.
    await until(() => c.ended(), 'our side not ended');
    expect(c.closed()).toBeUndefined();
    expect(s.served[0]?.destroyed).toBe(false);
  });

  it('reads nothing more of the body once it has answered', async () => {
    const s = await refusing();
    const head = 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 3900000\r\n\r\n';
    const c = await connectTo(s.port, head);
    await until(answered(c), 'no answer');
    const readThen = s.served[0]?.bytesRead;
    expect(readThen).toBe(head.length);
    // 256 KiB more of the body: the kernel takes them, the server reads none.
    const more = Buffer.alloc(256 * 1024, 'x');
    let written = false;
    c.socket.write(more, () => (written = true));
    await until(() => written, 'the client could not write');
    // The server's socket is paused: what it read stays what it had read. A round trip on the
    // loop (a second connection answered) lets a reading socket take its share first.
    const probe = await connectTo(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(answered(probe), 'no answer to the probe');
    expect(s.served[0]?.bytesRead).toBe(readThen);
  });

  it('answers a request whose body arrived whole (nothing unread) and closes the connection itself, without linger', async () => {
    const s = await refusing(async (req) => {
      await until(() => req.complete, 'the body did not arrive');
    });
    const c = await connectTo(s.port, 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    // Closed by the server: its socket destroyed, though the client (half-open) never ends its side.
    await until(() => s.served[0]?.destroyed === true, 'the connection was not closed');
    await until(() => c.ended(), 'our side not ended');
    expect(c.text().endsWith(TOO_MANY.body)).toBe(true);
    expect(c.closed()).toBeUndefined(); // no reset reached the client
    expect(s.lingered).toEqual([]);
  });

  it('answers a HEAD request with the head alone', async () => {
    const s = await refusing();
    const c = await connectTo(s.port, 'HEAD /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 3900000\r\n\r\n');
    await until(() => c.ended(), 'our side not ended');
    expect(c.text()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(c.text().endsWith('Connection: close\r\n\r\n')).toBe(true);
    expect(c.text()).toContain(`\r\nContent-Length: ${TOO_MANY.body.length}\r\n`);
  });

  it('writes nothing on a connection that can no longer be written, and destroys it rather than linger', async () => {
    let ours: Socket | undefined;
    const s = await refusing((req) => {
      ours = req.socket;
      req.socket.end(); // our side already ended: no answer can go
    });
    const c = await connectTo(s.port, 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 3900000\r\n\r\n');
    await until(() => ours?.destroyed === true, 'the socket was not destroyed');
    expect(s.lingered).toEqual([]);
    await until(() => c.ended(), 'our side not ended');
    expect(c.text()).toBe('');
  });
});
