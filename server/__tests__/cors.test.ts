/**
 * CORS over real loopback HTTP (server/cors.ts): the `--cors-origins` setting, preflights,
 * allowed and other origins, and every kind of refusal carrying the headers a page needs to
 * read it (those Fastify sends, those written on the socket, the event stream's head). The
 * browser's side of it is cors-browser.test.ts.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { ALLOWED_HEADERS, EXPOSED_HEADERS, PREFLIGHT_MAX_AGE_S } from '../cors.ts';
import { rawRequest, type RawResponse } from './helpers/raw-http.ts';
import { signToken, startTestServer, type TestServer } from './helpers/test-server.ts';

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const OTHER = 'https://evil.example.net';

const corsOf = (r: { headers: RawResponse['headers'] }) => Object.fromEntries(Object.entries(r.headers).filter(([name]) => name.startsWith('access-control-')));
const varyOf = (r: { headers: RawResponse['headers'] }) => String(r.headers.vary ?? '').split(',').map((s) => s.trim()).filter(Boolean);

const preflight = (url: string, path: string, origin: string, method = 'POST', headers: Record<string, string> = {}) => rawRequest(url, {
  method: 'OPTIONS', path,
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type,content-encoding', ...headers },
});

const post = async (url: string, origin: string | undefined, body: string, headers: Record<string, string | number> = {}) => rawRequest(url, {
  method: 'POST', path: '/v1/sync',
  headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}), ...headers },
  chunks: [body],
});

/** The head of an event stream's answer (the stream itself is dropped). */
function eventsHead(url: string, origin: string, token: string): Promise<{ status: number; headers: RawResponse['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/events?clientId=tab`, { headers: { origin, authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

/** One raw exchange on its own socket: the whole answer, once the server closes. */
function exchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  return new Promise((resolve, reject) => {
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.once('close', () => resolve(text));
    socket.once('error', reject);
    socket.write(bytes);
  });
}

describe('the --cors-origins setting', () => {
  const origins = (value: string) => loadConfig([], { FIELDSYNC_CORS_ORIGINS: value })?.corsOrigins;

  it('is off by default, and takes exact origins, written as browsers send them, or *', () => {
    expect(loadConfig([], {})?.corsOrigins).toBeUndefined();
    expect(loadConfig([], { FIELDSYNC_CORS_ORIGINS: '' })?.corsOrigins).toBeUndefined();
    expect(origins(`${APP},${DEV}`)).toEqual([APP, DEV]);
    expect(origins(' HTTPS://App.Example.com:443 , http://localhost:5173,http://localhost:5173')).toEqual([APP, DEV]);
    expect(origins('http://[::1]:8080')).toEqual(['http://[::1]:8080']);
    expect(origins('capacitor://localhost')).toEqual(['capacitor://localhost']);
    expect(origins('*')).toBe('*');
    expect(loadConfig(['--cors-origins', DEV], { FIELDSYNC_CORS_ORIGINS: '*' })?.corsOrigins).toEqual([DEV]);
  });

  it('refuses what is not an origin with a ConfigError naming the setting', () => {
    const bad: [string, RegExp][] = [
      ['http://localhost:5173/', /^FIELDSYNC_CORS_ORIGINS must list origins as scheme:\/\/host\[:port\], without a path or a trailing slash.*got "http:\/\/localhost:5173\/"/],
      ['https://app.example.com/sync', /without a path/],
      ['app.example.com', /must list origins as/],
      ['https://user@app.example.com', /must list origins as/],
      ['https://app.example.com?x=1', /must list origins as/],
      ['http://localhost:70000', /must list origins as/],
      ['null', /cannot allow the origin "null"/],
      [`${APP},`, /has an empty origin/],
      [`*,${APP}`, /\* allows every origin and stands alone/],
    ];
    for (const [value, message] of bad) {
      expect(() => origins(value), value).toThrow(ConfigError);
      expect(() => origins(value), value).toThrow(message);
    }
    expect(() => loadConfig(['--cors-origins', 'x'], {})).toThrow(/^--cors-origins must list origins/);
  });
});

describe('without --cors-origins (the default)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends no CORS header, and answers OPTIONS as any method it does not take', async () => {
    const token = await t.token('alice');
    const r = await post(t.url, APP, '{"clientId":"tab","cursor":0}', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    expect(corsOf(r)).toEqual({});
    expect(varyOf(r)).not.toContain('Origin');
    const p = await preflight(t.url, '/v1/sync', APP);
    expect(p.status).toBe(405);
    expect(corsOf(p)).toEqual({});
  });
});

