/**
 * The poke stream's own behaviour (poke-stream.ts), driven through a scripted `fetch` so that
 * each case controls exactly what the server sends and when: which pokes reach the client,
 * when it reconnects and when it gives up, the idle watch, the backoff, and unsubscribing.
 * The end-to-end path against the real server is in server/__tests__/clients.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpRemote, pokeStream, type FieldsyncError, type RemoteError } from '../index.ts';
import type { PokeStreamOptions } from '../poke-stream.ts';
import { until } from './harness/test-kit.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const encoder = new TextEncoder();

/** One connection as the script sees it: what to send, and whether the client aborted it. */
interface Connection {
  readonly url: string;
  readonly headers: Record<string, string>;
  send(text: string): void;
  sendBytes(bytes: Uint8Array): void;
  end(): void;
  aborted: boolean;
}

/**
 * A fetch whose every call is answered by `answer`: `'stream'` opens a stream the case then
 * writes to (aborting the request errors it, as a real fetch does), `'no answer'` never
 * answers (until the request is aborted), or any other Response.
 */
function scriptedFetch(answer: (n: number) => 'stream' | 'no answer' | Response) {
  const connections: Connection[] = [];
  let calls = 0;
  const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    const n = ++calls;
    const a = answer(n);
    if (a === 'no answer') return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    if (a !== 'stream') return a;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
    const conn: Connection = {
      url,
      headers: init?.headers as Record<string, string>,
      aborted: false,
      send: (text) => controller.enqueue(encoder.encode(text)),
      sendBytes: (bytes) => controller.enqueue(bytes),
      end: () => controller.close(),
    };
    init?.signal?.addEventListener('abort', () => {
      conn.aborted = true;
      controller.error(init.signal?.reason);
    });
    connections.push(conn);
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return { fetch, connections, calls: () => calls };
}

/**
 * The timers of 30 s or more armed from now on (the stream's, in these cases; the test's own
 * are shorter) that are still live: neither cleared nor fired. A live one would hold a Node
 * process open after its app is done.
 */
function trackLongTimers(): { live: Set<unknown>; restore(): void } {
  const live = new Set<unknown>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const set = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    const handle: unknown = realSet(() => {
      live.delete(handle);
      fn();
    }, ms);
    if (ms !== undefined && ms >= 30_000) live.add(handle);
    return handle;
  }) as typeof setTimeout);
  const clear = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((handle: Parameters<typeof clearTimeout>[0]) => {
    live.delete(handle);
    realClear(handle);
  }) as typeof clearTimeout);
  return { live, restore: () => { set.mockRestore(); clear.mockRestore(); } };
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** The client side: the pokes, opens and errors it saw. */
function subscribe(fetch: ReturnType<typeof scriptedFetch>['fetch'], options: PokeStreamOptions = {}) {
  const seen = { pokes: [] as number[], opens: 0, errors: [] as FieldsyncError[] };
  const remote = createHttpRemote({ url: 'http://sync.test/', token: 'tok', fetch, pokes: pokeStream({ reconnect: { initialMs: 10, maxMs: 20 }, ...options }) });
  const stop = remote.subscribe!('client/1', {
    onPoke: (p) => seen.pokes.push(p.cursor),
    onOpen: () => seen.opens++,
    onError: (e) => seen.errors.push(e),
  });
  stops.push(stop);
  return { seen, stop };
}

