/**
 * Reading a request body (body-reader.ts), alone: each limit at its edge, on a request whose
 * bytes and clock the test holds (a stream with a request's headers, fake timers). The same
 * limits over real sockets: `over-limit.test.ts` (size and drain), `slow-uploads.test.ts`
 * (time), `client-gone-log.test.ts` (a body dropped with its connection). Round 58, from the
 * file's first mutation run.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BodyError, readBody, wholeBody, type BodyLimits, type ReceivedBody } from '../body-reader.ts';

/** A request as readBody reads it: its headers, its body as written, its socket's fate. */
class FakeRequest extends PassThrough {
  headers: Record<string, string> = {};
  complete = false;
  readonly socket = { destroyed: false, destroy(): void { this.destroyed = true; } };
  constructor(contentLength?: number) {
    super();
    if (contentLength !== undefined) this.headers['content-length'] = String(contentLength);
  }
}

const LIMITS: BodyLimits = { maxBytes: 100, graceMs: 1000, minBytesPerSecond: 100, idleMs: 500, drainBytes: 50 };

const asRequest = (r: FakeRequest): IncomingMessage => r as unknown as IncomingMessage;
/** Lets the stream deliver what was written (its events run on ticks the fake clock leaves alone). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** readBody's outcome, settled or not yet. */
function watch(p: Promise<ReceivedBody>): { readonly body?: ReceivedBody; readonly error?: unknown } {
  const state: { body?: ReceivedBody; error?: unknown } = {};
  p.then((b) => { state.body = b; }, (e: unknown) => { state.error = e; });
  return state;
}

