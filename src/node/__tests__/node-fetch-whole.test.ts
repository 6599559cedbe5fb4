/**
 * `nodeFetch`'s two ways of reading a body, against real HTTP servers on loopback: a body
 * of known, small length is read whole and decoded in one pass (`whole-body.ts`); one of
 * unknown length is decoded and handed over as it arrives. Both must give the same bytes,
 * fail the same way, and stop the same way; and `text()`/`json()` (node-response.ts) must
 * behave as the platform's.
 */
import { getEventListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { abortWhenUnlistened, closeAll, failure, made, serve as served } from './helpers/loopback.ts';

afterEach(closeAll);

const serve = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> => (await served(handler)).url;
// Not too repetitive: its compressed form must still arrive in more than one chunk.
const PAGE = JSON.stringify({ cursor: 7, more: false, text: 'é€', numbers: Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 100_003) });

/** Sends `bytes` in three writes, with their length (`whole`) or chunked (streamed). */
function send(res: ServerResponse, bytes: Buffer, headers: Record<string, string>, whole: boolean): void {
  res.writeHead(200, whole ? { ...headers, 'Content-Length': String(bytes.byteLength) } : headers);
  const third = Math.ceil(bytes.byteLength / 3);
  res.write(bytes.subarray(0, third));
  setTimeout(() => {
    res.write(bytes.subarray(third, 2 * third));
    res.end(bytes.subarray(2 * third));
  }, 5);
}

async function chunksOf(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as ReadableStream<Uint8Array>) chunks.push(chunk);
  return chunks;
}

describe.each([
  ['of known length (read whole)', true],
  ['of unknown length (streamed)', false],
])('nodeFetch: a body %s', (_name, whole) => {
  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['x-gzip', (b: Buffer) => gzipSync(b)],
    ['deflate', (b: Buffer) => deflateSync(b)],
    ['br', (b: Buffer) => brotliCompressSync(b)],
    ['identity', (b: Buffer) => b],
    ['gzip, br', (b: Buffer) => brotliCompressSync(gzipSync(b))],
    ['x-mine', (b: Buffer) => b], // unknown: passed on as it came
  ])('is decoded from %s', async (coding, encode) => {
    const url = await serve((_req, res) => send(res, encode(Buffer.from(PAGE)), { 'Content-Encoding': coding }, whole));
    const f = made();
    expect(await (await f(url)).text()).toBe(PAGE);
    expect(await (await f(url)).json()).toEqual(JSON.parse(PAGE));
    const chunks = await chunksOf((await f(url)).body);
    expect(Buffer.concat(chunks).toString()).toBe(PAGE);
    // Read whole: one chunk, decoded in one pass; streamed: as it arrives.
    if (whole) expect(chunks).toHaveLength(1);
    else expect(chunks.length).toBeGreaterThan(1);
  });

  it('decodes every member of a gzip body of several, as fetch does', async () => {
    const url = await serve((_req, res) => send(res, Buffer.concat([gzipSync('ab'), gzipSync('cd')]), { 'Content-Encoding': 'gzip' }, whole));
    expect(await (await made()(url)).text()).toBe('abcd');
  });

  it('is lenient with compressed data cut short after a full block, as fetch is', async () => {
    // A gzip stream flushed but never finished: no last block, no trailer.
    const cut = gzipSync(Buffer.from(PAGE), { finishFlush: constants.Z_SYNC_FLUSH });
    const url = await serve((_req, res) => send(res, cut, { 'Content-Encoding': 'gzip' }, whole));
    expect(await (await made()(url)).text()).toBe(PAGE);
  });

  it('fails with TypeError("terminated") on data that is not what it says', async () => {
    const url = await serve((_req, res) => send(res, Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip' }, whole));
    const err = await failure((await made()(url)).text()) as TypeError;
    expect([err.constructor, err.message]).toEqual([TypeError, 'terminated']);
  });

  it('fails with TypeError("terminated") when the connection drops mid-body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, whole ? { 'Content-Length': '100000' } : {});
      res.write('only some');
      setTimeout(() => res.destroy(), 20);
    });
    const err = await failure((await made()(url)).text()) as TypeError;
    expect([err.constructor, err.message]).toEqual([TypeError, 'terminated']);
  });

  /** A server that sends the start of a long body and no more; `closed` once its connection closes. */
  async function stalled(): Promise<{ url: string; closed: () => Promise<void> }> {
    let closed: Promise<void> | undefined;
    const url = await serve((req, res) => {
      closed = new Promise((r) => req.socket.once('close', () => r()));
      res.writeHead(200, whole ? { 'Content-Length': '100000' } : {});
      res.write('part');
    });
    return { url, closed: () => closed as Promise<void> };
  }

  it('rejects the reader with the signal\'s reason when aborted while the body arrives, and closes the connection', async () => {
    const { url, closed } = await stalled();
    const reading = new AbortController();
    const res = await made()(url, { signal: reading.signal });
    const text = failure(res.text());
    const reason = new Error('stop');
    setTimeout(() => reading.abort(reason), 20);
    expect(await text).toBe(reason);
    await closed();
  });

  it('fails the body with the reason of an abort that comes just as the headers arrive', async () => {
    const { url } = await stalled();
    const reason = new Error('late');
    // The moment nodeFetch stops listening for the wait, the signal aborts: before the body listens.
    const res = await made()(url, { signal: abortWhenUnlistened(reason) });
    expect(await failure(res.text())).toBe(reason);
  });

  it('closes the connection when the reader cancels', async () => {
    const { url, closed } = await stalled();
    await (await made()(url)).body?.cancel();
    await closed();
  });
});