describe('the poke stream', () => {
  it('asks for the client\'s events with its token, and passes on only well-formed pokes', async () => {
    const f = scriptedFetch(() => 'stream');
    const { seen } = subscribe(f.fetch);
    await until(() => f.connections.length === 1 && seen.opens === 1);
    const c = f.connections[0] as Connection;
    expect(c.url).toBe('http://sync.test/v1/events?clientId=client%2F1');
    expect(c.headers).toMatchObject({ Accept: 'text/event-stream', Authorization: 'Bearer tok' });
    for (const data of ['{"cursor":0}', '{"cursor":-1}', '{"cursor":1.5}', '{"cursor":"7"}', `{"cursor":${2 ** 53}}`, '{}', 'not json', 'null', '{"cursor":42}']) {
      c.send(`event: poke\ndata: ${data}\n\n`);
    }
    c.send('data: {"cursor":5}\n\nevent: other\ndata: {"cursor":6}\n\n: ping\n\nevent: poke\ndata: {"cursor":7}\n\n');
    await until(() => seen.pokes.length >= 3);
    expect(seen.pokes).toEqual([0, 42, 7]);
    expect(seen.errors).toEqual([]);
  });

  it('stops for good on 401, and only there: another refusal is retried with backoff', async () => {
    const refusal = (status: number, code: string) => new Response(JSON.stringify({ error: { code, message: code } }), { status, headers: { 'content-type': 'application/json' } });
    const unauthorized = scriptedFetch(() => refusal(401, 'unauthorized'));
    const a = subscribe(unauthorized.fetch);
    await until(() => a.seen.errors.length === 1);
    await wait(100); // five backoffs' worth
    expect(unauthorized.calls()).toBe(1);
    expect(a.seen.errors.map((e) => e.code)).toEqual(['unauthorized']);

    const busy = scriptedFetch((n) => (n < 3 ? refusal(503, 'internal') : 'stream'));
    const b = subscribe(busy.fetch);
    await until(() => b.seen.opens === 1);
    expect(busy.calls()).toBe(3);
    expect(b.seen.errors.map((e) => e.code)).toEqual(['internal', 'internal']);
  });

  it('gives up with a clear error when the fetch cannot stream a response body', async () => {
    const f = scriptedFetch(() => new Response(null, { status: 200 }));
    const { seen } = subscribe(f.fetch);
    await until(() => seen.errors.length === 1);
    await wait(100);
    expect(f.calls()).toBe(1);
    expect(seen.errors[0]).toMatchObject({ code: 'network', message: 'this fetch cannot stream responses; realtime pokes are off' });
    expect(seen.opens).toBe(0);
  });

  it('gives up with a clear error on a runtime without TextDecoder (Hermes, QuickJS), and releases its one connection', async () => {
    vi.stubGlobal('TextDecoder', undefined);
    try {
      const f = scriptedFetch(() => 'stream');
      const { seen } = subscribe(f.fetch);
      await until(() => seen.errors.length === 1);
      await wait(100); // five backoffs' worth
      expect(f.calls()).toBe(1);
      expect(f.connections[0]?.aborted).toBe(true);
      expect(seen.opens).toBe(0);
      expect(seen.errors.map((e) => [e.code, e.message])).toEqual([['network', 'this runtime has no TextDecoder; realtime pokes are off']]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a failure of its own (not the connection\'s) is no network error, is said once, and leaves no request open', async () => {
    // A fetch polyfill whose body yields strings, not bytes: decoding them is a TypeError. The
    // fetch ignores its signal, as some polyfills do: only cancel() releases the body.
    let calls = 0;
    let cancelled = 0;
    const signals: AbortSignal[] = [];
    const fetch = async (_url: string, init?: RequestInit): Promise<Response> => {
      calls++;
      if (init?.signal) signals.push(init.signal);
      let sent = false;
      const body = { getReader: () => ({
        read: async () => (sent ? new Promise<never>(() => {}) : ((sent = true), { done: false, value: 'event: poke\ndata: {"cursor":7}\n\n' })),
        cancel: async () => { cancelled++; },
      }) };
      return { status: 200, headers: new Headers({ 'content-type': 'text/event-stream' }), body } as unknown as Response;
    };
    const { seen } = subscribe(fetch);
    await until(() => seen.errors.length === 1);
    await wait(100);
    expect(calls).toBe(1);
    expect(seen.errors[0]?.code).toBe('internal');
    expect(seen.errors[0]?.message).toMatch(/^the poke stream failed: ./); // with the cause's own words
    expect(seen.errors[0]?.cause).toBeInstanceOf(TypeError);
    expect(signals.every((sg) => sg.aborted)).toBe(true);
    expect(cancelled).toBe(1);
  });

  it('a connection that fails mid-stream is a network error, retried, and each one is released', async () => {
    let cancelled = 0;
    const signals: AbortSignal[] = [];
    const fetch = async (_url: string, init?: RequestInit): Promise<Response> => {
      if (init?.signal) signals.push(init.signal);
      const body = { getReader: () => ({
        read: () => Promise.reject(new TypeError('network error')),
        cancel: async () => { cancelled++; },
      }) };
      return { status: 200, headers: new Headers({ 'content-type': 'text/event-stream' }), body } as unknown as Response;
    };
    const { seen, stop } = subscribe(fetch);
    await until(() => seen.errors.length >= 3);
    stop();
    expect(seen.errors.every((e) => e.code === 'network' && e.message === 'the poke stream was interrupted')).toBe(true);
    expect(signals.every((sg) => sg.aborted)).toBe(true);
    expect(cancelled).toBe(signals.length);
  });

  it('reconnects when the server ends the stream, and after silence, but not while anything arrives', async () => {
    const f = scriptedFetch((n) => (n === 1 ? 'no answer' : 'stream'));
    const { seen } = subscribe(f.fetch, { idleTimeoutMs: 250 });
    // A server that takes the request and never answers is silent too.
    await until(() => f.connections.length === 1);
    expect(f.calls()).toBe(2);
    expect(seen.errors.map((e) => [e.code, e.message])).toEqual([['network', 'the poke stream was interrupted']]);
    expect((seen.errors[0]?.cause as Error).message).toBe('idle'); // why: the silence
    seen.errors.length = 0;
    const first = f.connections[0] as Connection;
    // A ping every 40 ms keeps the connection for about two idle periods.
    for (let i = 0; i < 12; i++) {
      await wait(40);
      first.send(': ping\n\n');
    }
    expect(f.connections).toHaveLength(1);
    expect(first.aborted).toBe(false);
    // Silence: aborted after the idle period, reported, and a new connection opened.
    await until(() => f.connections.length === 2);
    expect(first.aborted).toBe(true);
    expect(seen.errors.map((e) => [e.code, e.message])).toEqual([['network', 'the poke stream was interrupted']]);
    // The server ends the stream: a new connection, and no error (an end is not a failure).
    (f.connections[1] as Connection).end();
    await until(() => f.connections.length === 3);
    expect(seen.errors).toHaveLength(1);
    expect(seen.opens).toBe(3);
  });

  it('backs off: the delay doubles after each connection that did not last', async () => {
    const f = scriptedFetch(() => new Response('', { status: 503 }));
    subscribe(f.fetch, { reconnect: { initialMs: 20, maxMs: 10_000 } });
    await wait(400);
    // At least 10 + 20 + 40 + 80 + 160 ms between the first six attempts (half of each delay,
    // the least the jitter gives): at most six in 400 ms. A fixed 10-20 ms would make 20 or more.
    expect(f.calls()).toBeGreaterThanOrEqual(3);
    expect(f.calls()).toBeLessThanOrEqual(6);
  });

  it('unsubscribing aborts the open connection, reports nothing, never connects again, and leaves no timer armed', async () => {
    const timers = trackLongTimers();
    try {
      const f = scriptedFetch(() => 'stream');
      const { seen, stop } = subscribe(f.fetch, { idleTimeoutMs: 60_000, reconnect: { initialMs: 60_000, maxMs: 60_000 } });
      await until(() => seen.opens === 1);
      expect(timers.live.size).toBe(1); // the idle watch
      stop();
      expect((f.connections[0] as Connection).aborted).toBe(true);
      await wait(100);
      expect(timers.live.size).toBe(0); // neither the idle watch nor a backoff sleep
      expect(f.calls()).toBe(1);
      expect(seen.errors).toEqual([]);
    } finally {
      timers.restore();
    }
  });

  it('a connection that stayed up more than 30 s starts the backoff over; one of exactly 30 s does not', async () => {
    // The clock is fake (frozen, moved by hand) and the jitter is 0, so each backoff sleep is
    // exactly half its capped delay: which attempt it was is read off the delay asked for.
    vi.useFakeTimers({ toFake: ['Date'] }); // only the clock: timers stay real
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    const realSet = globalThis.setTimeout;
    const sleeps: number[] = [];
    const set = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      if (ms !== undefined && ms >= 20 && ms < 60_000) sleeps.push(ms); // not until()'s 5 ms, nor the idle watch's 60 s
      return realSet(fn, ms);
    }) as typeof setTimeout);
    try {
      const f = scriptedFetch((n) => (n <= 2 ? new Response('', { status: 503 }) : 'stream'));
      subscribe(f.fetch, { idleTimeoutMs: 60_000, reconnect: { initialMs: 40, maxMs: 10_000 } });
      await until(() => f.connections.length === 1); // after two failures (sleeps of 20 and 40 ms)
      vi.setSystemTime(Date.now() + 30_000); // up for exactly 30 s: not long enough
      (f.connections[0] as Connection).end();
      await until(() => f.connections.length === 2);
      vi.setSystemTime(Date.now() + 30_001); // up for 30.001 s: the backoff starts over
      (f.connections[1] as Connection).end();
      await until(() => sleeps.length === 4);
      expect(sleeps).toEqual([20, 40, 80, 20]);
    } finally {
      set.mockRestore();
      random.mockRestore();
      vi.useRealTimers();
    }
  });

  it('unsubscribing while it waits to reconnect ends the wait: no connection after it, and no timer left', async () => {
    const timers = trackLongTimers();
    try {
      const f = scriptedFetch(() => new Response('', { status: 503 }));
      const { seen, stop } = subscribe(f.fetch, { reconnect: { initialMs: 60_000, maxMs: 60_000 } });
      await until(() => seen.errors.length === 1 && timers.live.size === 1); // the backoff sleep
      stop();
      await wait(100);
      expect(timers.live.size).toBe(0);
      expect(f.calls()).toBe(1);
    } finally {
      timers.restore();
    }
  });

  it('decodes a UTF-8 sequence split between two reads whole (a BOM split in two does not cost the first poke)', async () => {
    const f = scriptedFetch(() => 'stream');
    const { seen } = subscribe(f.fetch);
    await until(() => f.connections.length === 1 && seen.opens === 1);
    const c = f.connections[0] as Connection;
    const bytes = encoder.encode('\uFEFFevent: poke\ndata: {"cursor":1}\n\n');
    c.sendBytes(bytes.subarray(0, 2));
    c.sendBytes(bytes.subarray(2));
    c.send('event: poke\ndata: {"cursor":2}\n\n');
    await until(() => seen.pokes.includes(2));
    expect(seen.pokes).toEqual([1, 2]);
  });

  it('takes only an event stream for one: another answer of 200 is reported, released and retried', async () => {
    let cancelled = 0;
    const body = (text: string) => new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(encoder.encode(text)),
      cancel: () => void cancelled++,
    });
    const types = ['text/html; charset=utf-8', null, 'x-text/event-stream', 'text/event-streamer'];
    const f = scriptedFetch((n) => {
      if (n > types.length) return 'stream';
      const type = types[n - 1];
      // (A ReadableStream body gives a Response no Content-Type of its own.)
      return new Response(body('event: poke\ndata: {"cursor":9}\n\n'), { status: 200, headers: type === null ? {} : { 'content-type': type } });
    });
    const { seen } = subscribe(f.fetch);
    await until(() => f.connections.length === 1 && seen.opens === 1);
    // A content type is matched without regard to case, its parameters aside.
    expect(seen.errors.map((e) => [e.code, (e as RemoteError).status, e.message])).toEqual([
      ['invalid_response', 200, 'http://sync.test/v1/events answered text/html, not an event stream: is the remote\'s URL the server\'s?'],
      ['invalid_response', 200, 'http://sync.test/v1/events answered without a Content-Type, not an event stream: is the remote\'s URL the server\'s?'],
      ['invalid_response', 200, 'http://sync.test/v1/events answered x-text/event-stream, not an event stream: is the remote\'s URL the server\'s?'],
      ['invalid_response', 200, 'http://sync.test/v1/events answered text/event-streamer, not an event stream: is the remote\'s URL the server\'s?'],
    ]);
    expect(cancelled).toBe(types.length);
    expect(seen.pokes).toEqual([]); // none of them was read
  });

  it('takes an event stream whatever the case of its type, and with parameters', async () => {
    const stream = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(encoder.encode('event: poke\ndata: {"cursor":3}\n\n')) });
    const f = scriptedFetch(() => new Response(stream, { status: 200, headers: { 'content-type': 'Text/Event-Stream; charset=utf-8' } }));
    const { seen } = subscribe(f.fetch);
    await until(() => seen.pokes.length === 1);
    expect(seen.pokes).toEqual([3]);
    expect(seen.errors).toEqual([]);
  });

  it('reports a redirect gone wrong (another origin, or a 405 after one), releases its body, and retries', async () => {
    let cancelled = 0;
    const redirected = (response: Response, url: string): Response => Object.defineProperties(response, { redirected: { value: true }, url: { value: url } });
    const f = scriptedFetch((n) => {
      if (n === 1) {
        const body = new ReadableStream<Uint8Array>({ cancel: () => void cancelled++ });
        return redirected(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }), 'https://sync.test/v1/events?clientId=client%2F1');
      }
      if (n === 2) return redirected(new Response(null, { status: 405 }), 'http://sync.test/v1/events?clientId=client%2F1');
      return 'stream';
    });
    const { seen } = subscribe(f.fetch);
    await until(() => f.connections.length === 1 && seen.opens === 1);
    expect(seen.errors.map((e) => [e.code, (e as RemoteError).status])).toEqual([['invalid_response', 200], ['invalid_response', 405]]);
    expect(seen.errors[0]?.message).toMatch(/^the server redirected the request to https:\/\/sync\.test \(HTTP 200 there\)/);
    expect(cancelled).toBe(1);
  });
});
