/**
 * `nodeFetch` against real HTTP servers on loopback (node:http / node:https in this process):
 * what it sends, how it decodes, how it fails, and that it fails as the global fetch does.
 */
import { getEventListeners } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/free-port.ts';
import { abortWhenUnlistened, closeAll, failure, fixture, made, serve } from './helpers/loopback.ts';

afterEach(closeAll);

const PAGE = JSON.stringify({ accepted: 0, cursor: 7, more: false, text: 'é'.repeat(5000) });

describe('nodeFetch: what it sends', () => {
  it('sends the method, the headers as given, and string or byte bodies with their length', async () => {
    const seen: { method?: string; headers?: IncomingMessage['headers']; body?: string }[] = [];
    const { url } = await serve((req, res, body) => {
      seen.push({ method: req.method, headers: req.headers, body: body.toString('latin1') });
      res.end('ok');
    });
    const f = made();
    await f(`${url}/a`, { method: 'post', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t' }, body: '{"é":1}' });
    // A view into a larger buffer: only its own bytes go.
    const bytes = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2, 5);
    await f(new URL(`${url}/b`), { method: 'PUT', headers: new Headers({ 'Content-Encoding': 'gzip' }), body: bytes });
    await f(`${url}/c`, { headers: [['X-Two', 'a'], ['x-two', 'b']] });
    expect(seen.map((s) => s.method)).toEqual(['POST', 'PUT', 'GET']);
    expect(seen[0]?.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t', 'content-length': '8', 'accept-encoding': 'gzip, deflate, br' });
    expect(seen[0]?.body).toBe(Buffer.from('{"é":1}').toString('latin1'));
    expect(seen[1]?.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-length': '3' });
    expect([...Buffer.from(seen[1]?.body ?? '', 'latin1')]).toEqual([2, 3, 4]);
    expect(seen[2]?.headers?.['x-two']).toBe('a, b');
    expect(seen[2]?.headers?.['content-length']).toBeUndefined();
  });

  it('refuses what fetch refuses: a body on GET, a header it cannot send, credentials in the URL', async () => {
    const { url } = await serve((_req, res) => res.end());
    const f = made();
    expect(await failure(f(url, { body: 'x' }))).toBeInstanceOf(TypeError);
    expect(await failure(f(url, { headers: { 'x-bad': 'a\nb' } }))).toBeInstanceOf(TypeError);
    expect(await failure(f('not a url'))).toBeInstanceOf(TypeError);
    expect(await failure(f(url.replace('http://', 'http://user:secret@')))).toBeInstanceOf(TypeError);
    expect(await failure(f(url.replace('http://', 'http://:secret@')))).toBeInstanceOf(TypeError); // a password alone
    expect(await failure(fetch(url.replace('http://', 'http://user:secret@')))).toBeInstanceOf(TypeError); // the global fetch's own rule
  });

  it('refuses a bad URL, credentials in it, or a bad init with fetch\'s TypeError, even when the signal is aborted already', async () => {
    const { url } = await serve((_req, res) => res.end());
    const f = made();
    const aborted = AbortSignal.abort(new Error('stop'));
    const bad: [string, RequestInit][] = [
      ['not a url', {}],
      [url.replace('http://', 'http://user:secret@'), {}],
      [url, { body: 'x' }],
    ];
    for (const [input, init] of bad) {
      for (const signal of [undefined, aborted]) {
        const mine = await failure(f(input, { ...init, signal })) as TypeError;
        const theirs = await failure(fetch(input, { ...init, signal })) as TypeError;
        // (fetch names the whole URL, credentials included; nodeFetch its origin only.)
        expect([mine.constructor, mine.message.replace(/: http.*/, '')]).toEqual([theirs.constructor, theirs.message.replace(/: http.*/, '')]);
        expect(mine.message).not.toContain('secret');
      }
    }
    const parse = await failure(f('not a url')) as TypeError;
    expect(parse.cause).toBeInstanceOf(TypeError); // the URL parser's own, as fetch's
    // A valid request with an aborted signal: its reason, whatever the scheme, as fetch.
    expect(await failure(f(url, { signal: aborted }))).toBe(aborted.reason);
    expect(await failure(f('ftp://127.0.0.1/', { signal: aborted }))).toBe(aborted.reason);
    expect(await failure(fetch('ftp://127.0.0.1/', { signal: aborted }))).toBe(aborted.reason);
  });

  it('refuses another scheme than http: and https: as fetch does, and names it', async () => {
    const mine = await failure(made()('ftp://127.0.0.1/')) as TypeError;
    const theirs = await failure(fetch('ftp://127.0.0.1/')) as TypeError;
    expect([mine.constructor, mine.message]).toEqual([theirs.constructor, theirs.message]);
    expect((mine.cause as Error).message).toBe('unsupported protocol ftp:');
  });

  it('refuses a header Node cannot send with a TypeError that says which, and leaves no listener on the signal', async () => {
    const { url } = await serve((_req, res) => res.end());
    const signal = new AbortController().signal;
    const err = await failure(made()(url, { headers: { 'x-bad': 'a\nb' }, signal })) as TypeError;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toContain('x-bad');
    expect((err.cause as { code?: string }).code).toBe('ERR_INVALID_CHAR');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('leaves a Request input and a Blob body to the global fetch', async () => {
    const seen: string[] = [];
    const { url } = await serve((req, res, body) => {
      seen.push(`${req.method} ${req.url} ${body.toString()}`);
      res.end('ok');
    });
    const f = made();
    const request = new Request(`${url}/request`, { method: 'POST', body: 'r' });
    expect(await (await f(request as unknown as string)).text()).toBe('ok');
    expect(await (await f(`${url}/blob`, { method: 'POST', body: new Blob(['blob!']) })).text()).toBe('ok');
    expect(seen).toEqual(['POST /request r', 'POST /blob blob!']);
  });

  it('keeps its connection alive between requests', async () => {
    const { url, server } = await serve((_req, res) => res.end('ok'));
    let connections = 0;
    server.on('connection', () => connections++);
    const f = made();
    for (let i = 0; i < 5; i++) expect(await (await f(url)).text()).toBe('ok');
    expect(connections).toBe(1);
  });
});

describe('nodeFetch: what it answers', () => {
  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['deflate', (b: Buffer) => deflateSync(b)],
    ['br', (b: Buffer) => brotliCompressSync(b)],
    ['identity', (b: Buffer) => b],
    ['gzip, br', (b: Buffer) => brotliCompressSync(gzipSync(b))],
  ])('decodes %s, with the status, status text and headers as sent', async (coding, encode) => {
    const { url } = await serve((_req, res) => {
      res.writeHead(201, 'Made', { 'Content-Type': 'application/json', 'Content-Encoding': coding, 'X-Many': ['1', '2'], 'Retry-After': '7' });
      res.end(encode(Buffer.from(PAGE)));
    });
    const res = await made()(url);
    expect(res).toBeInstanceOf(Response);
    expect([res.status, res.statusText, res.ok, res.url]).toEqual([201, 'Made', true, `${url}/`]);
    expect([res.headers.get('content-type'), res.headers.get('x-many'), res.headers.get('retry-after')]).toEqual(['application/json', '1, 2', '7']);
    expect(await res.text()).toBe(PAGE);
  });

  it('passes a body of an unknown coding as it came, and has no body for 204 or HEAD', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/none') return void res.writeHead(204).end();
      res.writeHead(200, { 'Content-Encoding': 'x-mine' });
      res.end(req.method === 'HEAD' ? undefined : 'raw');
    });
    const f = made();
    expect(await (await f(url)).text()).toBe('raw');
    expect((await f(`${url}/none`)).body).toBeNull();
    expect(await (await f(`${url}/none`)).text()).toBe(''); // no body: empty text, as fetch's
    expect((await f(url, { method: 'HEAD' })).body).toBeNull();
  });

  it('reads the coding from Content-Encoding alone, every line of it, and the length from Content-Length alone', async () => {
    const { url } = await serve((req, res) => {
      // Content-Language has the length of Content-Encoding; X-Request-Size and X-Request-Hash, that of Content-Length.
      if (req.url === '/language') res.writeHead(200, { 'Content-Language': 'en', 'Content-Encoding': 'gzip' });
      if (req.url === '/lines') res.writeHead(200, { 'Content-Encoding': ['gzip', 'br'] });
      if (req.url === '/size') res.writeHead(200, { 'X-Request-Size': '5', 'Content-Length': String(PAGE.length), 'X-Request-Hash': '7' });
      if (req.url === '/no-size') res.writeHead(200, { 'X-Request-Size': '5' }); // chunked
      res.end(req.url === '/lines' ? brotliCompressSync(gzipSync(PAGE)) : req.url === '/language' ? gzipSync(PAGE) : Buffer.from(PAGE, 'latin1'));
    });
    const f = made();
    for (const path of ['/language', '/lines']) {
      expect(await (await f(`${url}${path}`)).text()).toBe(PAGE);
      expect(await (await fetch(`${url}${path}`)).text()).toBe(PAGE);
    }
    for (const path of ['/size', '/no-size']) expect(Buffer.from(await (await f(`${url}${path}`)).arrayBuffer()).toString('latin1')).toBe(PAGE);
  });

  it('decodes text() as fetch does: a BOM stripped, bytes that only start like one kept, a body read once', async () => {
    const bodies: Record<string, number[]> = {
      '/bom': [0xef, 0xbb, 0xbf, 0x7b, 0x7d], // BOM + {}
      '/only-bom': [0xef, 0xbb, 0xbf],
      '/not-bom': [0xef, 0xbb, 0xbb, 0x78], // U+FEFB, then x
      '/half': [0xef, 0xbb], // two bytes of a BOM: U+FFFD
      '/first-wrong': [0x41, 0xbb, 0xbf], // A, then two stray bytes
      '/middle-wrong': [0xef, 0x41, 0xbf, 0x78],
      '/latin': [0xc3, 0xaf, 0xc2, 0xbb, 0xc2, 0xbf], // ï»¿ in UTF-8: text, not a BOM
    };
    const { url } = await serve((req, res) => res.end(Buffer.from(bodies[req.url ?? ''] ?? [])));
    const f = made();
    for (const path of Object.keys(bodies)) expect([path, await (await f(`${url}${path}`)).text()]).toEqual([path, await (await fetch(`${url}${path}`)).text()]);
    const once = await f(`${url}/bom`);
    expect(await once.json()).toEqual({});
    expect(await failure(once.text())).toBeInstanceOf(TypeError); // read already, as fetch's
  });

  it('streams the body as it arrives', async () => {
    let finish: (() => void) | undefined;
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('event: poke\ndata: 1\n\n');
      finish = () => res.end('last');
    });
    const res = await made()(url);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('event: poke\ndata: 1\n\n');
    finish?.();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('last');
    expect((await reader.read()).done).toBe(true);
  });

  it('follows redirects as fetch does: 307 keeps the POST, 303 turns it into a GET, another origin gets no Authorization', async () => {
    const seen: string[] = [];
    const other = await serve((req, res, body) => {
      seen.push(`other ${req.method} ${req.url} ${req.headers.authorization ?? '-'} ${body.toString()}`);
      res.end('there');
    });
    const { url } = await serve((req, res, body) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'} ${body.toString()}`);
      if (req.url === '/307') return void res.writeHead(307, { Location: '/end' }).end();
      if (req.url === '/303') return void res.writeHead(303, { Location: '/end' }).end();
      if (req.url === '/away') return void res.writeHead(308, { Location: `${other.url}/in` }).end();
      if (req.url === '/loop') return void res.writeHead(302, { Location: '/loop' }).end();
      res.end('here');
    });
    const f = made();
    const post = { method: 'POST', headers: { Authorization: 'Bearer t' }, body: 'b' };
    const r307 = await f(`${url}/307`, post);
    expect([await r307.text(), r307.url, r307.redirected]).toEqual(['here', `${url}/end`, true]);
    expect(await (await f(`${url}/303`, post)).text()).toBe('here');
    expect(await (await f(`${url}/away`, post)).text()).toBe('there');
    expect(seen).toEqual(['POST /307 Bearer t b', 'POST /end Bearer t b', 'POST /303 Bearer t b', 'GET /end Bearer t ', 'POST /away Bearer t b', 'other POST /in - b']);
    const direct = await f(`${url}/end`, post); // no redirect: fetch says so (the HTTP remote reads it)
    expect([await direct.text(), direct.url, direct.redirected]).toEqual(['here', `${url}/end`, false]);
    expect((await f(`${url}/307`, { ...post, redirect: 'manual' })).status).toBe(307);
    expect(await failure(f(`${url}/307`, { ...post, redirect: 'error' }))).toBeInstanceOf(TypeError);
    expect(await failure(f(`${url}/loop`))).toBeInstanceOf(TypeError);
  });

  it('changes the method and drops the body on a redirect exactly where fetch does', async () => {
    const seen: string[] = [];
    const { url } = await serve((req, res, body) => {
      const h = req.headers;
      seen.push([req.method, req.url, h['content-type'], h['content-language'], h['content-location'], h['content-encoding'], h['content-length'], h['x-keep'], body.toString()].join(' '));
      const status = Number(req.url?.slice(1));
      if (status > 0) return void res.writeHead(status, { Location: '/end' }).end();
      res.end();
    });
    const headers = { 'Content-Type': 'text/plain', 'Content-Language': 'en', 'Content-Location': '/x', 'Content-Encoding': 'identity', 'X-Keep': '1' };
    const f = made();
    for (const status of [301, 302, 303, 307, 308]) {
      for (const method of ['POST', 'PUT', 'DELETE', 'GET', 'HEAD']) {
        const init = { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : 'b' };
        seen.length = 0;
        await (await fetch(`${url}/${status}`, init)).arrayBuffer();
        const theirs = seen.splice(0);
        await (await f(`${url}/${status}`, init)).arrayBuffer();
        expect([status, method, seen]).toEqual([status, method, theirs]);
      }
    }
    // (What it comes to: POST → GET on 301, 302 and 303; any other method but GET and HEAD → GET on 303.)
    seen.length = 0;
    await (await f(`${url}/303`, { method: 'PUT', headers, body: 'b' })).arrayBuffer();
    expect(seen[1]).toBe('GET /end      1 ');
  });

  it('drops the credentials, the cookies and the Host it was given on a redirect to another origin', async () => {
    const seen: IncomingMessage['headers'][] = [];
    const other = await serve((req, res) => {
      seen.push(req.headers);
      res.end();
    });
    const { url } = await serve((req, res) => {
      seen.push(req.headers);
      res.writeHead(307, { Location: `${other.url}/in` }).end();
    });
    const headers = { Authorization: 'Bearer t', Cookie: 'c=1', 'Proxy-Authorization': 'Basic p', Host: 'sync.test', 'X-Keep': '1' };
    await (await made()(url, { headers })).arrayBuffer();
    expect(seen[0]).toMatchObject({ authorization: 'Bearer t', cookie: 'c=1', 'proxy-authorization': 'Basic p', host: 'sync.test', 'x-keep': '1' });
    expect(seen[1]).toMatchObject({ host: other.url.slice('http://'.length), 'x-keep': '1' });
    expect([seen[1]?.authorization, seen[1]?.cookie, seen[1]?.['proxy-authorization']]).toEqual([undefined, undefined, undefined]);
  });

  it('follows 20 redirects and fails on the 21st, and fails redirect: "error", as fetch does', async () => {
    const { url } = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      if (n > 0) return void res.writeHead(302, { Location: `/${n - 1}` }).end();
      res.end('end');
    });
    const f = made();
    expect(await (await f(`${url}/20`)).text()).toBe('end');
    expect(await (await fetch(`${url}/20`)).text()).toBe('end');
    const mine = await failure(f(`${url}/21`)) as TypeError;
    const theirs = await failure(fetch(`${url}/21`)) as TypeError;
    expect([mine.constructor, mine.message, (mine.cause as Error).message]).toEqual([theirs.constructor, theirs.message, (theirs.cause as Error).message]);
    const refused = await failure(f(`${url}/1`, { redirect: 'error' })) as TypeError;
    const fetchRefused = await failure(fetch(`${url}/1`, { redirect: 'error' })) as TypeError;
    expect([refused.constructor, refused.message]).toEqual([fetchRefused.constructor, fetchRefused.message]);
    expect((refused.cause as Error).message).toBe(`redirect mode is set to error: ${url}/1`);
  });
});