describe('nodeFetch: an answer a Response cannot hold', () => {
  // (The global fetch hands out a status of 600, which `new Response` refuses: a known difference.)
  it('fails with TypeError("fetch failed") (status 600), and leaves no listener on the signal', async () => {
    const url = await serve((_req, res) => void res.writeHead(600, { 'Content-Length': '2' }).end('no'));
    const signal = new AbortController().signal;
    const err = await failure(made()(url, { signal })) as TypeError;
    expect([err.constructor, err.message]).toEqual([TypeError, 'fetch failed']);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('nodeFetch: reading a body whole', () => {
  it('decodes a small body that inflates to more than one pass may make as a stream, all of it', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 'a'); // 20 MiB, about 20 KB gzipped
    const url = await serve((_req, res) => send(res, gzipSync(big), { 'Content-Encoding': 'gzip' }, true));
    const chunks = await chunksOf((await made()(url)).body);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBe(big.byteLength);
    expect(chunks.every((c) => c.every((byte) => byte === 0x61))).toBe(true);
  });

  // A page of large values: 7.9 MB of JSON, 0.8 MB gzipped (read whole), 12 ms to inflate in one pass.
  const LARGE = Buffer.from(JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ hlc: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z-${(i % 65536).toString(16).padStart(4, '0')}-otherDevice`, table: 'todos', row: `todo-${(i * 7919) % 100_003}`, column: 'title', value: `title value ${i}` }))));
  it.each([
    ['gzip (which says its size)', gzipSync, 'gzip'],
    ['deflate', deflateSync, 'deflate'],
  ] as const)('inflates a %s body that makes more than a pass may off the event loop, all of it', async (_name, encode, coding) => {
    const bytes = encode(LARGE);
    expect(bytes.byteLength).toBeLessThan(1024 * 1024); // read whole
    let last = (): void => {};
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': coding, 'Content-Length': String(bytes.byteLength) });
      res.write(bytes.subarray(0, -1));
      last = () => res.end(bytes.subarray(-1));
    });
    const reader = ((await made()(url)).body as ReadableStream<Uint8Array>).getReader();
    const reading = reader.read();
    // Turns of the event loop from the body's last byte to its delivery: one pass takes a
    // turn or two (the pass blocks the loop); in the thread pool, the loop turns meanwhile.
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    last();
    setImmediate(spin);
    const { value } = await reading;
    spinning = false;
    expect(Buffer.from(value as Uint8Array).equals(LARGE)).toBe(true); // one buffer still, as a pass makes
    expect((await reader.read()).done).toBe(true);
    // On the loop it is one or two; off it, hundreds on a quiet machine, but fewer when the
    // machine is busy (the pool's thread may get the core first: exactly 10 with a load of 6
    // on 2 cores): more than 3 tells them apart.
    expect(turns).toBeGreaterThan(3);
  });

  it('ends the reader with the signal\'s reason, or lets it go, when aborted or cancelled while the body is inflated off the event loop', async () => {
    const bytes = gzipSync(LARGE);
    const lasts: (() => void)[] = [];
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(bytes.byteLength) });
      res.write(bytes.subarray(0, -1));
      lasts.push(() => res.end(bytes.subarray(-1)));
    });
    const f = made();
    const aborting = new AbortController();
    const reader = ((await f(url, { signal: aborting.signal })).body as ReadableStream<Uint8Array>).getReader();
    const reading = reader.read().then((r) => r, (err: unknown) => err);
    lasts.shift()?.();
    await new Promise((r) => setTimeout(r, 2)); // the body is in, and being inflated (for about 10 ms)
    const reason = new Error('stop');
    aborting.abort(reason);
    const got = await reading;
    // The reason, unless the inflate was already done (a slow machine): then the whole body.
    if (got !== reason) expect(Buffer.from((got as { value?: Uint8Array }).value as Uint8Array).equals(LARGE)).toBe(true);
    const cancelled = (await f(url)).body as ReadableStream<Uint8Array>;
    lasts.shift()?.();
    await new Promise((r) => setTimeout(r, 2));
    await cancelled.cancel();
    await new Promise((r) => setTimeout(r, 100)); // the inflate's result comes, and is dropped without a throw
  });

  it('inflates a page of up to 2 MiB in one pass, into one chunk', async () => {
    const page = LARGE.subarray(0, 2 * 1024 * 1024 - 1000);
    const url = await serve((_req, res) => send(res, gzipSync(page), { 'Content-Encoding': 'gzip' }, true));
    const chunks = await chunksOf((await made()(url)).body);
    expect(chunks).toHaveLength(1);
    expect(Buffer.from(chunks[0] as Uint8Array).equals(page)).toBe(true);
  });

  it('inflates a gzip body whose size field says less than it holds (its last member\'s), all of it, into one chunk', async () => {
    // The pass's buffer is sized by the last member (5 bytes); the first one's 1 MiB overflows it.
    const first = LARGE.subarray(0, 1024 * 1024);
    const url = await serve((_req, res) => send(res, Buffer.concat([gzipSync(first), gzipSync('tail!')]), { 'Content-Encoding': 'gzip' }, true));
    const chunks = await chunksOf((await made()(url)).body);
    expect(chunks).toHaveLength(1);
    expect(Buffer.from(chunks[0] as Uint8Array).equals(Buffer.concat([first, Buffer.from('tail!')]))).toBe(true);
  });

  it('fails with TypeError("terminated") on a body whose size field was changed', async () => {
    for (const delta of [-1, 1, 1000]) {
      const bytes = gzipSync(PAGE);
      bytes.writeUInt32LE(bytes.readUInt32LE(bytes.byteLength - 4) + delta, bytes.byteLength - 4);
      const url = await serve((_req, res) => send(res, bytes, { 'Content-Encoding': 'gzip' }, true));
      const err = await failure((await made()(url)).text()) as TypeError;
      expect([err.constructor, err.message]).toEqual([TypeError, 'terminated']);
    }
  });

  it('fails with TypeError("terminated") on a corrupt body that says it is large', async () => {
    const bytes = gzipSync(LARGE);
    bytes.fill(0x55, 100, 200);
    const url = await serve((_req, res) => send(res, bytes, { 'Content-Encoding': 'gzip' }, true));
    const err = await failure((await made()(url)).text()) as TypeError;
    expect([err.constructor, err.message]).toEqual([TypeError, 'terminated']);
  });

  it('streams a body larger than it reads whole, as it arrives', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(2 * 1024 * 1024) });
      res.write(Buffer.alloc(1000, 'b'));
    });
    const res = await made()(url);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).value?.byteLength).toBe(1000);
    await reader.cancel();
  });
});

describe('nodeFetch: text() and json() as the platform has them', () => {
  it('strips a BOM, replaces bad bytes, and refuses a second read or a locked body as the platform does', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/bom') return void res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
      if (req.url === '/bad') return void res.end(Buffer.from([0x61, 0xff, 0x62]));
      res.end('{"a":2}');
    });
    const f = made();
    expect(await (await f(`${url}/bom`)).json()).toEqual({ a: 1 });
    expect(await (await f(`${url}/bad`)).text()).toBe('a\uFFFDb');
    const once = await f(url);
    expect(await once.text()).toBe('{"a":2}');
    expect(once.bodyUsed).toBe(true);
    const twice = await failure(once.text());
    const platform = new Response('x');
    await platform.text();
    const theirs = await failure(platform.text());
    expect([(twice as Error).constructor, (twice as Error).message]).toEqual([(theirs as Error).constructor, (theirs as Error).message]);
    const locked = await f(url);
    locked.body?.getReader();
    expect(await failure(locked.json())).toBeInstanceOf(TypeError);
    const partly = await f(url);
    const reader = (partly.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    reader.releaseLock();
    expect(await failure(partly.text())).toBeInstanceOf(TypeError); // disturbed: unusable, not the rest
  });

  it('reads both a clone and the original', async () => {
    const url = await serve((_req, res) => res.end(PAGE));
    const res = await made()(url);
    const copy = res.clone();
    expect(await copy.text()).toBe(PAGE);
    expect(await res.text()).toBe(PAGE);
    expect(res).toBeInstanceOf(Response);
    expect(res.url).toBe(`${url}/`);
  });
});
