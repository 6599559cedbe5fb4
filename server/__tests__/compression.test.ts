/**
 * HTTP compression on the server (docs/protocol.md §5, "Compression"), over real HTTP on
 * loopback with raw requests (node:http never decompresses, so the bytes on the wire are seen
 * as they are): answers negotiated by Accept-Encoding, compressed request bodies, the
 * advertisement on every sync answer, and the refusals: an unknown coding (415), a corrupt
 * body (400), a body that inflates past the limit (413, without inflating it all).
 */
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawResponse } from './helpers/raw-http.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const LIMIT = 1024 * 1024;
let t: TestServer;
let token: string;

beforeAll(async () => {
  t = await startTestServer({ env: { FIELDSYNC_BODY_LIMIT: String(LIMIT), FIELDSYNC_BODY_TIMEOUT: '1s' } });
  token = await t.token('zip');
  // 300 messages of another client: a pull answer of about 40 KB.
  const messages = Array.from({ length: 300 }, (_, i) => msg('seed', `row-${i}`, `Write the quarterly report, draft ${i}`));
  const seeded = await t.sync('zip', { clientId: 'seed', cursor: 0, messages });
  expect(seeded.status).toBe(200);
});
afterAll(() => t.stop());

const sync = (body: Buffer | string, headers: Record<string, string> = {}): Promise<RawResponse> => rawRequest(t.url, {
  method: 'POST',
  path: '/v1/sync',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body), ...headers },
  chunks: [body],
});
/** The same, returning the raw bytes of the answer. */
async function syncBytes(body: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/v1/sync`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const pull = JSON.stringify({ clientId: 'reader', cursor: 0, limit: 1000 });
const pushBody = (clientId: string, n: number, from = 0): string => JSON.stringify({
  clientId, cursor: 0, limit: 1, messages: Array.from({ length: n }, (_, i) => msg(clientId, `${clientId}-${from + i}`, `value ${from + i} of a compressed push`)),
});

describe('answers', () => {
  it('are gzip when the client accepts gzip, and the same JSON as a plain answer', async () => {
    const plain = await syncBytes(pull, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await syncBytes(pull, { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    const a = JSON.parse(gunzipSync(zipped.bytes).toString('utf8')) as { messages: unknown[]; serverTime: string };
    const b = JSON.parse(plain.bytes.toString('utf8')) as { messages: unknown[]; serverTime: string };
    expect(a.messages).toHaveLength(300);
    expect(a.messages).toEqual(b.messages);
    expect(zipped.bytes.length).toBeLessThan(plain.bytes.length / 5);
  });

  it('follow the client\'s weights: deflate when preferred, plain when gzip and deflate are refused', async () => {
    const d = await syncBytes(pull, { 'accept-encoding': 'gzip;q=0.5, deflate' });
    expect(d.headers['content-encoding']).toBe('deflate');
    expect((JSON.parse(inflateSync(d.bytes).toString('utf8')) as { messages: unknown[] }).messages).toHaveLength(300);
    for (const header of ['identity', 'gzip;q=0, deflate;q=0', 'br', '*;q=0']) {
      const r = await syncBytes(pull, { 'accept-encoding': header });
      expect(r.headers['content-encoding'], header).toBeUndefined();
      expect(JSON.parse(r.bytes.toString('utf8'))).toHaveProperty('messages');
    }
    const star = await syncBytes(pull, { 'accept-encoding': '*' });
    expect(star.headers['content-encoding']).toBe('gzip');
  });

  it('stay plain when small', async () => {
    const r = await syncBytes(JSON.stringify({ clientId: 'reader', cursor: 1_000_000 }), { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
  });

  it('advertise the request codings on every sync answer, errors included', async () => {
    const ok = await sync(pull);
    const bad = await sync('{"clientId": 5}');
    const unauthorized = await rawRequest(t.url, { method: 'POST', path: '/v1/sync', headers: { 'content-type': 'application/json' }, chunks: [pull] });
    for (const r of [ok, bad, unauthorized]) expect(r.headers['accept-encoding']).toBe('gzip, deflate');
    expect([ok.status, bad.status, unauthorized.status]).toEqual([200, 400, 401]);
  });
});

describe('request bodies', () => {
  it('gzip and deflate bodies are stored like plain ones', async () => {
    const g = await sync(gzipSync(pushBody('gz', 200)), { 'content-encoding': 'gzip' });
    const d = await sync(deflateSync(pushBody('df', 200)), { 'content-encoding': 'Deflate' });
    const x = await sync(gzipSync(pushBody('xg', 3)), { 'content-encoding': 'x-gzip' });
    expect([g.status, d.status, x.status], g.text + d.text + x.text).toEqual([200, 200, 200]);
    expect(JSON.parse(g.text)).toMatchObject({ accepted: 200 });
    const all = await t.pullAll('zip');
    for (const clientId of ['gz', 'df', 'xg']) expect(all.filter((m) => m.hlc.endsWith(`-${clientId}`)).length).toBe(clientId === 'xg' ? 3 : 200);
  });

  it('a large gzip body (inflating past the parse workers\' threshold) is stored', async () => {
    const body = pushBody('big', 2000); // ~250 KB of JSON, ~20 KB compressed
    const r = await sync(gzipSync(body), { 'content-encoding': 'gzip' });
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ accepted: 2000 });
  });

  it('an unknown or stacked coding gets 415 with the codings the server takes, and nothing is stored', async () => {
    const before = (await t.pullAll('zip')).length;
    for (const coding of ['br', 'gzip, gzip', 'compress', 'zstd']) {
      const r = await sync(gzipSync(pushBody('nope', 2)), { 'content-encoding': coding });
      expect(r.status, coding).toBe(415);
      expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'unsupported_media_type' } });
      expect(r.headers['accept-encoding']).toBe('gzip, deflate');
    }
    expect((await t.pullAll('zip')).length).toBe(before);
  });

  it('a corrupt or truncated gzip body gets a clear 400, and nothing is stored', async () => {
    const before = (await t.pullAll('zip')).length;
    const good = gzipSync(pushBody('bad', 50));
    const flipped = Buffer.from(good);
    flipped[40] = (flipped[40] as number) ^ 0xff;
    const cases = [Buffer.from(pushBody('bad', 50)), flipped, good.subarray(0, good.length - 20), Buffer.from('not gzip at all')];
    for (const body of cases) {
      const r = await sync(body, { 'content-encoding': 'gzip' });
      expect(r.status).toBe(400);
      const e = (JSON.parse(r.text) as { error: { code: string; message: string } }).error;
      expect(e.code).toBe('invalid_request');
      expect(e.message).toMatch(/not valid gzip/);
    }
    expect((await t.pullAll('zip')).length).toBe(before);
  });

  it('bytes after the end of the compressed data get a clear 400, and nothing is stored (round 55: they were dropped, the push stored)', async () => {
    const before = (await t.pullAll('zip')).length;
    const cases: [string, Buffer][] = [
      ['deflate', Buffer.concat([deflateSync(pushBody('tail', 3)), Buffer.from(',"more":1}')])],
      ['deflate', Buffer.concat([deflateSync(pushBody('tail', 3)), deflateSync(pushBody('tail', 3, 3))])],
      ['gzip', Buffer.concat([gzipSync(pushBody('tail', 3)), Buffer.alloc(16)])],
    ];
    for (const [coding, body] of cases) {
      const r = await sync(body, { 'content-encoding': coding });
      expect(r.status, r.text).toBe(400);
      const e = (JSON.parse(r.text) as { error: { code: string; message: string } }).error;
      expect(e).toEqual({ code: 'invalid_request', message: `the request body is not valid ${coding} data (bytes after the end of the compressed data)` });
    }
    expect((await t.pullAll('zip')).length).toBe(before);
    // Gzip members one after another are one gzip body (RFC 1952): they are taken whole.
    const half = JSON.stringify({ clientId: 'members', cursor: 0, messages: [msg('members', 'm-1', 'one')] });
    const r = await sync(Buffer.concat([gzipSync(half.slice(0, 20)), gzipSync(half.slice(20))]), { 'content-encoding': 'gzip' });
    expect([r.status, JSON.parse(r.text)]).toEqual([200, expect.objectContaining({ accepted: 1 })]);
  });

  it('a small body that inflates past the limit gets the readable 413 without being inflated whole', async () => {
    // Gzip members of 64 MiB of spaces each (about 64 KB compressed), as many as fit under the
    // limit: over 512 MiB inflated. The server must stop at the limit instead of inflating it all.
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    const count = Math.floor((LIMIT - 64) / member.length);
    const bomb = Buffer.concat([gzipSync('{"clientId":"bomb","cursor":0,"messages":['), ...Array.from({ length: count }, () => member)]);
    expect(bomb.length).toBeLessThan(LIMIT);
    expect(count * 64).toBeGreaterThanOrEqual(512); // at least 512 MiB once inflated
    const rssBefore = process.memoryUsage().rss;
    const r = await sync(bomb, { 'content-encoding': 'gzip' });
    const grew = process.memoryUsage().rss - rssBefore;
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(JSON.parse(r.text).error.message).toMatch(/once decompressed/);
    expect(grew).toBeLessThan(128 * 1024 * 1024);
    // Still serving.
    expect((await sync(pull)).status).toBe(200);
  });

  it('a compressed body that stalls still gets 408', async () => {
    const body = gzipSync(pushBody('slow', 100));
    const r = await rawRequest(t.url, {
      method: 'POST',
      path: '/v1/sync',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': body.length, 'content-encoding': 'gzip' },
      chunks: [body.subarray(0, 100)],
      leaveOpen: true,
    });
    expect(r.status).toBe(408);
  });
});
