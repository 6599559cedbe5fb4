/**
 * Refusals made before a body is read (no token, no such path, a wrong method, media type or
 * coding, a chunked push shed) read nothing of a large or chunked body: Node would read it to
 * its end, with no bound, to keep the connection (a client with no token made the server read
 * 1 GiB per request). A small body is passed over and the connection kept. A client that
 * waits for `100 Continue` gets it only once the request passed those checks.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE_BODY_BYTES, REFUSAL_LINGER_MS } from '../limits.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';
import { until } from '../../test-support/until.ts';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Conversation {
  readonly socket: Socket;
  text(): string;
  readonly closed: Promise<void>;
}

async function open(url: string): Promise<Conversation> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {}); // a reset shows as a missing answer below
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, text: () => text, closed };
}

/**
 * Writes up to `total` bytes as fast as the connection takes them, the answer notwithstanding
 * (a server that reads a refused body to its end takes them all), and stops once the
 * connection has taken nothing for 300 ms.
 */
async function pump(c: Conversation, total: number, chunked: boolean): Promise<number> {
  const piece = Buffer.alloc(256 * 1024, ' ');
  const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
  let sent = 0;
  let stalledSince = 0;
  while (sent < total && c.socket.writable) {
    if (c.socket.writableNeedDrain) {
      if (stalledSince === 0) stalledSince = Date.now();
      else if (Date.now() - stalledSince > 300) break;
      await sleep(10);
      continue;
    }
    stalledSince = 0;
    sent += piece.length;
    c.socket.write(framed);
  }
  return sent;
}