describe('with a list of origins', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await startTestServer({ env: { FIELDSYNC_CORS_ORIGINS: `${APP},${DEV}`, FIELDSYNC_BODY_LIMIT: '2KiB', FIELDSYNC_MAX_STREAMS_PER_USER: '1' } });
    token = await t.token('alice');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers a preflight from an allowed origin, without a token, with what the library sends', async () => {
    const sync = await preflight(t.url, '/v1/sync', DEV);
    expect(sync.status).toBe(204);
    expect(sync.text).toBe('');
    expect(corsOf(sync)).toEqual({
      'access-control-allow-origin': DEV,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_S),
      'access-control-expose-headers': EXPOSED_HEADERS, // as on every answer to the origin; unused on a preflight
    });
    expect(ALLOWED_HEADERS.split(', ')).toEqual(expect.arrayContaining(['Authorization', 'Content-Type', 'Content-Encoding']));
    expect(varyOf(sync)).toContain('Origin');
    const events = await preflight(t.url, '/v1/events?clientId=tab', APP, 'GET');
    expect(events.status).toBe(204);
    expect(corsOf(events)).toMatchObject({ 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET' });
    // A preflight is not a user's request: the log line has no user, and no token was asked for.
    expect(t.logs.some((l) => l.method === 'OPTIONS' && l.status === 204 && l.user === undefined)).toBe(true);
  });

  it('answers a preflight from another origin, for an unknown path, or with a body, as any OPTIONS', async () => {
    for (const origin of [OTHER, 'https://app.example.com.evil.net', 'https://APP.example.com', 'https://app.example.com:8443', 'null']) {
      const r = await preflight(t.url, '/v1/sync', origin);
      expect(r.status, origin).toBe(405);
      expect(corsOf(r), origin).toEqual({});
      expect(varyOf(r)).toContain('Origin');
    }
    const unknown = await preflight(t.url, '/v1/nope', APP);
    expect(unknown.status).toBe(404);
    expect(corsOf(unknown)).toMatchObject({ 'access-control-allow-origin': APP }); // a page may read the 404
    expect(corsOf(unknown)['access-control-allow-methods']).toBeUndefined();
    // Not a browser's preflight (they send no body): refused, and the large body left unread.
    const withBody = await preflight(t.url, '/v1/sync', APP, 'POST', { 'content-length': String(1024 * 1024) });
    expect(withBody.status).toBe(405);
    expect(withBody.headers.connection).toBe('close');
    // An OPTIONS that is no preflight (no Access-Control-Request-Method).
    const plain = await rawRequest(t.url, { method: 'OPTIONS', path: '/v1/sync', headers: { origin: APP } });
    expect(plain.status).toBe(405);
  });

  it('lets an allowed origin read answers and the headers the library needs; no credentials', async () => {
    const r = await post(t.url, APP, '{"clientId":"tab","cursor":0}', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    expect(corsOf(r)).toEqual({ 'access-control-allow-origin': APP, 'access-control-expose-headers': EXPOSED_HEADERS });
    expect(EXPOSED_HEADERS.split(', ')).toEqual(expect.arrayContaining(['Retry-After', 'Date', 'Accept-Encoding', 'WWW-Authenticate']));
    // Both: the answer depends on the origin and on the accepted codings.
    expect(varyOf(r)).toEqual(expect.arrayContaining(['Origin', 'Accept-Encoding']));
    expect(r.headers['accept-encoding']).toMatch(/gzip/);
  });

  it('sends another origin no CORS header, and otherwise serves it as before', async () => {
    for (const origin of [OTHER, undefined]) {
      const r = await post(t.url, origin, '{"clientId":"tab","cursor":0}', { authorization: `Bearer ${token}` });
      expect(r.status).toBe(200);
      expect(corsOf(r)).toEqual({});
      expect(varyOf(r)).toEqual(expect.arrayContaining(['Origin', 'Accept-Encoding']));
    }
  });

  it('lets the page read every refusal: auth, limits, bad bodies, unknown paths, raw refusals', async () => {
    const allowed = { 'access-control-allow-origin': DEV, 'access-control-expose-headers': EXPOSED_HEADERS };
    const cases: [string, Promise<RawResponse>, number, string][] = [
      ['no token', post(t.url, DEV, '{}'), 401, 'unauthorized'],
      ['a bad token', post(t.url, DEV, '{}', { authorization: 'Bearer nope' }), 401, 'unauthorized'],
      // Refused before the body, which is large and chunked: written on the socket, unread (refuse-unread.ts).
      ['no token, a large unread body', rawRequest(t.url, { method: 'POST', path: '/v1/sync', headers: { origin: DEV, 'content-type': 'application/json' }, chunks: ['x'.repeat(70_000)], leaveOpen: true }), 401, 'unauthorized'],
      ['a body over the limit', post(t.url, DEV, 'x'.repeat(3000), { authorization: `Bearer ${token}` }), 413, 'payload_too_large'],
      ['invalid JSON', post(t.url, DEV, '{', { authorization: `Bearer ${token}` }), 400, 'invalid_request'],
      ['a wrong media type', post(t.url, DEV, '{}', { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
      ['an unknown coding', post(t.url, DEV, '{}', { authorization: `Bearer ${token}`, 'content-encoding': 'br' }), 415, 'unsupported_media_type'],
      ['a wrong method', rawRequest(t.url, { method: 'GET', path: '/v1/sync', headers: { origin: DEV } }), 405, 'method_not_allowed'],
      ['an unknown path', rawRequest(t.url, { method: 'GET', path: '/v2/sync', headers: { origin: DEV } }), 404, 'not_found'],
    ];
    for (const [what, answer, status, code] of cases) {
      const r = await answer;
      expect(r.status, what).toBe(status);
      expect(JSON.parse(r.text), what).toMatchObject({ error: { code } });
      expect(corsOf(r), what).toEqual(allowed);
      expect(varyOf(r), what).toContain('Origin');
      expect(r.headers.date, what).toBeDefined();
    }
    const noToken = await post(t.url, DEV, '{}');
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('lets the page open an event stream, and read its 429 with Retry-After', async () => {
    const first = await eventsHead(t.url, APP, token);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(corsOf(first)).toEqual({ 'access-control-allow-origin': APP, 'access-control-expose-headers': EXPOSED_HEADERS });
    // One stream per user here: bob's second is refused, and the page can read why.
    const other = await signToken({ sub: 'bob' });
    const held = await new Promise<() => void>((resolve) => {
      const req = request(`${t.url}/v1/events?clientId=a`, { headers: { authorization: `Bearer ${other}` }, agent: false }, (res) => resolve(() => res.destroy()));
      req.end();
    });
    try {
      const second = await eventsHead(t.url, APP, other);
      expect(second.status).toBe(429);
      expect(second.headers['retry-after']).toBe('5');
      expect(corsOf(second)).toMatchObject({ 'access-control-allow-origin': APP });
    } finally {
      held();
    }
  });

  it('lets the page read the answer to an expectation it cannot meet (417), written by hand', async () => {
    const text = await exchange(t.url, `POST /v1/sync HTTP/1.1\r\nHost: x\r\nOrigin: ${APP}\r\nExpect: 200-ok\r\nContent-Length: 0\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 417/);
    expect(text).toContain(`Access-Control-Allow-Origin: ${APP}\r\n`);
    expect(text).toMatch(/\r\nVary: Accept-Encoding, Origin\r\n/);
  });
});

describe('with *', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { FIELDSYNC_CORS_ORIGINS: '*', FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lets every origin call it, with `*`, never with credentials', async () => {
    const p = await preflight(t.url, '/v1/sync', OTHER);
    expect(p.status).toBe(204);
    expect(corsOf(p)).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST' });
    expect(varyOf(p)).not.toContain('Origin'); // the same answer for every origin
    const token = await t.token('carol');
    const ok = await post(t.url, 'null', '{"clientId":"tab","cursor":0}', { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(corsOf(ok)).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS });
    const refused = await post(t.url, OTHER, '{}');
    expect(refused.status).toBe(401);
    expect(corsOf(refused)).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS });
    const health = await rawRequest(t.url, { method: 'GET', path: '/healthz', headers: { origin: OTHER } });
    expect(corsOf(health)).toMatchObject({ 'access-control-allow-origin': '*' });
  });

  it('answers a request that is not HTTP (headers over the limit) with `*` too', async () => {
    const text = await exchange(t.url, `POST /v1/sync HTTP/1.1\r\nHost: x\r\nOrigin: ${APP}\r\nAuthorization: Bearer ${'x'.repeat(40_000)}\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431/);
    expect(text).toContain('Access-Control-Allow-Origin: *\r\n');
  });

  it('answers preflights only within the bound on one address\'s connections', async () => {
    const { hostname, port } = new URL(t.url);
    const idle = [connect(Number(port), hostname), connect(Number(port), hostname)];
    await Promise.all(idle.map((s) => new Promise((r) => s.once('connect', r))));
    await new Promise((r) => setTimeout(r, 100));
    try {
      const p = await preflight(t.url, '/v1/sync', APP);
      expect(p.status).toBe(429);
      expect(p.headers['retry-after']).toBe('5');
    } finally {
      for (const s of idle) s.destroy();
    }
  });
});
