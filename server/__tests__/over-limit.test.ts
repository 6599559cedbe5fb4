/**
 * Issue 13 item 6, the server's side: a body over the limit is answered with a 413 the
 * client can read, never a connection reset, also on a kept-alive connection that the
 * client goes on using. (The client's side, halving its batch, is tested with the sync core.)
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const LIMIT = 1024 * 1024;

/** A kept-alive HTTP/1.1 connection that reads answers one at a time (by Content-Length). */
interface Answer {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

async function keptAlive(url: string): Promise<{ send(head: string, body: Buffer): Promise<Answer>; answer(): Promise<Answer>; socket: Socket }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  let buffer = Buffer.alloc(0);
  let waiter: (() => void) | null = null;
  let failure: Error | null = null;
  socket.on('data', (d: Buffer) => {
    buffer = Buffer.concat([buffer, d]);
    waiter?.();
  });
  socket.on('error', (err) => {
    failure = err;
    waiter?.();
  });
  socket.on('close', () => {
    failure ??= new Error('the server closed the connection');
    waiter?.();
  });
  const answer = async (): Promise<Answer> => {
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end !== -1) {
        const headers = buffer.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
        if (buffer.length >= end + 4 + length) {
          const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
          buffer = buffer.subarray(end + 4 + length);
          return { status: Number(headers.slice(9, 12)), headers, body };
        }
      }
      if (failure) throw failure;
      await new Promise<void>((r) => (waiter = r));
      waiter = null;
    }
  };
  return {
    socket,
    answer,
    async send(head, body) {
      // Written as a client does: all of it, without waiting to see whether it is refused.
      socket.write(`${head}Content-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
      return answer();
    },
  };
}

describe('bodies over the limit', () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer({ env: { FIELDSYNC_BODY_LIMIT: String(LIMIT) } });
    token = await s.token('alice');
  });
  afterAll(() => s.stop());

  const head = (): string => `POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n`;
  const small = (): Buffer => Buffer.from(JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'ok', 1)] }));

  it('answers a body over the limit with a readable 413, then serves the next request on the same connection', async () => {
    const conn = await keptAlive(s.url);
    for (let round = 0; round < 10; round++) {
      const refused = await conn.send(head(), Buffer.alloc(LIMIT + 256 * 1024 + round, ' '));
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.body)).toEqual({ error: { code: 'payload_too_large', message: 'the request body is over the server\'s limit' } });
      expect(refused.headers).not.toMatch(/connection: close/i);
      const next = await conn.send(head(), small());
      expect(next.status).toBe(200);
    }
    conn.socket.destroy();
  });

  it('also for a chunked body that passes the limit as it arrives', async () => {
    const conn = await keptAlive(s.url);
    const chunk = Buffer.alloc(256 * 1024, ' ');
    conn.socket.write(`${head()}Transfer-Encoding: chunked\r\n\r\n`);
    for (let i = 0; i < 6; i++) conn.socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    conn.socket.write('0\r\n\r\n');
    expect((await conn.answer()).status).toBe(413);
    expect((await conn.send(head(), small())).status).toBe(200);
    conn.socket.destroy();
  });

  it('fetch (the client\'s transport) always reads the 413, never a reset', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${s.url}/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'big', 'x'.repeat(5 * LIMIT))] }),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    }
    expect((await s.pullAll('alice')).filter((m) => m.row === 'big')).toEqual([]);
  });

  it('takes a body of exactly the limit, declared or chunked, and refuses one byte more', async () => {
    const conn = await keptAlive(s.url);
    const exactly = (n: number): Buffer => {
      const json = small();
      return Buffer.concat([json, Buffer.alloc(n - json.length, ' ')]); // JSON may end in spaces
    };
    expect((await conn.send(head(), exactly(LIMIT))).status).toBe(200);
    expect((await conn.send(head(), exactly(LIMIT + 1))).status).toBe(413);
    const chunked = async (body: Buffer): Promise<number> => {
      conn.socket.write(`${head()}Transfer-Encoding: chunked\r\n\r\n`);
      for (let at = 0; at < body.length; at += 64 * 1024) {
        const chunk = body.subarray(at, at + 64 * 1024);
        conn.socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      }
      conn.socket.write('0\r\n\r\n');
      return (await conn.answer()).status;
    };
    expect(await chunked(exactly(LIMIT))).toBe(200);
    expect(await chunked(exactly(LIMIT + 1))).toBe(413);
    conn.socket.destroy();
  });

  it('drains a refused body only so far: a sender that goes on and on is cut off', async () => {
    const conn = await keptAlive(s.url);
    conn.socket.on('error', () => {});
    const closed = new Promise<void>((r) => conn.socket.once('close', () => r()));
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    conn.socket.write(`${head()}Transfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.concat([Buffer.from(`${(256 * 1024).toString(16)}\r\n`), Buffer.alloc(256 * 1024, ' '), Buffer.from('\r\n')]);
    let sent = 0;
    // At most 128 MiB: the server drains 16 MiB past the limit (app.ts), then closes.
    while (!isClosed && sent < 128 * 1024 * 1024) {
      if (!conn.socket.write(chunk)) await new Promise<void>((r) => { conn.socket.once('drain', r); void closed.then(r); });
      sent += 256 * 1024;
    }
    await closed;
    expect((await conn.answer()).status).toBe(413); // read before the close
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('closes the connection after the 413 when even draining the body would be absurd', async () => {
    const { hostname, port } = new URL(s.url);
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {});
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write(`${head()}Content-Length: ${1024 ** 3}\r\n\r\n{"clientId":`);
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 413 .*connection: close.*payload_too_large/is);
  });
});
