/**
 * The HTTP version of a request line. Node's parser refuses most versions itself (400, its
 * body written by client-error.ts), but lets `HTTP/2.0` and `HTTP/0.9` through as if they were
 * HTTP/1: a `GET /healthz HTTP/2.0` was answered 200 and a push so sent was stored. HTTP/2 is
 * not spoken by framing it as HTTP/1 (RFC 9113 §3), and HTTP/0.9 has no headers: such a
 * request is no request this server serves. Now: 400 with the protocol's error body, before
 * anything reads the body, the connection closed. 1.0 and 1.1 are served as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswer as parse, socketExchange as exchange } from './helpers/raw-http.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

describe('HTTP versions', () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer();
    token = await s.token('ver');
  });
  afterAll(() => s.stop());

  function push(row: string, version: string, headers = ''): string {
    const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', row, 1)] });
    return `POST /v1/sync HTTP/${version}\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${headers}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }
  const rows = async (): Promise<string[]> => (await s.pullAll('ver')).map((m) => m.row);

  it.each(['2.0', '0.9'])('a push over HTTP/%s: 400 with the protocol error body, nothing stored, the connection closed', async (version) => {
    const row = `r-${version}`;
    const { text, closed } = await exchange(s.url, push(row, version));
    const answer = parse(text);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'invalid_request', message: 'the HTTP version is not supported; use HTTP/1.1' } });
    expect(answer.head).toContain('\r\naccept-encoding:'); // as every answer of the sync route
    expect(closed).toBe(true);
    expect(await rows()).not.toContain(row);
  });

  it.each(['2.0', '0.9'])('a GET /healthz over HTTP/%s: 400, not 200', async (version) => {
    const { text, closed } = await exchange(s.url, `GET /healthz HTTP/${version}\r\nHost: x\r\n\r\n`);
    expect(parse(text).status).toBe(400);
    expect(closed).toBe(true);
  });

  it.each(['1.2', '3.0', '9.9'])('HTTP/%s: refused by Node\'s parser, 400 with the protocol error body', async (version) => {
    const { text, closed } = await exchange(s.url, `GET /healthz HTTP/${version}\r\nHost: x\r\n\r\n`);
    const answer = parse(text);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_request' } });
    expect(closed).toBe(true);
  });

  it('the HTTP/2 preface sent as HTTP/1 (PRI * HTTP/2.0): 400, the connection closed', async () => {
    const { text, closed } = await exchange(s.url, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expect(parse(text).status).toBe(400);
    expect(closed).toBe(true);
  });

  it.each(['1.1', '1.0'])('a push over HTTP/%s is stored, as before', async (version) => {
    const row = `r-${version}`;
    const { text } = await exchange(s.url, push(row, version, 'Connection: close\r\n'));
    expect(parse(text).status).toBe(200);
    expect(await rows()).toContain(row);
  });
});
