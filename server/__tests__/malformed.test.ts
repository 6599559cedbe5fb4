/**
 * Malformed requests: each gets its documented status and code (docs/protocol.md §7), stores
 * nothing, leaks nothing of the server's internals, and the server keeps serving.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { msg, signToken, startTestServer, unsignedToken, type TestServer } from './helpers/test-server.ts';
import { rawRequest, type RawRequest, type RawResponse } from './helpers/raw-http.ts';

const USER = 'victim';
const BODY_LIMIT = 1024 * 1024;

interface Row {
  readonly name: string;
  /** The request; `auth` adds a valid token for the victim. */
  readonly request: (ctx: { token: string }) => Promise<RawRequest> | RawRequest;
  readonly status: number;
  readonly code: string;
  readonly index?: number;
  readonly check?: (r: RawResponse, body: { error: Record<string, unknown> }) => void;
}

const json = (body: unknown, token: string, extra: Record<string, string> = {}): RawRequest => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST',
    path: '/v1/sync',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), authorization: `Bearer ${token}`, ...extra },
    chunks: [text],
  };
};
const good = (n = 0) => msg('A', `r${n}`, `valid ${n}`);
const withMessage = (patch: Record<string, unknown>, token: string, at = 0) => {
  const messages: unknown[] = [good(1), good(2), good(3)];
  messages[at] = { ...good(at + 10), ...patch };
  return json({ clientId: 'A', cursor: 0, messages }, token);
};
const without = (key: string) => {
  const m: Record<string, unknown> = { ...good(7) };
  delete m[key];
  return m;
};
const malformedUrl = (_r: RawResponse, body: { error: Record<string, unknown> }) => expect(body.error.message).toBe('the URL is malformed');
const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

