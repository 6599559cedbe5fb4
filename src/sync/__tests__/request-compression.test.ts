/**
 * Request compression (request-compression.ts) at the seam the HTTP remote calls it through,
 * `encode(json, send)`, with real Responses and the runtime's own gzip: which bodies go gzip
 * and which plain, the plain retry after a refusal (and no other), and runtimes that cannot
 * gzip. The same against the real server over HTTP is server/__tests__/compression-client.test.ts,
 * which the mutation run does not include.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMPRESS_REQUEST_MIN_BYTES, gzipRequests, gzipText, type Answer, type SendBody } from '../request-compression.ts';

// Kept for the tests' own use while a test takes the global away.
const RealResponse = Response;

afterEach(() => vi.unstubAllGlobals());

/** The text of gzip bytes, by the runtime's DecompressionStream: fails on bytes that are not gzip. */
const gunzip = (bytes: Uint8Array): Promise<string> =>
  new RealResponse((new RealResponse(bytes).body as ReadableStream<Uint8Array>).pipeThrough(new DecompressionStream('gzip') as never)).text();

/** One request as `send` got it: its coding and its JSON (a gzip body decompressed). */
interface Sent {
  readonly encoding: string | undefined;
  readonly json: string;
}

/**
 * A server that answers each request with the next status and `Accept-Encoding` of `answers`
 * (the last one again once they run out). `answered` holds the answers in order.
 */
function server(...answers: (readonly [status: number, acceptEncoding?: string])[]) {
  const sent: Sent[] = [];
  const answered: Answer[] = [];
  const send: SendBody = async (body, encoding) => {
    sent.push({ encoding, json: typeof body === 'string' ? body : await gunzip(body) });
    const [status, accept] = answers[Math.min(answered.length, answers.length - 1)] ?? [200];
    const answer: Answer = { response: new RealResponse('{}', { status, headers: accept === undefined ? {} : { 'Accept-Encoding': accept } }), text: '{}' };
    answered.push(answer);
    return answer;
  };
  return { send, sent, answered, codings: () => sent.map((s) => s.encoding ?? 'plain') };
}

/** A request's JSON of exactly `length` characters. */
const body = (length: number, fill = 'x'): string => JSON.stringify({ pad: fill.repeat(length - 10) });

describe('gzipRequests', () => {
  it('sends plain until an answer advertises gzip, then gzips bodies of 1 KiB and more, each once', async () => {
    const s = server([200, 'gzip, deflate']);
    const encode = gzipRequests();
    const jsons = [body(5000), body(COMPRESS_REQUEST_MIN_BYTES - 1), body(COMPRESS_REQUEST_MIN_BYTES), body(80), body(5000, 'é')];
    for (const json of jsons) expect(await encode(json, s.send)).toBe(s.answered.at(-1));
    // The first knows nothing of the server yet: plain, however large.
    expect(s.codings()).toEqual(['plain', 'plain', 'gzip', 'plain', 'gzip']);
    expect(s.sent.map((x) => x.json)).toEqual(jsons);
  });

  it('goes by the last answer: plain once one no longer advertises gzip, gzip again once one does', async () => {
    const s = server([200, 'gzip'], [200], [200, 'br'], [200, 'GZIP;q=0.5']);
    const encode = gzipRequests();
    for (let i = 0; i < 5; i++) await encode(body(2000), s.send);
    expect(s.codings()).toEqual(['plain', 'gzip', 'plain', 'plain', 'gzip']);
  });

  it.each([
    ['415 (a server that no longer takes gzip)', 415],
    ['400 without the advertisement (a server from before compression read it as bad JSON)', 400],
  ])('sends a gzip body refused with %s again at once, plain, and that answer is the answer', async (_name, status) => {
    const s = server([200, 'gzip'], [status], [200]);
    const encode = gzipRequests();
    await encode(body(2000), s.send);
    const answer = await encode(body(3000), s.send);
    expect(s.codings()).toEqual(['plain', 'gzip', 'plain']);
    expect(s.sent.slice(1).map((x) => x.json)).toEqual([body(3000), body(3000)]);
    expect(answer).toBe(s.answered[2]);
    expect(answer.response.status).toBe(200);
  });

  it.each([
    ['a 400 that still advertises gzip (the request itself is bad)', 400, 'gzip'],
    ['a 503 without the advertisement', 503, undefined],
    ['a 413 without the advertisement', 413, undefined],
  ])('returns any other answer to a gzip body as it is: %s', async (_name, status, accept) => {
    const s = server([200, 'gzip'], [status, accept]);
    const encode = gzipRequests();
    await encode(body(2000), s.send);
    const answer = await encode(body(2000), s.send);
    expect(s.codings()).toEqual(['plain', 'gzip']);
    expect(answer.response.status).toBe(status);
  });

  it.each([415, 400])('does not send a plain body again when it is refused with %s', async (status) => {
    const s = server([status]);
    const encode = gzipRequests();
    expect((await encode(body(2000), s.send)).response.status).toBe(status);
    expect(s.codings()).toEqual(['plain']);
  });

  it.each([
    ['no CompressionStream (React Native)', 'CompressionStream'],
    ['no Response to read the stream with', 'Response'],
  ])('sends every body plain in a runtime with %s, whatever the server says', async (_name, global) => {
    vi.stubGlobal(global, undefined);
    const s = server([200, 'gzip']);
    const encode = gzipRequests();
    for (let i = 0; i < 3; i++) expect(await encode(body(5000), s.send)).toBe(s.answered[i]);
    expect(s.codings()).toEqual(['plain', 'plain', 'plain']);
  });
});

describe('gzipText', () => {
  it('gives the gzip bytes of the text as UTF-8', async () => {
    const text = `{"title":"tödös € 😀 ${'x'.repeat(3000)}"}`;
    const bytes = await gzipText(text);
    expect(bytes.length).toBeLessThan(200);
    expect(await gunzip(bytes)).toBe(text);
  });

  it.each(['CompressionStream', 'Response'])('refuses, saying why, where the runtime has no %s', async (global) => {
    vi.stubGlobal(global, undefined);
    const err = await gzipText('{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ message: 'this runtime has no CompressionStream' });
  });
});
