/**
 * Reading line-framed answers (answer-lines.ts): lines cut at any byte, a character split
 * between two chunks, blank lines, a line that is not JSON (an invalid_response, the rest of
 * the body cancelled), and runtimes that cannot read a body as a stream of bytes. And any
 * answer read under a signal: an abort ends the reading whatever the body does, with the
 * signal's reason (an Error where a polyfill's signal has none), and leaves no listener.
 */
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerJson, fromLines, isLines, readAnswer } from '../answer-lines.ts';
import { RemoteError } from '../errors.ts';

const encoder = new TextEncoder();
const NDJSON = { 'content-type': 'application/x-ndjson; charset=utf-8' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** A body that sends `first` (if any), then nothing more, ever; `cancelled` says whether it was let go. */
function stalled(first?: string) {
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      if (first !== undefined) c.enqueue(encoder.encode(first));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

/** A body that fails before its first byte (a connection reset). */
const broken = (): ReadableStream<Uint8Array> => new ReadableStream({ start: (c) => c.error(new Error('connection reset')) });

/** `promise`, or 'still reading' if it has not settled within 2 s. */
const within2s = (promise: Promise<unknown>): Promise<unknown> =>
  Promise.race([promise.catch((e: unknown) => e), new Promise((resolve) => setTimeout(() => resolve('still reading'), 2000))]);

/** A 200 whose body arrives in the given chunks; `cancelled` says whether its reader was cancelled. */
function answer(chunks: readonly Uint8Array[], headers: Record<string, string> = NDJSON) {
  const state = { cancelled: false };
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++] as Uint8Array);
      else c.close();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body, { status: 200, headers }), state };
}

/** `bytes` cut at the given offsets. */
const cut = (bytes: Uint8Array, at: readonly number[]): Uint8Array[] => {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
};

afterEach(() => vi.unstubAllGlobals());

