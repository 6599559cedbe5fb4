/**
 * Route paths with percent-encoded unreserved characters. RFC 3986 §6.2.2.2 makes
 * `/v1/%73ync` the same URI as `/v1/sync`, and the router routes it there; but the 405 check
 * read the raw path, so a wrong method there got 404 where `/v1/sync` gets 405 with `Allow`.
 * Now every check that names a path reads it as the router does (`routePathOf`,
 * request-context.ts). Escapes of other characters (`%2F`) are not decoded: no route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, socketExchange } from './helpers/raw-http.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

/** One request line sent as it is (Node's client drops a `#` and what follows): the answer's status line and head. */
async function head(url: string, requestLine: string): Promise<string> {
  const { text } = await socketExchange(url, `${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`);
  return text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase();
}

describe('percent-encoded unreserved characters in a route path', () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer();
    token = await s.token('esc');
  });
  afterAll(() => s.stop());

  it.each([
    ['/v1/%73ync', 'GET', 'POST'],
    ['/v1/sync', 'GET', 'POST'],
    ['/%76%31/sync', 'PUT', 'POST'],
    ['/v1/%65vents', 'POST', 'GET'],
    ['/%68ealthz', 'POST', 'GET, HEAD'],
    ['/health%7A', 'DELETE', 'GET, HEAD'],
  ])('%s with %s: 405 with Allow %s, as the path it encodes', async (path, method, allow) => {
    const r = await rawRequest(s.url, { method, path });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe(allow);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('a `#` ends the path for the 405 as for the router (which routed `/v1/sync#x` to the sync route)', async () => {
    const h = await head(s.url, 'GET /v1/%73ync#x HTTP/1.1');
    expect(h).toMatch(/^http\/1\.1 405 /);
    expect(h).toContain('\r\nallow: post');
  });

  it('routes a push to /v1/%73ync as to /v1/sync, and stores it', async () => {
    const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'escaped-path', 1)] });
    const r = await rawRequest(s.url, {
      method: 'POST', path: '/v1/%73ync',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      chunks: [body],
    });
    expect(r.status).toBe(200);
    expect((await s.pullAll('esc')).map((m) => m.row)).toContain('escaped-path');
  });

  it('advertises the route\'s codings on a refusal at /v1/%73ync, as at /v1/sync', async () => {
    const r = await rawRequest(s.url, {
      method: 'POST', path: '/v1/%73ync', headers: { 'transfer-encoding': 'gzip, chunked', 'content-type': 'application/json' }, chunks: ['{}'],
    });
    expect(r.status).toBe(501);
    expect(r.headers['accept-encoding']).toBeDefined();
  });

  it('refuses an expectation other than 100-continue at /v1/%73ync with the route\'s codings, as at /v1/sync', async () => {
    for (const path of ['/v1/%73ync', '/v1/sync']) {
      const r = await rawRequest(s.url, { method: 'POST', path, headers: { expect: 'something-else', 'content-type': 'application/json', 'content-length': 2 }, chunks: ['{}'] });
      expect([path, r.status, r.headers['accept-encoding'] !== undefined]).toEqual([path, 417, true]);
    }
  });

  it.each([
    ['/v1%2Fsync', 'POST'], // a `/` escaped is data, not a separator
    ['/v1%2fsync', 'GET'],
    ['/v1/%53ync', 'GET'], // `S`: paths are case-sensitive
    ['/v1/sync%20', 'GET'],
  ])('%s with %s: 404, no route', async (path, method) => {
    const r = await rawRequest(s.url, { method, path, headers: { 'content-length': 0 } });
    expect(r.status).toBe(404);
    expect(r.headers.allow).toBeUndefined();
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('a CORS preflight at a route path with percent-encoded unreserved characters', () => {
  const origin = 'https://app.example';
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { FIELDSYNC_CORS_ORIGINS: origin } });
  });
  afterAll(() => s.stop());

  it.each([
    ['/v1/%73ync', 'POST'],
    ['/%76%31/%65vents', 'GET'],
  ])('%s: answered 204 with Allow-Methods %s, as the path it encodes', async (path, methods) => {
    const r = await rawRequest(s.url, { method: 'OPTIONS', path, headers: { origin, 'access-control-request-method': methods, 'content-length': 0 } });
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect(r.headers['access-control-allow-methods']).toBe(methods);
  });

  it('/v1%2Fsync: no route, so no preflight answer (404)', async () => {
    const r = await rawRequest(s.url, { method: 'OPTIONS', path: '/v1%2Fsync', headers: { origin, 'access-control-request-method': 'POST', 'content-length': 0 } });
    expect(r.status).toBe(404);
    expect(r.headers['access-control-allow-methods']).toBeUndefined();
  });
});
