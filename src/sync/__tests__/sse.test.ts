/**
 * The Server-Sent Events parser (sse.ts), against the WHATWG event-stream rules the poke
 * stream depends on: line endings of every kind, split anywhere; fields, comments and their
 * spacing; when an event is dispatched and what it carries; the BOM only at the very start.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { MAX_SSE_CHARS, createSseParser, type SseEvent } from '../sse.ts';

/** The events and retries of `chunks`, pushed one by one. */
function parse(...chunks: string[]): { events: SseEvent[]; retries: number[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const p = createSseParser((e) => events.push(e), (ms) => retries.push(ms));
  for (const chunk of chunks) p.push(chunk);
  return { events, retries };
}
const message = (data: string, event = 'message', id?: string): SseEvent => ({ event, data, id });

describe('SSE parser', () => {
  it('handles CRLF split across chunks, multi-line data, comments, a BOM and retry', () => {
    const { events, retries } = parse('\ufeffdata: a\r', '\ndata: b\r\n\r', '\n: comment\nevent: poke\nid: 7\ndata:c\n', '\nretry: 1500\n\ndata: no end');
    expect(events).toEqual([message('a\nb'), message('c', 'poke', '7')]);
    expect(retries).toEqual([1500]);
  });

  it('ends lines at LF, CRLF or a lone CR, and gives the same events however the text is split', () => {
    const text = 'event: poke\rdata: 1\r\rdata: 2\r\n\r\ndata: 3\n\ndata: 4\r\n\n';
    const expected = [message('1', 'poke'), message('2'), message('3'), message('4')];
    expect(parse(text).events).toEqual(expected);
    for (let cut = 1; cut < text.length; cut++) expect(parse(text.slice(0, cut), text.slice(cut)).events, `cut at ${cut}`).toEqual(expected);
    expect(parse(...text).events).toEqual(expected); // one character at a time
  });

  it('takes a CRLF within one chunk as one line end: two data lines are one event', () => {
    expect(parse('data: a\r\ndata: b\r\n\r\n').events).toEqual([message('a\nb')]);
  });

  it('without a retry listener (the poke stream has none), a retry field is skipped', () => {
    const events: SseEvent[] = [];
    const p = createSseParser((e) => events.push(e));
    expect(() => p.push('retry: 3000\n\ndata: x\n\n')).not.toThrow();
    expect(events).toEqual([message('x')]);
  });

  it('dispatches on a blank line only, with the event type of that event alone', () => {
    expect(parse('event: poke\ndata: a\n\ndata: b\n\n').events).toEqual([message('a', 'poke'), message('b')]);
    // A blank line without data dispatches nothing, and forgets the event type too.
    expect(parse('event: poke\n\ndata: b\n\n').events).toEqual([message('b')]);
    expect(parse('\n\n\n').events).toEqual([]);
    expect(parse('data: never ended\n').events).toEqual([]);
  });

  it('reads fields as the format says: one optional space after the colon, no colon meaning an empty value', () => {
    expect(parse('data:x\n\n', 'data:  two\n\n', 'data\n\n', 'data:\ndata:\n\n').events).toEqual([message('x'), message(' two'), message(''), message('\n')]);
    // Comments and unknown fields are skipped, wherever they are.
    expect(parse(': ping\nfoo: 1\ndata: a\n:\nDATA: b\n\n').events).toEqual([message('a')]);
    // The last id carries over to later events; one holding U+0000 is ignored.
    expect(parse('id: 1\ndata: a\n\ndata: b\n\nid: 2\u0000\ndata: c\n\nid\ndata: d\n\n').events).toEqual([message('a', 'message', '1'), message('b', 'message', '1'), message('c', 'message', '1'), message('d', 'message', '')]);
  });

  it('takes retry only as digits, and only from the retry field', () => {
    expect(parse('retry: 10\nretry: 1.5\nretry: x\nretry: 10x\nretry:\nretry: -5\nid: 99\nretries: 7\n\n').retries).toEqual([10]);
    expect(parse('retry: 0\n', 'retry:250\n').retries).toEqual([0, 250]);
  });

  it('strips a byte-order mark only at the very start of the stream', () => {
    expect(parse('data: a\n\n').events).toEqual([message('a')]); // no BOM: nothing is stripped
    expect(parse('', '\ufeffdata: a\n\n').events).toEqual([message('a')]); // an empty first chunk does not count
    expect(parse('\ufeff', 'data: a\n\n').events).toEqual([message('a')]);
    // Later, a BOM is text: it makes the field name unknown.
    expect(parse('data: a\n\n', '\ufeffdata: b\n\n').events).toEqual([message('a')]);
  });
});

describe('SSE parser input', () => {
  // push(undefined) was "TypeError: Cannot read properties of undefined (reading 'length')".
  it.each([[undefined], [null], [5], [new Uint8Array([100, 58, 10, 10])]])('refuses %s as a chunk with a ValidationError, and parses on', (chunk) => {
    const events: SseEvent[] = [];
    const p = createSseParser((e) => events.push(e));
    expect(() => p.push(chunk as never)).toThrow(new ValidationError('invalid_argument', 'push(chunk): chunk must be a string'));
    expect(() => p.push(chunk as never)).toThrow(ValidationError);
    p.push('data: x\n\n');
    expect(events).toEqual([message('x')]);
  });
});

describe('SSE parser bounds (round 65: a hostile server\'s endless line or event)', () => {
  const refused = (fn: () => void): unknown => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    return null;
  };

  it('refuses a line without end past MAX_SSE_CHARS, fed a character or a KiB at a time, as a bad answer', () => {
    for (const size of [1, 1024]) {
      const p = createSseParser(() => {});
      const piece = 'x'.repeat(size);
      let pushed = 0;
      const err = refused(() => {
        for (; pushed <= 2 * MAX_SSE_CHARS; pushed += size) p.push(piece);
      });
      expect(err).toMatchObject({ code: 'invalid_response', message: expect.stringContaining('a line of more than 65536 characters') });
      expect(pushed).toBeLessThanOrEqual(MAX_SSE_CHARS + size);
    }
  });

  it('refuses an event whose data lines add up past MAX_SSE_CHARS, before it is dispatched', () => {
    const events: SseEvent[] = [];
    const p = createSseParser((e) => events.push(e));
    const err = refused(() => {
      for (let i = 0; i < 1000; i++) p.push(`data: ${'y'.repeat(1000)}\n`);
    });
    expect(err).toMatchObject({ code: 'invalid_response', message: expect.stringContaining('an event of more than 65536 characters') });
    expect(events).toEqual([]);
  });

  it('keeps taking what is within the bounds: a line and an event just under them, and a flood of comments', () => {
    const events: SseEvent[] = [];
    const p = createSseParser((e) => events.push(e));
    const near = 'z'.repeat(MAX_SSE_CHARS - 10);
    p.push(`data: ${near.slice(0, 1000)}`);
    p.push(`${near.slice(1000)}\n\n`);
    for (let i = 0; i < 10_000; i++) p.push(`: ping ${'c'.repeat(100)}\n`);
    p.push('event: poke\ndata: {"cursor":3}\n\n');
    expect(events).toEqual([message(near, 'message'), message('{"cursor":3}', 'poke')]);
  });
});