describe('line-framed answers', () => {
  const values = [{ accepted: 0, cursor: 2, more: true, page: { names: ['tödos'], cells: ['€ 1', '😀'] } }, { cursor: 4, more: false, page: { cells: ['x\ny'] } }];
  const text = values.map((v) => `${JSON.stringify(v)}\n`).join('');

  it('reads the same lines however the body is cut, a character split between chunks included', async () => {
    const bytes = encoder.encode(text);
    await fc.assert(fc.asyncProperty(fc.array(fc.nat(bytes.length), { maxLength: 12 }), async (at) => {
      const a = await readAnswer(answer(cut(bytes, at)).response);
      expect(a.lines).toEqual(values);
      expect(fromLines(a.lines ?? [])).toEqual({ ...values[0], next: [values[1]] });
    }), { numRuns: 200 });
  });

  it('reads the lines from the whole text where there is no TextDecoder, or no stream to read', async () => {
    vi.stubGlobal('TextDecoder', undefined);
    expect((await readAnswer(answer([encoder.encode(text)]).response)).lines).toEqual(values);
    vi.unstubAllGlobals();
    const noStream = new Response(text, { status: 200, headers: NDJSON });
    Object.defineProperty(noStream, 'body', { value: null });
    expect((await readAnswer(noStream)).lines).toEqual(values);
  });

  it('reads the whole text where the response has no body at all (React Native\'s own fetch)', async () => {
    // whatwg-fetch's Response: status, headers and text(), `body` undefined.
    const rn = { status: 200, headers: new Headers(NDJSON), text: () => Promise.resolve(text) } as unknown as Response;
    expect((await readAnswer(rn)).lines).toEqual(values);
  });

  it('reads chunks that are other views, ArrayBuffers or text, as the bytes they hold', async () => {
    const bytes = encoder.encode(text);
    const half = Math.floor(bytes.length / 2);
    const mixed = [new DataView(bytes.buffer, 0, 10), bytes.buffer.slice(10, half), new TextDecoder().decode(bytes.subarray(half))];
    const state = answer(mixed as unknown as Uint8Array[]);
    expect((await readAnswer(state.response)).lines).toEqual(values);
    const odd = answer([42 as unknown as Uint8Array]);
    expect(await readAnswer(odd.response).catch((e: unknown) => e)).toMatchObject({ code: 'invalid_response', message: 'the answer\'s body gave neither bytes nor text' });
    expect(odd.state.cancelled).toBe(true);
  });

  it('refuses text chunks as an invalid_response where there is no TextEncoder to make them bytes', async () => {
    vi.stubGlobal('TextEncoder', undefined);
    const strings = answer([text] as unknown as Uint8Array[]);
    expect(await readAnswer(strings.response).catch((e: unknown) => e)).toMatchObject({ code: 'invalid_response', message: 'the answer\'s body gave neither bytes nor text' });
    expect(strings.state.cancelled).toBe(true);
  });

  it('stops reading when the signal aborts, even while the body stalls, and cancels the rest', async () => {
    const state = { cancelled: false };
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode(`${JSON.stringify(values[0])}\n`)); // then nothing more, ever
      },
      cancel() {
        state.cancelled = true;
      },
    });
    const controller = new AbortController();
    const reading = readAnswer(new Response(body, { status: 200, headers: NDJSON }), controller.signal).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('timeout')), 20);
    expect(await reading).toMatchObject({ message: 'timeout' });
    expect(state.cancelled).toBe(true);
  });

  it('stops at once when the signal aborted before the reading began (a fetch that ignored it, answering after the timeout)', async () => {
    const state = { cancelled: false };
    const body = new ReadableStream<Uint8Array>({
      pull: () => new Promise<void>(() => {}), // no byte, ever
      cancel() {
        state.cancelled = true;
      },
    });
    const controller = new AbortController();
    controller.abort(new Error('timeout'));
    const reading = readAnswer(new Response(body, { status: 200, headers: NDJSON }), controller.signal).catch((e: unknown) => e);
    const hung = new Promise((resolve) => setTimeout(() => resolve('still reading'), 2000));
    expect(await Promise.race([reading, hung])).toMatchObject({ message: 'timeout' });
    expect(state.cancelled).toBe(true);
  });

  it('reads the whole text where the body is no web stream (node-fetch 2 gives a Node stream)', async () => {
    const nodeStream = { pipe: () => {}, on: () => {} }; // a Readable's shape: no getReader()
    const polyfilled = { status: 200, headers: new Headers(NDJSON), body: nodeStream, text: () => Promise.resolve(text) } as unknown as Response;
    expect((await readAnswer(polyfilled)).lines).toEqual(values);
  });

  it('reads lines whose Content-Type a proxy rewrote to JSON, and leaves one JSON text as it is', () => {
    expect(answerJson(text)).toEqual({ ...values[0], next: [values[1]] });
    expect(answerJson('{\n  "a": 1\n}')).toEqual({ a: 1 });
    expect(() => answerJson('{"a":')).toThrow(SyntaxError);
    expect(() => answerJson('{"a":1}\n{"b":')).toThrow(RemoteError);
  });

  it('skips blank lines, and a last line without its line feed is a line', async () => {
    const a = await readAnswer(answer([encoder.encode(`\n${JSON.stringify(values[0])}\n\r\n${JSON.stringify(values[1])}`)]).response);
    expect(a.lines).toEqual(values);
    expect(a.text).toBe(''); // the lines are the answer, not a text
  });

  it('refuses a line that is not JSON as an invalid_response, and cancels the rest of the body', async () => {
    const { response, state } = answer([encoder.encode(`${JSON.stringify(values[0])}\n{"cursor": 4,\n`), encoder.encode('x'.repeat(100))]);
    const err = await readAnswer(response).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'invalid_response', message: 'the server answered with invalid JSON' });
    expect(state.cancelled).toBe(true);
  });

  it('reads any other answer as text: JSON, and errors in any type', async () => {
    expect(await readAnswer(answer([encoder.encode('{"a":1}')], { 'content-type': 'application/json' }).response)).toMatchObject({ text: '{"a":1}' });
    const refused = await readAnswer(new Response('{"error":{}}', { status: 400, headers: NDJSON }));
    expect(refused).toMatchObject({ text: '{"error":{}}' });
    expect(refused.lines).toBeUndefined();
  });

  it('knows the media type in any case, with or without parameters', () => {
    expect(['application/x-ndjson', 'Application/X-NDJSON ; charset=utf-8', 'application/x-ndjson;charset=utf-8'].map(isLines)).toEqual([true, true, true]);
    expect(['application/json', 'application/x-ndjsonx', 'text/plain', null].map(isLines)).toEqual([false, false, false, false]);
  });

  it('puts one line back as it was, and does not take lines that are not an answer apart', () => {
    expect(fromLines([values[0]])).toEqual(values[0]);
    expect(fromLines([[1], 2])).toEqual([1]);
    expect(fromLines([1, 2])).toBe(1);
    expect(fromLines([null, 2])).toBeNull();
    expect(fromLines([])).toBeUndefined();
  });
});

