import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldsyncError, NetworkError, RemoteError, createHttpRemote, pokeStream, type FieldsyncError as FE } from '../index.ts';
import { acceptsGzip } from '../request-compression.ts';
import { until } from './harness/test-kit.ts';
import { closeServers, serve, servers } from './harness/loopback.ts';

afterEach(closeServers);

const ok = { accepted: 0, cursor: 3, more: false, serverTime: '2026-11-24T15:00:00.000Z', messages: [] };
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const fail = (err: unknown) => err as RemoteError;

describe('POST /v1/sync', () => {
  it('sends the request as JSON with the bearer token and parses the answer', async () => {
    const seen: { auth?: string; type?: string; body?: unknown; path?: string } = {};
    const url = await serve((req, res, body) => {
      Object.assign(seen, { auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(body), path: req.url });
      json(res, 200, ok);
    });
    let n = 0;
    const remote = createHttpRemote({ url: `${url}/`, token: () => `tok${++n}` });
    // It asks for columns pages in lines; a server that predates them (this one) answers with messages.
    expect(await remote.sync({ clientId: 'c1', cursor: 0, limit: 10, messages: [] })).toEqual(ok);
    expect(seen).toEqual({ auth: 'Bearer tok1', type: 'application/json', body: { clientId: 'c1', cursor: 0, limit: 10, messages: [], format: 'columns', pages: 8, framing: 'lines' }, path: '/v1/sync' });
    remote.setToken('fresh');
    await remote.sync({ clientId: 'c1', cursor: 0 });
    expect(seen.auth).toBe('Bearer fresh');
  });

  it('reads an answer in lines as the answer they make, and a line that is not JSON as an invalid_response', async () => {
    const page = (ids: number[]) => ({ names: ['todos', 'title'], cells: ids.flatMap((id, i) => [i === 0 ? id : 1, `2026-11-24T15:00:00.00${id}Z-0000-other`, 0, `t${id}`, 1, `title ${id}`]) });
    const head = { accepted: 0, cursor: 2, more: true, serverTime: '2026-11-24T15:00:00.000Z', format: 'columns', page: page([1, 2]) };
    let body = `${JSON.stringify(head)}\n${JSON.stringify({ cursor: 3, more: false, page: page([1]) })}\n`;
    let type = 'application/x-ndjson; charset=utf-8';
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': type });
      res.end(body);
    });
    const remote = createHttpRemote({ url, token: 't' });
    const r = await remote.sync({ clientId: 'c1', cursor: 0 });
    expect([r.cursor, r.more, r.messages.map((m) => m.row), r.next?.map((p) => [p.cursor, p.more, p.messages.map((m) => [m.row, m.value])])])
      .toEqual([2, true, ['t1', 't2'], [[3, false, [['t1', 'title 1']]]]]);
    body = `${JSON.stringify(head)}\n{"cursor":3,\n`;
    expect(await remote.sync({ clientId: 'c1', cursor: 0 }).catch((e: unknown) => e)).toMatchObject({ code: 'invalid_response', message: 'the server answered with invalid JSON' });
    // A proxy that rewrote the Content-Type: the lines are still read as lines.
    type = 'application/json';
    body = `${JSON.stringify(head)}\n${JSON.stringify({ cursor: 3, more: false, page: page([1]) })}\n`;
    expect((await remote.sync({ clientId: 'c1', cursor: 0 })).next?.map((p) => p.cursor)).toEqual([3]);
  });

  it.each(['application/x-ndjson', 'application/json'])('times out an answer (%s) that stalls, even from a fetch that ignored the signal and answered after the timeout', async (type) => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8` });
      res.flushHeaders(); // and not one line after them
    });
    // An app's fetch that does not pass the signal on, and answers only once it has aborted.
    const deaf = async (input: string, init?: RequestInit): Promise<Response> => {
      const { signal, ...rest } = init ?? {};
      const response = await fetch(input, rest);
      if (signal && !signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return response;
    };
    const syncing = createHttpRemote({ url, token: 't', timeoutMs: 100, fetch: deaf }).sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e);
    const hung = new Promise((resolve) => setTimeout(() => resolve('still syncing'), 5000));
    expect(await Promise.race([syncing, hung])).toMatchObject({ code: 'network', message: 'the request was aborted or timed out' });
  });

  it('turns protocol errors into RemoteError with code, index and the server clock', async () => {
    const url = await serve((_req, res) => json(res, 400, { error: { code: 'clock_drift', message: 'ahead', index: 2, serverTime: '2026-11-24T15:00:01.000Z' } }));
    const err = fail(await createHttpRemote({ url, token: 't' }).sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(RemoteError);
    expect([err.status, err.code, err.message, err.index, err.serverTime]).toEqual([400, 'clock_drift', 'ahead', 2, Date.parse('2026-11-24T15:00:01.000Z')]);
    expect(err.transient).toBe(false);
  });

  it('falls back to the Date header for the server clock', async () => {
    const url = await serve((_req, res) => json(res, 400, { error: { code: 'clock_drift', message: 'ahead', index: 0 } }, { Date: 'Tue, 24 Nov 2026 15:00:00 GMT' }));
    const err = fail(await createHttpRemote({ url, token: 't' }).sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e));
    expect(err.serverTime).toBe(Date.UTC(2026, 10, 24, 15, 0, 0));
  });

  it.each([
    ['a proxy HTML page', 502, '<html>Bad gateway</html>', {}, 'internal', undefined],
    ['429 with Retry-After in seconds', 429, { error: { code: 'rate_limited', message: 'busy' } }, { 'Retry-After': '7' }, 'rate_limited', 7000],
    ['401', 401, { error: { code: 'unauthorized', message: 'expired' } }, {}, 'unauthorized', undefined],
    ['an unknown code', 418, { error: { code: 'teapot', message: 'no' } }, {}, 'invalid_request', undefined],
  ])('handles %s', async (_name, status, body, headers, code, retryAfterMs) => {
    const url = await serve((_req, res) => json(res, status, body, headers));
    const err = fail(await createHttpRemote({ url, token: 't' }).sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e));
    expect([err.status, err.code, err.retryAfterMs]).toEqual([status, code, retryAfterMs]);
  });

  it.each([
    ['401, a proxy page', 401, 'unauthorized'],
    ['413, a proxy page', 413, 'payload_too_large'],
    ['429, a proxy page', 429, 'rate_limited'],
    ['404, a proxy page', 404, 'not_found'],
    ['500, a proxy page', 500, 'internal'],
    ['503, a proxy page', 503, 'internal'],
    ['400, a proxy page', 400, 'invalid_request'],
    ['499, a proxy page', 499, 'invalid_request'],
  ])('reads the code of %s from the status alone', async (_name, status, code) => {
    // A load balancer or proxy answers with its own page, not the protocol's error object:
    // 401 must still stop automatic syncs, and 429 and 5xx must still be retried.
    const url = await serve((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'text/html' });
      res.end('<html>not the server</html>');
    });
    const err = fail(await createHttpRemote({ url, token: 't' }).sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e));
    expect([err.status, err.code, err.message]).toEqual([status, code, `HTTP ${status}`]);
  });

  it('a redirect fetch followed to another origin is an invalid_response naming where it led; within the origin, it is followed', async () => {
    const answer = (status: number, url: string, body: unknown): Response => {
      const r = new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      Object.defineProperties(r, { redirected: { value: true }, url: { value: url } });
      return r;
    };
    const away = createHttpRemote({ url: 'http://app.example.test', token: 't', fetch: async () => answer(401, 'https://app.example.test/v1/sync', { error: { code: 'unauthorized', message: 'missing bearer token' } }) });
    const err = fail(await away.sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e));
    expect([err.status, err.code, err.message]).toEqual([401, 'invalid_response',
      'the server redirected the request to https://app.example.test (HTTP 401 there): give createHttpRemote that URL (a redirect to another origin drops the token, and a 301 turns the POST into a GET)']);
    const moved = createHttpRemote({ url: 'https://app.example.test/old', token: 't', fetch: async () => answer(200, 'https://app.example.test/new/v1/sync', ok) });
    expect((await moved.sync({ clientId: 'c', cursor: 0 })).cursor).toBe(3);
  });

  it('ignores the fields of an error object that have the wrong type', async () => {
    const url = await serve((_req, res) => json(res, 400, { error: { code: 7, message: ['no'], index: 1.5, serverTime: 12 } }, { Date: 'Tue, 24 Nov 2026 15:00:00 GMT' }));
    const err = fail(await createHttpRemote({ url, token: 't' }).sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e));
    expect([err.code, err.message, err.index, err.serverTime]).toEqual(['invalid_request', 'HTTP 400', undefined, Date.UTC(2026, 10, 24, 15, 0, 0)]);
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', async () => {
    let header = '';
    let date = '';
    const url = await serve((_req, res) => json(res, 429, { error: { code: 'rate_limited', message: 'busy' } }, {
      ...(header === '' ? {} : { 'Retry-After': header }), ...(date === '' ? {} : { Date: date }),
    }));
    const remote = createHttpRemote({ url, token: 't' });
    const after = async (value: string): Promise<number | undefined> => {
      header = value;
      return fail(await remote.sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e)).retryAfterMs;
    };
    expect(await after(' 12 ')).toBe(12_000);
    expect(await after('0')).toBe(0);
    const inAMinute = await after(new Date(Date.now() + 60_000).toUTCString());
    expect(inAMinute).toBeGreaterThan(55_000);
    expect(inAMinute).toBeLessThanOrEqual(60_000);
    expect(await after('Tue, 24 Nov 2020 15:00:00 GMT')).toBe(0); // a date passed: at once
    expect(await after('soon')).toBeUndefined();
    expect(await after('12 seconds')).toBeUndefined();
    expect(await after('x12')).toBeUndefined();
    expect(await after('')).toBeUndefined();
    // A date is the server's clock, read against the answer's Date: this device's clock may be a day off.
    date = 'Tue, 24 Nov 2020 15:00:00 GMT';
    expect(await after('Tue, 24 Nov 2020 15:00:10 GMT')).toBe(10_000);
    expect(await after('Tue, 24 Nov 2020 14:59:00 GMT')).toBe(0);
  });

  it('sends nothing for a signal aborted before the call, and leaves no timer behind', async () => {
    // Its own fetch (no sockets, whose pools keep timers of their own): the timers counted are the remote's.
    const urls: string[] = [];
    const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
      init?.signal?.throwIfAborted(); // as fetch does
      urls.push(url);
      return new Response(JSON.stringify(ok), { status: 200 });
    };
    const remote = createHttpRemote({ url: 'http://127.0.0.1:9///', token: 't', timeoutMs: 60_000, fetch });
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await remote.sync({ clientId: 'c', cursor: 0 });
    expect(urls).toEqual(['http://127.0.0.1:9/v1/sync']); // several trailing slashes: one
    // A timer left running would keep a script that has synced alive for the whole timeout.
    expect(timers()).toBe(before);
    const controller = new AbortController();
    controller.abort();
    await expect(remote.sync({ clientId: 'c', cursor: 0 }, { signal: controller.signal })).rejects.toBeInstanceOf(NetworkError);
    expect(urls).toHaveLength(1);
    expect(timers()).toBe(before);
  });

  it.each([
    ['invalid JSON', '{"accepted":'],
    ['a cursor that went back', { ...ok, cursor: 1 }],
    ['a message without id', { ...ok, messages: [{ hlc: '2026-11-24T15:00:00.000Z-0000-x', table: 't', row: 'r', column: 'c', value: 1 }] }],
  ])('refuses an answer with %s as invalid_response', async (_name, body) => {
    const url = await serve((_req, res) => json(res, 200, body));
    const err = fail(await createHttpRemote({ url, token: 't' }).sync({ clientId: 'c', cursor: 2 }).catch((e: unknown) => e));
    expect(err.code).toBe('invalid_response');
    expect(err.transient).toBe(true);
  });

  it('reports an unreachable server, a timeout and an abort as NetworkError', async () => {
    const closed = await serve(() => {});
    servers[0]?.closeAllConnections();
    await new Promise((r) => servers.shift()?.close(r));
    await expect(createHttpRemote({ url: closed, token: 't' }).sync({ clientId: 'c', cursor: 0 })).rejects.toBeInstanceOf(NetworkError);
    const silent = await serve(() => {}); // never answers
    await expect(createHttpRemote({ url: silent, token: 't', timeoutMs: 100 }).sync({ clientId: 'c', cursor: 0 })).rejects.toBeInstanceOf(NetworkError);
    const controller = new AbortController();
    const pending = createHttpRemote({ url: silent, token: 't' }).sync({ clientId: 'c', cursor: 0 }, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(NetworkError);
  });

  it.each([
    ['no options', null],
    ['options that are a string', 'http://x'],
    ['a URL that is not http(s)', { url: 'ftp://x', token: 't' }],
    ['a URL with text before its scheme', { url: 'see http://x', token: 't' }],
    ['a URL without a host', { url: 'http:///v1', token: 't' }],
    ['a timeout that is a string', { url: 'http://x', token: 't', timeoutMs: '100' }],
    ['a timeout that is NaN', { url: 'http://x', token: 't', timeoutMs: Number.NaN }],
    ['a negative timeout', { url: 'http://x', token: 't', timeoutMs: -1 }],
    ['no URL', { token: 't' }],
    ['a token that is a number', { url: 'http://x', token: 5 }],
    ['a zero timeout', { url: 'http://x', token: 't', timeoutMs: 0 }],
    ['a fetch that is not a function', { url: 'http://x', token: 't', fetch: 'no' }],
    ['pokes that are not a poke source', { url: 'http://x', token: 't', pokes: { reconnect: {} } }],
  ])('refuses %s with a typed error', (_name, options) => {
    expect(() => createHttpRemote(options as never)).toThrow(FieldsyncError);
  });

  it('refuses a bad token in setToken()', () => {
    expect(() => createHttpRemote({ url: 'http://x', token: 't' }).setToken(null as never)).toThrow(FieldsyncError);
  });
});

describe('Accept-Encoding, as the client reads it for request bodies', () => {
  it.each([
    ['gzip', true], ['GZIP', true], [' br , gzip ; q=0.5', true], ['gzip;q=1.0', true], ['gzip;level=1', true],
    ['gzip;q=0', false], ['gzip; Q=0', false], ['gzip;q=0.000', false], ['identity', false], ['x-gzip, deflate', false], ['', false], [null, false],
  ])('%j: gzip taken %s', (header, taken) => {
    expect(acceptsGzip(header)).toBe(taken);
  });
});

describe('GET /v1/events', () => {
  it('delivers pokes, survives split chunks, and reconnects with backoff when the stream ends', async () => {
    let connections = 0;
    const url = await serve((req, res) => {
      connections++;
      expect(req.headers.authorization).toBe('Bearer t');
      expect(req.url).toBe('/v1/events?clientId=c%2B1');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': ping\n\nevent: po');
      setTimeout(() => res.write('ke\r\ndata: {"cursor": 4'), 5);
      setTimeout(() => res.end('2}\r\n\r\nevent: other\ndata: x\n\n'), 10);
    });
    const pokes: number[] = [];
    let opens = 0;
    const stop = createHttpRemote({ url, token: 't', pokes: pokeStream({ reconnect: { initialMs: 20, maxMs: 40 } }) }).subscribe!('c+1', {
      onPoke: (p) => pokes.push(p.cursor),
      onOpen: () => opens++,
    });
    await until(() => connections >= 3 && opens >= 3 && pokes.length >= 2);
    stop();
    expect(pokes.slice(0, 2)).toEqual([42, 42]);
    expect(opens).toBeGreaterThanOrEqual(3);
  });

  it('stops for good on 401, and reconnects after silence', async () => {
    const url401 = await serve((_req, res) => json(res, 401, { error: { code: 'unauthorized', message: 'no' } }));
    const errors: FE[] = [];
    createHttpRemote({ url: url401, token: 't', pokes: pokeStream({ reconnect: { initialMs: 5 } }) }).subscribe!('c', { onPoke: () => {}, onError: (e) => errors.push(e) });
    await until(() => errors.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);

    let connections = 0;
    const silent = await serve((_req, res) => {
      connections++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': hello\n\n');
    });
    const stop = createHttpRemote({ url: silent, token: 't', pokes: pokeStream({ idleTimeoutMs: 50, reconnect: { initialMs: 5, maxMs: 10 } }) }).subscribe!('c', { onPoke: () => {} });
    await until(() => connections >= 2);
    stop();
  });

  it('is opt-in: without the pokes option the remote has no subscribe, and the client syncs on its own triggers', async () => {
    let events = 0;
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/v1/events')) events++;
      json(res, 200, ok);
    });
    const remote = createHttpRemote({ url, token: 't' });
    expect(remote.subscribe).toBeUndefined();
    await remote.sync({ clientId: 'c', cursor: 0 });
    expect(events).toBe(0);
    expect(() => pokeStream({ idleTimeoutMs: 0 })).toThrow(FieldsyncError);
  });
});

