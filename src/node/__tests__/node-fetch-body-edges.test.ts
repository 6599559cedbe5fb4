/**
 * `nodeFetch`'s body at its edges, against real HTTP servers on loopback, beside what the
 * global fetch does with the same answer: the `Content-Encoding` as servers write it (any
 * case, spaces, several codings, one it does not know), bodies too short to be what they
 * say, empty bodies, and the `Content-Length` up to which a body is read whole
 * (`codings.ts`, `response-body.ts`, `whole-body.ts`).
 */
import { getEventListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WHOLE_LIMIT } from '../whole-body.ts';
import { closeAll, failure, made, serve } from './helpers/loopback.ts';

afterEach(closeAll);

const PAGE = 'a sync page, é€';

/** Answers with `bytes` in `coding`, with their length (read whole) or chunked (streamed). */
function answer(res: ServerResponse, bytes: Buffer, coding: string | undefined, whole: boolean): void {
  const headers: Record<string, string> = coding === undefined ? {} : { 'Content-Encoding': coding };
  res.writeHead(200, whole ? { ...headers, 'Content-Length': String(bytes.byteLength) } : headers);
  res.end(bytes);
}

/** What a fetch makes of the answer: its bytes as text, or its failure's type, message and cause's code. */
async function outcome(f: (url: string) => Promise<Response>, url: string): Promise<unknown> {
  try {
    return Buffer.from(await (await f(url)).arrayBuffer()).toString('latin1');
  } catch (err) {
    return [(err as Error).constructor, (err as Error).message, ((err as Error).cause as { code?: string } | undefined)?.code];
  }
}

describe.each([
  ['read whole', true],
  ['streamed', false],
])('nodeFetch: a body %s', (_name, whole) => {
  it.each([
    ['GZIP', gzipSync(PAGE)],
    [' gzip ', gzipSync(PAGE)],
    ['X-GZIP', gzipSync(PAGE)],
    ['Br', brotliCompressSync(PAGE)],
    ['DEFLATE', deflateSync(PAGE)],
    ['gzip,gzip', gzipSync(gzipSync(PAGE))],
    ['deflate, gzip', gzipSync(deflateSync(PAGE))], // the last applied is undone first
    ['x-mine, gzip', gzipSync(PAGE)], // one coding unknown: the bytes as they came
    ['gzip, x-mine', gzipSync(PAGE)],
    ['gzip', Buffer.from([0x1f, 0x8b])], // shorter than gzip's trailer: no crash, a failed body
    ['gzip', Buffer.from('not gzip')],
    ['deflate', Buffer.from([0x78])], // a header cut short: nothing, as fetch gives
    ['gzip', Buffer.alloc(0)], // empty: empty, whatever its coding says
    ['br', Buffer.alloc(0)],
  ])('in the coding %j (%#) is what fetch makes of it', async (coding, bytes) => {
    const { url } = await serve((_req, res) => answer(res, bytes, coding, whole));
    const mine = await outcome(made(), url);
    expect(mine).toEqual(await outcome(fetch, url));
    if (!Array.isArray(mine) && !coding.includes('x-mine') && bytes.byteLength > 2) expect(mine).toBe(Buffer.from(PAGE).toString('latin1'));
  });

  it('undoes a coding listed with identity or an empty entry (which fetch leaves undone)', async () => {
    const { url } = await serve((req, res) => answer(res, gzipSync(PAGE), req.url === '/comma' ? 'gzip,' : 'identity, gzip', whole));
    const f = made();
    expect(await (await f(`${url}/identity`)).text()).toBe(PAGE);
    expect(await (await f(`${url}/comma`)).text()).toBe(PAGE);
  });

  it('an empty body ends at once, with no chunk (an empty chunk would be a read of nothing)', async () => {
    const { url } = await serve((_req, res) => answer(res, Buffer.alloc(0), 'gzip', whole));
    const reader = ((await made()(url)).body as ReadableStream<Uint8Array>).getReader();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });
});

describe('nodeFetch: the Content-Length up to which a body is read whole', () => {
  it.each([
    [WHOLE_LIMIT, 1],
    [WHOLE_LIMIT + 1, 'several'],
  ] as const)('a body of %i bytes comes in %s chunk(s), all of it', async (size, chunks) => {
    const bytes = Buffer.alloc(size, 'z');
    bytes[size - 1] = 0x21;
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(size) });
      // In two writes, apart: streamed, the reader gets at least the first before the second is sent.
      res.write(bytes.subarray(0, 1000));
      setTimeout(() => res.end(bytes.subarray(1000)), 20);
    });
    const got: Uint8Array[] = [];
    for await (const chunk of (await made()(url)).body as ReadableStream<Uint8Array>) got.push(chunk);
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
    if (chunks === 1) expect(got).toHaveLength(1);
    else expect(got.length).toBeGreaterThan(1);
  });
});

describe.each([
  ['read whole', true],
  ['streamed', false],
])('nodeFetch: a body %s leaves no listener on the signal', (_name, whole) => {
  it('once read to the end, once failed, once cancelled', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/bad') return answer(res, Buffer.from('not gzip'), 'gzip', whole);
      if (req.url === '/stalled') return void res.writeHead(200, whole ? { 'Content-Length': '100' } : {}).write('part');
      answer(res, gzipSync(PAGE), 'gzip', whole);
    });
    const f = made();
    const signal = new AbortController().signal;
    expect(await (await f(url, { signal })).text()).toBe(PAGE);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(await failure((await f(`${url}/bad`, { signal })).text())).toBeInstanceOf(TypeError);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const stalled = await f(`${url}/stalled`, { signal });
    expect(getEventListeners(signal, 'abort')).toHaveLength(1); // the body's, while it arrives
    await stalled.body?.cancel();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('nodeFetch: a compressed body streamed in', () => {
  it('closes the connection when the reader cancels, as an uncompressed one does', async () => {
    let closed: Promise<void> | undefined;
    const { url } = await serve((req, res) => {
      closed = new Promise((r) => req.socket.once('close', () => r()));
      res.writeHead(200, { 'Content-Encoding': 'gzip' }); // no length: streamed
      res.write(gzipSync(PAGE, { finishFlush: 2 })); // Z_SYNC_FLUSH: a full block, the stream left open
    });
    const reader = ((await made()(url)).body as ReadableStream<Uint8Array>).getReader();
    expect(Buffer.from((await reader.read()).value as Uint8Array).toString()).toBe(PAGE);
    await reader.cancel();
    await closed; // without it, the answer's socket stayed open, neither read nor given back
  });

  it('fails with TypeError("terminated") when the connection drops mid-body', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.write(gzipSync(PAGE, { finishFlush: 2 }));
      setTimeout(() => res.destroy(), 20);
    });
    const err = await failure((await made()(url)).text()) as TypeError;
    expect([err.constructor, err.message]).toEqual([TypeError, 'terminated']);
  });
});