describe('reading an answer under a signal', () => {
  it('stops reading any other answer when the signal aborts while its body stalls', async () => {
    const controller = new AbortController();
    const reading = within2s(readAnswer(new Response(stalled('{"a":').body, { status: 200, headers: JSON_TYPE }), controller.signal));
    setTimeout(() => controller.abort(new Error('timeout')), 20);
    expect(await reading).toMatchObject({ message: 'timeout' });
  });

  it('fails with the body when it fails before the signal aborts, whatever the answer', async () => {
    for (const headers of [JSON_TYPE, NDJSON]) {
      const err = await within2s(readAnswer(new Response(broken(), { status: 200, headers }), new AbortController().signal));
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBe('still reading');
    }
  });

  it('lets the body go on an abort where text() left it unlocked (a polyfill\'s Response)', async () => {
    const { body, state } = stalled();
    const polyfilled = { status: 200, headers: new Headers(JSON_TYPE), body, text: () => new Promise<string>(() => {}) } as unknown as Response;
    const controller = new AbortController();
    const reading = within2s(readAnswer(polyfilled, controller.signal));
    controller.abort(new Error('timeout'));
    expect(await reading).toMatchObject({ message: 'timeout' });
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
  });

  it('rejects with an Error where the signal has no reason (an AbortController polyfill: React Native\'s)', async () => {
    for (const headers of [JSON_TYPE, NDJSON]) {
      const controller = new AbortController();
      Object.defineProperty(controller.signal, 'reason', { value: undefined });
      controller.abort();
      const err = await within2s(readAnswer(new Response(stalled().body, { status: 200, headers }), controller.signal));
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ message: 'aborted' });
    }
  });

  it('answers with the abort, not with what a chunk that came with it holds', async () => {
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(encoder.encode('not json\n')); // the read has its bytes, then the timeout fires
        controller.abort(new Error('timeout'));
      },
    }, { highWaterMark: 0 });
    expect(await within2s(readAnswer(new Response(body, { status: 200, headers: NDJSON }), controller.signal))).toMatchObject({ message: 'timeout' });
  });

  it('leaves no listener on the signal once the answer is read, or has failed', async () => {
    const { signal } = new AbortController();
    const answers: [string, () => Response][] = [
      ['JSON', () => new Response('{"a":1}', { status: 200, headers: JSON_TYPE })],
      ['lines', () => answer([encoder.encode('{"a":1}\n{"b":2}\n')]).response],
      ['JSON, its body failing', () => new Response(broken(), { status: 200, headers: JSON_TYPE })],
      ['lines, its body failing', () => new Response(broken(), { status: 200, headers: NDJSON })],
      ['lines, one not JSON', () => answer([encoder.encode('{"a":1}\nnot json\n')]).response],
    ];
    for (const [name, response] of answers) {
      await readAnswer(response(), signal).catch(() => {});
      expect(getEventListeners(signal, 'abort'), name).toHaveLength(0);
    }
  });
});