async function write(r: FakeRequest, bytes: number | string | Buffer): Promise<void> {
  r.write(typeof bytes === 'number' ? Buffer.alloc(bytes, 'a') : typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  await flush();
}

describe('reading a body', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }); });
  afterEach(() => { vi.useRealTimers(); });

  it('gives the body as it arrived: its length, its chunks, and once joined one buffer', async () => {
    const r = new FakeRequest(11);
    const read = watch(readBody(asRequest(r), LIMITS));
    await write(r, 'hello ');
    await write(r, 'world');
    r.end();
    await flush();
    const body = read.body;
    expect(body?.length).toBe(11);
    expect(body?.parts().map((p) => p.toString())).toEqual(['hello ', 'world']);
    expect(body?.bytes().toString()).toBe('hello world');
    expect(body?.parts().map((p) => p.toString())).toEqual(['hello world']);
  });

  it('joins a body into a buffer of its own: one chunk that owns its memory is taken as is, any other is copied', async () => {
    const bodyOf = async (chunks: Buffer[]): Promise<ReceivedBody | undefined> => {
      const r = new FakeRequest();
      const read = watch(readBody(asRequest(r), LIMITS));
      for (const c of chunks) await write(r, c);
      r.end();
      await flush();
      return read.body;
    };
    const own = Buffer.alloc(10, 'b');
    expect((await bodyOf([own]))?.bytes()).toBe(own);
    // A chunk that is part of a larger memory, at its start or further in, and a first chunk
    // whose memory is the body's size but holds more than that chunk: the body is a copy, and
    // stays as it arrived when that memory is written again.
    const cases: [Buffer, Buffer[], string][] = [];
    const start = Buffer.alloc(16, 'c');
    cases.push([start, [start.subarray(0, 5)], 'ccccc']);
    const inside = Buffer.alloc(16, 'c');
    cases.push([inside, [inside.subarray(2, 12)], 'cccccccccc']);
    const prefix = Buffer.alloc(11, 'h');
    cases.push([prefix, [prefix.subarray(0, 6), Buffer.from('world')], 'hhhhhhworld']);
    for (const [memory, chunks, text] of cases) {
      const body = await bodyOf(chunks);
      const bytes = body?.bytes();
      memory.fill('d');
      expect(bytes?.toString()).toBe(text);
      expect(body?.parts().map((p) => p.toString())).toEqual([text]);
    }
  });

  it('takes a body in one buffer already as it is', () => {
    const b = Buffer.from('{}');
    const body = wholeBody(b);
    expect(body.length).toBe(2);
    expect(body.bytes()).toBe(b);
    expect(body.parts()).toEqual([b]);
  });

  it('takes a body of exactly the limit, declared or not, and refuses one byte more as it arrives, then drains the rest', async () => {
    for (const declared of [100, undefined]) {
      const r = new FakeRequest(declared);
      const read = watch(readBody(asRequest(r), LIMITS));
      await write(r, 60);
      await write(r, 40);
      r.end();
      await flush();
      expect(read.body?.length).toBe(100);
    }
    const r = new FakeRequest();
    const read = watch(readBody(asRequest(r), LIMITS));
    await write(r, 60);
    await write(r, 41);
    expect(read.error).toBeInstanceOf(BodyError);
    expect(read.error).toMatchObject({ name: 'BodyError', status: 413, close: false, message: 'the request body is over the server\'s limit' });
    // Drained: up to 50 bytes more keep the connection; one more cuts it.
    await write(r, 50);
    expect(r.socket.destroyed).toBe(false);
    await write(r, 1);
    expect(r.socket.destroyed).toBe(true);
  });

  it('refuses a declared length over the limit before reading, drains it within its time, and closes past the drain bound', async () => {
    const r = new FakeRequest(101);
    const read = watch(readBody(asRequest(r), LIMITS));
    await flush();
    expect(read.error).toMatchObject({ name: 'BodyError', status: 413, close: false, message: 'the request body is over the server\'s limit' });
    // The drain's time: 1 s, plus (101 + 50) bytes at 100 B/s.
    await write(r, 20);
    vi.advanceTimersByTime(2509);
    expect(r.socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(r.socket.destroyed).toBe(true);

    const edge = new FakeRequest(150);
    const atEdge = watch(readBody(asRequest(edge), LIMITS));
    await flush();
    expect(atEdge.error).toMatchObject({ status: 413, close: false });
    const past = new FakeRequest(151);
    const pastEdge = watch(readBody(asRequest(past), LIMITS));
    await flush();
    expect(pastEdge.error).toMatchObject({ status: 413, close: true });
    // Not drained: a body too large even for that is not read.
    await write(past, 60);
    vi.advanceTimersByTime(10_000);
    expect(past.socket.destroyed).toBe(false);
  });

  it('stops draining a refused body once it ends: the connection stays', async () => {
    const r = new FakeRequest(120);
    watch(readBody(asRequest(r), LIMITS));
    await write(r, 40);
    r.end();
    await flush();
    vi.advanceTimersByTime(60_000);
    expect(r.socket.destroyed).toBe(false);
  });

  it('drains nothing of a refused body that has already arrived whole', async () => {
    const r = new FakeRequest(120);
    r.complete = true;
    const read = watch(readBody(asRequest(r), LIMITS));
    await flush();
    expect(read.error).toMatchObject({ status: 413, close: false });
    vi.advanceTimersByTime(60_000);
    expect(r.socket.destroyed).toBe(false);
  });

  it('refuses a body longer or shorter than its Content-Length, and closes the connection', async () => {
    const long = new FakeRequest(10);
    const longer = watch(readBody(asRequest(long), LIMITS));
    await write(long, 10);
    expect(longer.error).toBeUndefined();
    await write(long, 1);
    expect(longer.error).toMatchObject({ status: 400, close: true, message: 'the body does not match its Content-Length' });

    const short = new FakeRequest(10);
    const shorter = watch(readBody(asRequest(short), LIMITS));
    await write(short, 9);
    short.end();
    await flush();
    expect(shorter.error).toMatchObject({ status: 400, close: true, message: 'the body does not match its Content-Length' });
  });

  it('refuses a body cut off: its request destroyed before, or closed or failing while it is read', async () => {
    // Destroyed, its 'close' already fired: refused at once, not at the idle timeout.
    const before = new FakeRequest(10);
    before.destroy();
    await flush();
    const b = watch(readBody(asRequest(before), LIMITS));
    await flush();
    expect(b.error).toMatchObject({ status: 400, close: true, message: 'the request body was cut off' });

    const closed = new FakeRequest(10);
    const c = watch(readBody(asRequest(closed), LIMITS));
    await write(closed, 3);
    closed.emit('close');
    await flush();
    expect(c.error).toMatchObject({ status: 400, close: true, message: 'the request body was cut off' });

    const failed = new FakeRequest(10);
    const f = watch(readBody(asRequest(failed), LIMITS));
    failed.emit('error', new Error('reset'));
    await flush();
    expect(f.error).toMatchObject({ status: 400, close: true });
  });

  it('keeps a body read whole however long it waits to be used', async () => {
    const r = new FakeRequest(10);
    const read = watch(readBody(asRequest(r), LIMITS, { graceMs: 100, minBytesPerSecond: 1, onBehind: () => undefined }));
    await write(r, 'abcde');
    await write(r, 'fghij');
    r.end();
    await flush();
    vi.advanceTimersByTime(60_000);
    expect(read.body?.parts().map((p) => p.toString())).toEqual(['abcde', 'fghij']);
    expect(read.body?.bytes().toString()).toBe('abcdefghij');
  });

  it('cuts a body of which no byte arrives: at idleMs, or at the grace when that comes first; a reserved one is told it is behind', async () => {
    const idle = new FakeRequest(10);
    const stalled = watch(readBody(asRequest(idle), LIMITS));
    vi.advanceTimersByTime(499);
    await flush();
    expect(stalled.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    await flush();
    expect(stalled.error).toMatchObject({ status: 408, message: 'the request body stalled for 0.5 s' });

    const onBehind = vi.fn();
    const slow = new FakeRequest(10);
    const late = watch(readBody(asRequest(slow), { ...LIMITS, idleMs: 60_000 }, { graceMs: 300, minBytesPerSecond: 1000, onBehind }));
    vi.advanceTimersByTime(300);
    expect(onBehind).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(699);
    await flush();
    expect(late.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    await flush();
    expect(late.error).toMatchObject({ status: 408, message: expect.stringContaining('arrived too slowly') });
  });

  it('cuts a body that stalls for idleMs, however fast it started', async () => {
    const r = new FakeRequest(100);
    const read = watch(readBody(asRequest(r), LIMITS));
    await write(r, 90);
    vi.advanceTimersByTime(499);
    await flush();
    expect(read.error).toBeUndefined();
    await write(r, 1);
    vi.advanceTimersByTime(499);
    await flush();
    expect(read.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    await flush();
    expect(read.error).toMatchObject({ status: 408, close: true, message: 'the request body stalled for 0.5 s' });
  });

  it('cuts a body behind the pace: the grace, plus a second per minimal rate\'s worth of what arrived', async () => {
    const limits = { ...LIMITS, idleMs: 60_000, minBytesPerSecond: 2048, maxBytes: 1_000_000 };
    const r = new FakeRequest(100_000);
    const read = watch(readBody(asRequest(r), limits));
    // 1024 bytes earn half a second: the deadline is 1.5 s from the start.
    await write(r, 1024);
    vi.advanceTimersByTime(1499);
    await flush();
    expect(read.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    await flush();
    expect(read.error).toMatchObject({ status: 408, close: true, message: 'the request body arrived too slowly (under 2 KiB/s)' });
  });

  it('lets a body in time through: the deadline moves with each chunk', async () => {
    const limits = { ...LIMITS, idleMs: 60_000 };
    const r = new FakeRequest(300);
    const read = watch(readBody(asRequest(r), { ...limits, maxBytes: 1000 }));
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(900);
      await write(r, 100);
    }
    r.end();
    await flush();
    expect(read.error).toBeUndefined();
    expect(read.body?.length).toBe(300);
  });

  it('tells a reserved body behind its own pace once, without cutting it', async () => {
    const limits = { ...LIMITS, idleMs: 60_000, minBytesPerSecond: 1, maxBytes: 10_000 };
    const onBehind = vi.fn();
    const r = new FakeRequest(3000);
    const read = watch(readBody(asRequest(r), limits, { graceMs: 200, minBytesPerSecond: 1000, onBehind }));
    // 500 bytes earn 0.5 s: behind at 0.7 s.
    await write(r, 500);
    vi.advanceTimersByTime(699);
    expect(onBehind).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onBehind).toHaveBeenCalledTimes(1);
    // Still behind as more arrives: told once.
    for (let i = 0; i < 5; i++) {
      await write(r, 100);
      vi.advanceTimersByTime(1000);
    }
    expect(onBehind).toHaveBeenCalledTimes(1);
    await write(r, 2000);
    r.end();
    await flush();
    expect(read.body?.length).toBe(3000);
  });

  it('does not tell a reserved body in time that it is behind', async () => {
    const onBehind = vi.fn();
    const r = new FakeRequest(200);
    const read = watch(readBody(asRequest(r), { ...LIMITS, maxBytes: 1000 }, { graceMs: 200, minBytesPerSecond: 1000, onBehind }));
    await write(r, 100);
    vi.advanceTimersByTime(250);
    await write(r, 100);
    r.end();
    await flush();
    vi.advanceTimersByTime(10_000);
    expect(read.body?.length).toBe(200);
    expect(onBehind).not.toHaveBeenCalled();
  });
});