describe('nodeFetch: how it fails (as fetch fails)', () => {
  it('rejects with TypeError("fetch failed") and the cause when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const mine = await failure(made()(url)) as TypeError;
    const theirs = await failure(fetch(url)) as TypeError;
    expect([mine.constructor, mine.message]).toEqual([theirs.constructor, theirs.message]);
    expect((mine.cause as { code?: string }).code).toBe('ECONNREFUSED');
    // Its listener on the signal goes with the failed request.
    const signal = new AbortController().signal;
    expect(await failure(made()(url, { signal }))).toBeInstanceOf(TypeError);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the signal\'s reason when aborted between two hops of a redirect, and sends no second hop', async () => {
    const seen: string[] = [];
    const { url } = await serve((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/from') return void res.writeHead(302, { Location: '/to' }).end();
      res.end('to');
    });
    const reason = new Error('between');
    // The moment nodeFetch stops listening for the first hop's answer, the signal aborts.
    expect(await failure(made()(`${url}/from`, { signal: abortWhenUnlistened(reason) }))).toBe(reason);
    expect(seen).toEqual(['/from']);
  });

  it('rejects with the signal\'s reason when aborted before, while waiting, or while the body streams in', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(200);
      res.write('part');
    });
    const f = made();
    const reason = new Error('stop');
    expect(await failure(f(url, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    const waiting = new AbortController();
    const pending = failure(f(`${url}/slow`, { signal: waiting.signal }));
    setTimeout(() => waiting.abort(reason), 50);
    expect(await pending).toBe(reason);
    // The timeout the HTTP remote uses: AbortSignal.timeout's own reason.
    expect((await failure(f(`${url}/slow`, { signal: AbortSignal.timeout(50) })) as DOMException).name).toBe('TimeoutError');
    const reading = new AbortController();
    const res = await f(url, { signal: reading.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('part');
    reading.abort(reason);
    expect(await failure(reader.read())).toBe(reason);
    // A reason that is no Error is still the reason the reader gets.
    const plain = new AbortController();
    const plainReader = ((await f(url, { signal: plain.signal })).body as ReadableStream<Uint8Array>).getReader();
    await plainReader.read();
    plain.abort('why');
    expect(await failure(plainReader.read())).toBe('why');
  });

  it('fails the body with TypeError("terminated") when the connection drops or the data is not what it says', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/bad') {
        res.writeHead(200, { 'Content-Encoding': 'gzip' });
        return void res.end('not gzip at all');
      }
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('only some');
      setTimeout(() => res.destroy(), 20);
    });
    const f = made();
    const cut = await failure((await f(url)).text()) as TypeError;
    expect([cut.constructor, cut.message]).toEqual([TypeError, 'terminated']);
    expect(cut.cause).toBeInstanceOf(Error); // what happened, as fetch's
    const bad = await failure((await f(`${url}/bad`)).text()) as TypeError;
    expect([bad.constructor, bad.message]).toEqual([TypeError, 'terminated']);
  });
});

describe('nodeFetch over https', () => {
  it('reaches a server whose CA the given agent trusts, and refuses an untrusted certificate as fetch does', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.end(gzipSync(Buffer.from(PAGE)));
    }, true);
    const trusted = made({ httpsAgent: new HttpsAgent({ keepAlive: true, ca: fixture('localhost-cert.pem') }) });
    expect(await (await trusted(url)).text()).toBe(PAGE);
    const refused = await failure(made()(url)) as TypeError;
    expect([refused.constructor, refused.message]).toEqual([TypeError, 'fetch failed']);
    expect((refused.cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});