describe('refusals before the body', () => {
  let s: TestServer;
  let token: string;
  const serverSockets: Socket[] = [];
  beforeAll(async () => {
    s = await startTestServer();
    token = await s.token('u');
    s.server.app.fastify.server.on('connection', (socket: Socket) => serverSockets.push(socket));
  });
  afterAll(() => s.stop());

  const cases: [name: string, head: (length: string) => string, status: number, code: string][] = [
    ['no token', (l) => `POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${l}\r\n`, 401, 'unauthorized'],
    ['a bad token', (l) => `POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\nContent-Type: application/json\r\n${l}\r\n`, 401, 'unauthorized'],
    ['no such path', (l) => `POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${l}\r\n`, 404, 'not_found'],
    ['the wrong method', (l) => `PUT /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${l}\r\n`, 405, 'method_not_allowed'],
    ['the wrong media type', (l) => `POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer TOKEN\r\nContent-Type: text/plain\r\n${l}\r\n`, 415, 'unsupported_media_type'],
    ['an unknown coding', (l) => `POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer TOKEN\r\nContent-Type: application/json\r\nContent-Encoding: br\r\n${l}\r\n`, 415, 'unsupported_media_type'],
  ];

  for (const chunked of [false, true]) {
    it.each(cases)(`${chunked ? 'a chunked body' : 'a declared 256 MiB'}, %s: answered, and the body is not read`, async (_name, head, status, code) => {
      const before = serverSockets.length;
      const c = await open(s.url);
      c.socket.write(head(chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${256 * MiB}\r\n`).replace('TOKEN', token));
      const sent = await pump(c, 64 * MiB, chunked);
      await until(() => c.text().includes('"error"'), 'no answer', REFUSAL_LINGER_MS + 3000);
      expect(c.text()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} [^\\r]*\\r\\n.*connection: close\\r\\n.*"code":"${code}"`, 'is'));
      // The server stopped reading at once: what it read is what its buffers took, not the body.
      const mine = serverSockets.slice(before);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.bytesRead, `sent ${sent}`).toBeLessThan(8 * MiB);
      c.socket.destroy();
    });
  }

  // Round 51: no route reads the body of a GET or HEAD, and Node read a large or chunked one
  // to its end after the answer (the 200 of /healthz, its 400 for a bad challenge, an event
  // stream's 400): no token, no limit.
  const gets: [name: string, head: (length: string) => string][] = [
    ['GET /healthz', (l) => `GET /healthz HTTP/1.1\r\nHost: x\r\n${l}\r\n`],
    ['GET /healthz with a bad challenge', (l) => `GET /healthz?challenge=bad HTTP/1.1\r\nHost: x\r\n${l}\r\n`],
    ['an event stream with a bad clientId', (l) => `GET /v1/events?clientId=no! HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer TOKEN\r\n${l}\r\n`],
    ['an event stream', (l) => `GET /v1/events?clientId=abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer TOKEN\r\n${l}\r\n`],
  ];
  for (const chunked of [false, true]) {
    it.each(gets)(`${chunked ? 'a chunked body' : 'a declared 256 MiB'} on %s: refused with 400, and the body is not read (round 51)`, async (_name, head) => {
      const before = serverSockets.length;
      const c = await open(s.url);
      c.socket.write(head(chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${256 * MiB}\r\n`).replace('TOKEN', token));
      const sent = await pump(c, 64 * MiB, chunked);
      await until(() => c.text().includes('"error"'), 'no answer', REFUSAL_LINGER_MS + 3000);
      expect(c.text()).toMatch(/^HTTP\/1\.1 400 [^\r]*\r\n.*connection: close\r\n.*"code":"invalid_request","message":"a GET request must not have a large or chunked body"/is);
      const mine = serverSockets.slice(before);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.bytesRead, `sent ${sent}`).toBeLessThan(8 * MiB);
      c.socket.destroy();
    });
  }

  it('a HEAD /healthz with a chunked body: refused with 400, its head alone, and the body is not read (round 51)', async () => {
    const before = serverSockets.length;
    const c = await open(s.url);
    c.socket.write('HEAD /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const sent = await pump(c, 64 * MiB, true);
    await until(() => c.text().includes('\r\n\r\n'), 'no answer', REFUSAL_LINGER_MS + 3000);
    await sleep(100);
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 [^\r]*\r\n.*connection: close\r\n/is);
    expect(c.text()).toMatch(/\r\n\r\n$/); // no body after the head
    expect(serverSockets.slice(before)[0]?.bytesRead, `sent ${sent}`).toBeLessThan(8 * MiB);
    c.socket.destroy();
  });

  it('passes over a small body and keeps the connection: the next request on it is served', async () => {
    const c = await open(s.url);
    const small = JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'v')] });
    c.socket.write(`POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${small.length}\r\n\r\n${small}`);
    await until(() => c.text().includes('"unauthorized"'), 'no 401');
    expect(c.text()).not.toMatch(/connection: close/i);
    c.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    await until(() => c.text().includes('{"ok":true}'), 'the connection was not kept');
    c.socket.destroy();
    expect(await s.pullAll('u')).toEqual([]);
  });

  it('a request without a body is refused and its connection kept: the next request on it is served', async () => {
    const c = await open(s.url);
    c.socket.write('GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => c.text().includes('"not_found"'), 'no 404');
    expect(c.text()).not.toMatch(/connection: close/i);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => c.text().includes('{"ok":true}'), 'the connection was not kept');
    c.socket.destroy();
  });

  it('a declared length of LARGE_BODY_BYTES is large: not read, the connection closed; one byte less is passed over', async () => {
    const head = (length: number) => `POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const large = await open(s.url);
    large.socket.write(head(LARGE_BODY_BYTES));
    await until(() => large.text().includes('"unauthorized"'), 'no 401');
    expect(large.text()).toMatch(/connection: close/i);
    large.socket.destroy();

    const small = await open(s.url);
    small.socket.write(head(LARGE_BODY_BYTES - 1) + ' '.repeat(LARGE_BODY_BYTES - 1));
    await until(() => small.text().includes('"unauthorized"'), 'no 401');
    expect(small.text()).not.toMatch(/connection: close/i);
    small.socket.destroy();
  });

  it('sends 100 Continue only to a request that passed the checks made without its body', async () => {
    const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'cont', 'v')] });
    const head = (auth: string) => `POST /v1/sync HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`;

    const refused = await open(s.url);
    refused.socket.write(head(''));
    await until(() => refused.text().includes('"error"'), 'no answer');
    expect(refused.text()).toMatch(/^HTTP\/1\.1 401 /); // not "100 Continue" first
    refused.socket.destroy();

    const accepted = await open(s.url);
    accepted.socket.write(head(`Authorization: Bearer ${token}\r\n`));
    await until(() => accepted.text().includes('\r\n\r\n'), 'no 100 Continue');
    expect(accepted.text()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    accepted.socket.write(body);
    await until(() => accepted.text().includes('"accepted"'), 'no answer to the body');
    expect(accepted.text()).toMatch(/HTTP\/1\.1 200 /);
    accepted.socket.destroy();
    expect((await s.pullAll('u')).map((m) => m.row)).toEqual(['cont']);
  });

  it('a body declared over the limit, waiting for 100 Continue, gets the 413 instead, unread (round 51)', async () => {
    // It got `100 Continue` and then the 413: the client sent 5 MB for nothing.
    const c = await open(s.url);
    c.socket.write(`POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n`);
    await until(() => c.text().includes('"error"'), 'no answer');
    expect(c.text()).toMatch(/^HTTP\/1\.1 413 [^\r]*\r\n.*connection: close\r\n.*"code":"payload_too_large"/is);
    expect(c.text()).not.toMatch(/100 Continue/i);
    c.socket.destroy();
  });

  it.each(['100-continue, foo', 'foo, 100-continue', '100-Continue;x'])('Expect: %s gets 417 at once, not 100 Continue nor a wait for the body (round 51)', async (expectation) => {
    // Node routes these to checkContinue (the word is there); the route met none: 408 after 10 s.
    const c = await open(s.url);
    c.socket.write(`POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: ${expectation}\r\n\r\n`);
    await until(() => c.text().includes('"error"'), 'no answer', 2000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 417 [^\r]*\r\n.*"message":"only the expectation 100-continue is supported"/s);
    expect(c.text()).not.toMatch(/100 Continue/i);
    await c.closed;
  });

  it('answers an expectation it cannot meet with 417 and a protocol error body', async () => {
    const c = await open(s.url);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n');
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 417 .*\r\n\r\n\{"error":\{"code":"invalid_request","message":"only the expectation 100-continue is supported"\}\}$/s);
  });

  it('names the request codings on a 417 of the sync route, as on its every answer', async () => {
    const c = await open(s.url);
    c.socket.write('POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: something-else\r\n\r\n{}');
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 417 .*\r\nAccept-Encoding: gzip, deflate\r\n/s);
  });
});
