/**
 * `Transfer-Encoding` other than `chunked` alone (transfer-coding.ts). Node frames a body by a
 * final `chunked` and leaves the codings before it to the application, which read the bytes
 * under `gzip, chunked` as plain JSON and stored them (a proxy that decodes the gzip sees
 * another body). Now: 501 with the protocol's error body, nothing stored, connection closed.
 * And HTTP/1.0 with `Transfer-Encoding`, whose framing RFC 9112 §6.1 says is faulty: 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswer as parse, socketExchange as exchange } from './helpers/raw-http.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

describe('Transfer-Encoding', () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer();
    token = await s.token('te');
  });
  afterAll(() => s.stop());

  /** A push of one message for row `row`, chunked, with `headers` (the Transfer-Encoding among them). */
  function push(row: string, headers: string, version = '1.1'): string {
    const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', row, 1)] });
    return `POST /v1/sync HTTP/${version}\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${headers}\r\n` +
      `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  }
  const rows = async (): Promise<string[]> => (await s.pullAll('te')).map((m) => m.row);

  it.each([
    ['gzip, chunked', 'Transfer-Encoding: gzip, chunked\r\n'],
    ['gzip and chunked in two headers', 'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n'],
    ['identity, chunked', 'Transfer-Encoding: identity, chunked\r\n'],
    ['deflate , CHUNKED', 'Transfer-Encoding: deflate , CHUNKED\r\n'],
  ])('%s: 501 with the protocol error body, nothing stored, the connection closed', async (name, headers) => {
    const row = `r-${name}`;
    const { text, closed } = await exchange(s.url, push(row, headers));
    const answer = parse(text);
    expect(answer.status).toBe(501);
    expect(answer.body).toEqual({ error: { code: 'invalid_request', message: expect.stringContaining('Transfer-Encoding') } });
    expect(answer.head).toContain('connection: close');
    expect(closed).toBe(true);
    expect(await rows()).not.toContain(row);
  });

  it('an HTTP/1.0 request with Transfer-Encoding: 400, nothing stored, the connection closed', async () => {
    const { text, closed } = await exchange(s.url, push('r-1.0', 'Transfer-Encoding: chunked\r\n', '1.0'));
    const answer = parse(text);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'invalid_request', message: expect.stringContaining('HTTP/1.0') } });
    expect(closed).toBe(true);
    expect(await rows()).not.toContain('r-1.0');
  });

  it('a GET with gzip, chunked is refused so too, on every path', async () => {
    const { text } = await exchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n');
    expect(parse(text).status).toBe(501);
  });

  it('chunked alone, in any case, is still read', async () => {
    for (const [row, headers] of [['r-chunked', 'Transfer-Encoding: chunked\r\n'], ['r-Chunked', 'Transfer-Encoding:  Chunked \r\n']] as const) {
      const { text } = await exchange(s.url, `${push(row, headers)}GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(parse(text.slice(0, text.indexOf('HTTP/1.1', 5))).status).toBe(200);
      expect(await rows()).toContain(row);
    }
  });
});