const ROWS: Row[] = [
  { name: 'a body that is not JSON', request: ({ token }) => json('{"clientId": "A", "cursor": 0,', token), status: 400, code: 'invalid_request' },
  { name: 'an empty JSON body', request: ({ token }) => json('', token), status: 400, code: 'invalid_request' },
  { name: 'a JSON array body', request: ({ token }) => json([1, 2], token), status: 400, code: 'invalid_request' },
  { name: 'a JSON string body', request: ({ token }) => json('"hello"', token), status: 400, code: 'invalid_request' },
  { name: 'no body at all', request: ({ token }) => ({ method: 'POST', path: '/v1/sync', headers: { authorization: `Bearer ${token}` } }), status: 400, code: 'invalid_request' },
  { name: 'a text/plain body', request: ({ token }) => json({ clientId: 'A', cursor: 0 }, token, { 'content-type': 'text/plain' }), status: 415, code: 'unsupported_media_type' },
  { name: 'a form body', request: ({ token }) => json('clientId=A&cursor=0', token, { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'unsupported_media_type' },
  {
    name: 'a body without Content-Type',
    request: ({ token }) => ({ method: 'POST', path: '/v1/sync', headers: { authorization: `Bearer ${token}`, 'content-length': 26 }, chunks: ['{"clientId":"A","cursor":0}'.slice(0, 26)] }),
    status: 415, code: 'unsupported_media_type',
  },
  { name: 'JSON in another charset', request: ({ token }) => json({ clientId: 'A', cursor: 0 }, token, { 'content-type': 'application/json; charset=iso-8859-1' }), status: 415, code: 'unsupported_media_type' },
  { name: 'a missing clientId', request: ({ token }) => json({ cursor: 0, messages: [good()] }, token), status: 400, code: 'invalid_request' },
  { name: 'a clientId with bad characters', request: ({ token }) => json({ clientId: 'bad id!', cursor: 0 }, token), status: 400, code: 'invalid_request' },
  { name: 'a clientId of 65 characters', request: ({ token }) => json({ clientId: 'a'.repeat(65), cursor: 0 }, token), status: 400, code: 'invalid_request' },
  { name: 'a numeric clientId', request: ({ token }) => json({ clientId: 42, cursor: 0 }, token), status: 400, code: 'invalid_request' },
  { name: 'a missing cursor', request: ({ token }) => json({ clientId: 'A', messages: [good()] }, token), status: 400, code: 'invalid_request' },
  { name: 'a negative cursor', request: ({ token }) => json({ clientId: 'A', cursor: -1, messages: [good()] }, token), status: 400, code: 'invalid_request' },
  { name: 'a fractional cursor', request: ({ token }) => json({ clientId: 'A', cursor: 1.5, messages: [good()] }, token), status: 400, code: 'invalid_request' },
  { name: 'a string cursor', request: ({ token }) => json({ clientId: 'A', cursor: '0', messages: [good()] }, token), status: 400, code: 'invalid_request' },
  { name: 'a cursor beyond 2^53', request: ({ token }) => json('{"clientId":"A","cursor":1e300}', token), status: 400, code: 'invalid_request' },
  { name: 'limit 0', request: ({ token }) => json({ clientId: 'A', cursor: 0, limit: 0, messages: [good()] }, token), status: 400, code: 'invalid_request' },
  { name: 'limit 5001', request: ({ token }) => json({ clientId: 'A', cursor: 0, limit: 5001, messages: [good()] }, token), status: 400, code: 'invalid_request' },
  { name: 'a fractional limit', request: ({ token }) => json({ clientId: 'A', cursor: 0, limit: 10.5 }, token), status: 400, code: 'invalid_request' },
  { name: 'messages that are not an array', request: ({ token }) => json({ clientId: 'A', cursor: 0, messages: { 0: good() } }, token), status: 400, code: 'invalid_request' },
  { name: 'messages: null', request: ({ token }) => json({ clientId: 'A', cursor: 0, messages: null }, token), status: 400, code: 'invalid_request' },
  {
    name: '5001 messages',
    request: ({ token }) => json({ clientId: 'A', cursor: 0, messages: Array.from({ length: 5001 }, (_, i) => msg('A', `m${i}`, i, i)) }, token),
    status: 400, code: 'invalid_request',
  },
  { name: 'a message that is not an object', request: ({ token }) => json({ clientId: 'A', cursor: 0, messages: [good(1), 'nope', good(3)] }, token), status: 400, code: 'invalid_message', index: 1 },
  { name: 'a malformed hlc', request: ({ token }) => withMessage({ hlc: '2026-11-24 15:09:39-0000-A' }, token, 2), status: 400, code: 'invalid_message', index: 2 },
  { name: 'an hlc on an impossible date', request: ({ token }) => withMessage({ hlc: '2026-02-30T10:00:00.000Z-0000-A' }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'an hlc of another clientId', request: ({ token }) => withMessage({ hlc: formatHlc({ millis: Date.now(), counter: 0, clientId: 'B' }) }, token, 1), status: 400, code: 'invalid_message', index: 1 },
  { name: 'a bad table name', request: ({ token }) => withMessage({ table: '1table; DROP' }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'a table name of 64 characters', request: ({ token }) => withMessage({ table: 't'.repeat(64) }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'an empty row', request: ({ token }) => withMessage({ row: '' }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'a row of 129 characters', request: ({ token }) => withMessage({ row: 'r'.repeat(129) }, token, 1), status: 400, code: 'invalid_message', index: 1 },
  { name: 'a row with U+0000', request: ({ token }) => withMessage({ row: 'a\u0000b' }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'a row with a lone surrogate', request: ({ token }) => withMessage({ row: 'a\ud800b' }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'a numeric row', request: ({ token }) => withMessage({ row: 12 }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'a bad column name', request: ({ token }) => withMessage({ column: 'title-2' }, token, 2), status: 400, code: 'invalid_message', index: 2 },
  { name: 'a value over 64 KiB', request: ({ token }) => withMessage({ value: 'x'.repeat(64 * 1024) }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'a value over 64 KiB in UTF-8 bytes only', request: ({ token }) => withMessage({ value: 'é'.repeat(33_000) }, token), status: 400, code: 'invalid_message', index: 0 },
  { name: 'a value nested 50 000 deep', request: ({ token }) => json(`{"clientId":"A","cursor":0,"messages":[{"hlc":"${good().hlc}","table":"t","row":"r","column":"c","value":${deep(50_000)}}]}`, token), status: 400, code: 'invalid_message', index: 0 },
  // Round 62: over the request's 65,536 arrays and objects (MAX_REQUEST_CONTAINERS), refused before it is parsed (was 400 invalid_message).
  { name: 'a value nested 100 000 deep', request: ({ token }) => json(`{"clientId":"A","cursor":0,"messages":[{"hlc":"${good().hlc}","table":"t","row":"r","column":"c","value":${deep(100_000)}}]}`, token), status: 413, code: 'payload_too_large' },
  { name: 'a missing value', request: ({ token }) => json({ clientId: 'A', cursor: 0, messages: [good(1), without('value')] }, token), status: 400, code: 'invalid_message', index: 1 },
  {
    name: 'an hlc far ahead of the server clock',
    request: ({ token }) => withMessage({ hlc: formatHlc({ millis: Date.now() + 3_600_000, counter: 0, clientId: 'A' }) }, token, 1),
    status: 400, code: 'clock_drift', index: 1,
    check: (_r, body) => expect(Math.abs(Date.parse(body.error.serverTime as string) - Date.now())).toBeLessThan(10_000),
  },
  {
    name: 'a declared Content-Length over the limit (answered without reading the body)',
    request: ({ token }) => ({
      method: 'POST', path: '/v1/sync', leaveOpen: true,
      headers: { 'content-type': 'application/json', 'content-length': 50 * 1024 * 1024, authorization: `Bearer ${token}` },
      chunks: ['{"clientId":"A","cursor":0,"messages":['],
    }),
    status: 413, code: 'payload_too_large',
  },
  {
    name: 'a chunked body that grows over the limit',
    request: ({ token }) => ({
      method: 'POST', path: '/v1/sync', leaveOpen: true,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      chunks: ['{"clientId":"A","cursor":0,"pad":"', ...Array.from({ length: 4 }, () => 'x'.repeat(BODY_LIMIT / 2))],
    }),
    status: 413, code: 'payload_too_large',
  },
  { name: 'GET /v1/sync', request: () => ({ method: 'GET', path: '/v1/sync' }), status: 405, code: 'method_not_allowed', check: (r) => expect(r.headers.allow).toBe('POST') },
  { name: 'PUT /v1/sync with a body', request: ({ token }) => ({ ...json({ clientId: 'A', cursor: 0, messages: [good()] }, token), method: 'PUT' }), status: 405, code: 'method_not_allowed', check: (r) => expect(r.headers.allow).toBe('POST') },
  { name: 'POST /v1/events', request: ({ token }) => ({ ...json({}, token), path: '/v1/events?clientId=A' }), status: 405, code: 'method_not_allowed', check: (r) => expect(r.headers.allow).toBe('GET') },
  { name: 'DELETE /healthz', request: () => ({ method: 'DELETE', path: '/healthz' }), status: 405, code: 'method_not_allowed' },
  { name: 'an unknown path', request: ({ token }) => ({ ...json({ clientId: 'A', cursor: 0 }, token), path: '/v1/nope' }), status: 404, code: 'not_found' },
  { name: 'the sync path with a trailing slash', request: ({ token }) => ({ ...json({ clientId: 'A', cursor: 0, messages: [good()] }, token), path: '/v1/sync/' }), status: 404, code: 'not_found' },
  { name: 'an unknown path with a huge declared body', request: () => ({ method: 'POST', path: '/v2/sync', leaveOpen: true, headers: { 'content-type': 'application/json', 'content-length': 50 * 1024 * 1024 }, chunks: ['{'] }), status: 404, code: 'not_found' },
  {
    name: 'no token',
    request: ({ token }) => {
      const r = json({ clientId: 'A', cursor: 0, messages: [good()] }, token);
      const { authorization: _a, ...headers } = r.headers as Record<string, string>;
      return { ...r, headers };
    },
    status: 401, code: 'unauthorized',
  },
  { name: 'an expired token', request: async () => json({ clientId: 'A', cursor: 0, messages: [good()] }, await signToken({ sub: USER }, { expiresIn: -60 })), status: 401, code: 'unauthorized' },
  { name: 'a token signed with another secret', request: async () => json({ clientId: 'A', cursor: 0, messages: [good()] }, await signToken({ sub: USER }, { secret: 'x'.repeat(40) })), status: 401, code: 'unauthorized' },
  { name: 'an alg=none token', request: () => json({ clientId: 'A', cursor: 0, messages: [good()] }, unsignedToken({ sub: USER, exp: 9_999_999_999 })), status: 401, code: 'unauthorized' },
  {
    name: 'no token and a huge declared body (401 before reading)',
    request: () => ({ method: 'POST', path: '/v1/sync', leaveOpen: true, headers: { 'content-type': 'application/json', 'content-length': 50 * 1024 * 1024 }, chunks: ['{'] }),
    status: 401, code: 'unauthorized',
  },
  { name: 'an event stream with a bad clientId', request: ({ token }) => ({ method: 'GET', path: '/v1/events?clientId=no%20spaces', headers: { authorization: `Bearer ${token}` } }), status: 400, code: 'invalid_request' },
  { name: 'an event stream without clientId', request: ({ token }) => ({ method: 'GET', path: '/v1/events', headers: { authorization: `Bearer ${token}` } }), status: 400, code: 'invalid_request' },
  { name: 'a malformed URL', request: ({ token }) => ({ method: 'GET', path: '/v1/events?clientId=%E0%A4%A', headers: { authorization: `Bearer ${token}` } }), status: 400, code: 'invalid_request' },
  // Round 51: a query that is not valid percent-encoding was taken as it was (200, a stream), where a bad path got 400.
  {
    name: 'a push whose query is not valid percent-encoding (round 51)',
    request: ({ token }) => ({ ...json({ clientId: 'A', cursor: 0, messages: [good()] }, token), path: '/v1/sync?x=%E0%A4%A' }),
    status: 400, code: 'invalid_request', check: malformedUrl,
  },
  { name: '/healthz with a query that is not valid percent-encoding (round 51)', request: () => ({ method: 'GET', path: '/healthz?x=%zz' }), status: 400, code: 'invalid_request', check: malformedUrl },
  {
    name: 'an event stream with a good clientId and a query that is not valid percent-encoding (round 51)',
    request: ({ token }) => ({ method: 'GET', path: '/v1/events?clientId=abc&x=%E0%A4%A', headers: { authorization: `Bearer ${token}` } }),
    status: 400, code: 'invalid_request', check: malformedUrl,
  },
];

describe('malformed requests', () => {
  let s: TestServer;
  let token: string;
  let before: number;
  beforeAll(async () => {
    s = await startTestServer({ env: { FIELDSYNC_BODY_LIMIT: String(BODY_LIMIT) } });
    token = await s.token(USER);
    expect((await s.sync(USER, { clientId: 'Z', cursor: 0, messages: [msg('Z', 'existing', 'kept')] })).status).toBe(200);
    before = (await s.pullAll(USER)).length;
  });
  afterAll(() => s.stop());

  it('has at least 20 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(20);
  });

  for (const row of ROWS) {
    it(`${row.name}: ${row.status} ${row.code}${row.index !== undefined ? ` at index ${row.index}` : ''}`, async () => {
      const r = await rawRequest(s.url, await row.request({ token }));
      expect(r.status).toBe(row.status);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(r.text) as { error: Record<string, unknown> };
      expect(body.error.code).toBe(row.code);
      expect(typeof body.error.message).toBe('string');
      expect(body.error.index).toBe(row.index);
      expect(Object.keys(body)).toEqual(['error']);
      expect(r.text).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|Error:/);
      if (row.status === 401) expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      row.check?.(r, body);
      // Nothing stored, and the server still serves.
      expect((await s.pullAll(USER)).length).toBe(before);
      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(200);
    });
  }

  it('a request that is not HTTP: 400 invalid_request, and the server keeps serving', async () => {
    const { port } = new URL(s.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE / NOT-HTTP\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8').on('data', (d: string) => { text += d; });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // Its id, in the answer and in its log line, as any request's: a client's report can be found.
    const id = /\r\nX-Request-Id: ([^\r]+)\r\n/.exec(answer)?.[1];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(s.logs.filter((l) => l.reqId === id)).toEqual([
      expect.objectContaining({ msg: 'request', status: 400, ip: '127.0.0.1', reason: expect.stringMatching(/^HPE_/) }),
    ]);
  });

  it('logs no 500s and no message values for any of them', () => {
    expect(s.logs.filter((l) => l.status === 500 || l.msg === 'internal error')).toEqual([]);
    expect(s.logText()).not.toContain('valid 1');
  });
});
