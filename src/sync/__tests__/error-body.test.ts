/**
 * errorBodyText alone (round 65, mutation testing of error-body.ts): a refusal's body is read
 * up to its bound and no further, decoded as text() would decode it, and the rest cancelled.
 * Real Responses over streams the test holds; poke-error-body.test.ts is the same over HTTP.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_BODY_MAX, errorBodyText } from '../error-body.ts';

afterEach(() => vi.unstubAllGlobals());

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A Response whose body gives `chunks`, then `more()` for ever if given; counts its reads and its cancel. */
function streamed(chunks: (Uint8Array | undefined)[], more?: () => Uint8Array) {
  const seen = { pulls: 0, cancelled: false, left: [...chunks] };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulls++;
      if (seen.left.length > 0) controller.enqueue(seen.left.shift() as Uint8Array);
      else if (more) controller.enqueue(more());
      else controller.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { response: new Response(body, { status: 404 }), seen };
}

describe('errorBodyText', () => {
  it('reads a short body whole, across chunks, a character split between two decoded as one', async () => {
    const e = bytes('é'); // two bytes
    const { response, seen } = streamed([bytes('{"error":"n'), e.subarray(0, 1), e.subarray(1), bytes('o"}')]);
    expect(await errorBodyText(response)).toBe('{"error":"néo"}');
    expect(seen.left).toHaveLength(0);
  });

  it('stops at the bound: the first max bytes, the rest never read, and the stream cancelled', async () => {
    const { response, seen } = streamed([bytes('abcd'), bytes('efgh'), bytes('ijkl')], () => bytes('z'));
    expect(await errorBodyText(response, 6)).toBe('abcdef');
    expect(seen.cancelled).toBe(true);
    expect(seen.left).toEqual([bytes('ijkl')]);
  });

  it('takes a chunk that ends exactly at the bound, and reads no further', async () => {
    const { response, seen } = streamed([bytes('abc'), bytes('def'), bytes('ghi')]);
    expect(await errorBodyText(response, 6)).toBe('abcdef');
    expect(seen.left).toEqual([bytes('ghi')]);
    expect(seen.cancelled).toBe(true);
  });

  it('is bounded by 64 KiB by default, on a body that never ends', async () => {
    expect(ERROR_BODY_MAX).toBe(64 * 1024);
    const { response, seen } = streamed([], () => bytes('x'.repeat(1000)));
    const text = await errorBodyText(response);
    expect(text).toBe('x'.repeat(ERROR_BODY_MAX));
    expect(seen.cancelled).toBe(true);
    expect(seen.pulls).toBeLessThan(ERROR_BODY_MAX / 1000 + 3);
  });

  it('a character cut at the bound ends the text as U+FFFD, as text() would decode it', async () => {
    const { response } = streamed([bytes('ab'), bytes('é!')]);
    expect(await errorBodyText(response, 3)).toBe('ab\uFFFD');
  });

  it('an incomplete character at the end of a whole body is U+FFFD too', async () => {
    const { response } = streamed([bytes('ok'), bytes('é').subarray(0, 1)]);
    expect(await errorBodyText(response)).toBe('ok\uFFFD');
  });

  it('an empty chunk, or one with no value, adds nothing', async () => {
    const { response } = streamed([bytes('a'), new Uint8Array(0), undefined, bytes('b')]);
    expect(await errorBodyText(response, 2)).toBe('ab');
  });

  it('a body that fails part-way rejects, and the stream is let go', async () => {
    let cancelled = false;
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (n++ === 0) controller.enqueue(bytes('par'));
        else controller.error(new Error('reset'));
      },
      cancel() {
        cancelled = true;
      },
    }, { highWaterMark: 0 });
    await expect(errorBodyText(new Response(body))).rejects.toThrow('reset');
    expect(cancelled).toBe(false); // an errored stream is not cancelled again: the cancel's own rejection is swallowed
  });

  it('a response with no body reads as empty text', async () => {
    expect(await errorBodyText(new Response(null, { status: 404 }))).toBe('');
  });

  it('a fetch that cannot stream (no getReader) is read with its own text()', async () => {
    const text = vi.fn(async () => 'whole');
    const noStream = { body: {}, text } as unknown as Response;
    expect(await errorBodyText(noStream, 2)).toBe('whole');
    expect(text).toHaveBeenCalledTimes(1);
    const noBody = { text } as unknown as Response;
    expect(await errorBodyText(noBody, 2)).toBe('whole');
  });

  it('a runtime with no TextDecoder reads with text()', async () => {
    const { response, seen } = streamed([bytes('abcdef')]);
    vi.stubGlobal('TextDecoder', undefined);
    expect(await errorBodyText(response, 2)).toBe('abcdef');
    expect(seen.cancelled).toBe(false);
  });
});
