import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError, type AppEvent, type SyncView } from '../../../shared/app-api.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { WS_MAX_FRAME_BYTES } from '../../../shared/ws-protocol.ts';
import { hostApiUrl, installBrowserHostApi } from './browser-host.ts';
import { getApi, setApiFactory } from './get-api.ts';
import { BRIDGE_MESSAGES } from './bridge-frames.ts';
import { HANDSHAKE_MESSAGES } from './host-handshake.ts';
import { HOST_GONE_CODE } from '../lib/sync-label.ts';
import { createWsApi, createWsBridge, type BridgeSocket } from './ws-bridge.ts';

/** A socket whose other end the test plays: it sees the frames sent and answers at will. */
class FakeSocket implements BridgeSocket {
  readyState = 0;
  readonly sent: { id: number; method: string; args: unknown[] }[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedWith: number | undefined;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({});
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  answer(index: number, envelope: unknown): void {
    this.receive({ id: this.sent[index]?.id, envelope });
  }
}

const URL_ = 'ws://127.0.0.1:4100/api?key=k';
const SYNC: SyncView = { state: 'idle', online: true, configured: true, pending: 0, unsentItems: 0, rejected: 0, lastSyncAt: 1, cursor: 3, error: null, nextRetryAt: null, device: 'web-1', network: { latencyMs: 0, dropRate: 0 } };

function setup(options: { timeoutMs?: number; maxQueued?: number; giveUpAfterMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const bridge = createWsBridge({
    url: URL_,
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    random: () => 1,
    reconnect: { initialMs: 100, maxMs: 1000 },
    ...options,
  });
  const last = (): FakeSocket => sockets.at(-1) as FakeSocket;
  return { bridge, sockets, last };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the WebSocket bridge', () => {
  it('sends { id, method, args } and resolves each call with the envelope of its own id', async () => {
    const { bridge, last } = setup();
    last().open();
    const a = bridge.invoke('rows', ['lists', {}]);
    const b = bridge.invoke('rows', ['todos', { parent: 'l1' }]);
    expect(last().sent).toEqual([
      { id: 1, method: 'rows', args: ['lists', {}] },
      { id: 2, method: 'rows', args: ['todos', { parent: 'l1' }] },
    ]);
    last().answer(1, { ok: true, value: ['second'] });
    last().answer(0, { ok: true, value: ['first'] });
    await expect(a).resolves.toEqual({ ok: true, value: ['first'] });
    await expect(b).resolves.toEqual({ ok: true, value: ['second'] });
  });

  it('queues calls made while connecting and sends them once the socket opens', async () => {
    const { bridge, last } = setup();
    const call = bridge.invoke('info', []);
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([{ id: 1, method: 'info', args: [] }]);
    last().answer(0, { ok: true, value: 'i' });
    await expect(call).resolves.toEqual({ ok: true, value: 'i' });
  });

  it('turns error envelopes into AppErrors through createApiClient, keeping the code', async () => {
    const sockets: FakeSocket[] = [];
    const api = createWsApi({ url: URL_, createSocket: (u) => (sockets.push(new FakeSocket(u)), sockets.at(-1) as FakeSocket) });
    const s = sockets[0] as FakeSocket;
    s.open();
    const call = api.create('todos', { listId: 'l1', title: '' });
    s.answer(0, { ok: false, error: { code: 'invalid_argument', message: "Title can't be empty." } });
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'invalid_argument', message: "Title can't be empty." });
  });

  it('answers a malformed envelope with an internal error, and ignores frames it does not understand', async () => {
    const { bridge, last } = setup();
    last().open();
    const call = bridge.invoke('rows', ['lists', {}]);
    last().receive('not json');
    last().receive({ id: 99, envelope: { ok: true, value: 1 } }); // nobody asked
    last().receive([1, 2]);
    last().receive({ event: { type: 'nonsense' } });
    last().answer(0, { ok: 'yes' });
    await expect(call).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.malformed } });
  });

  it('times a call out with an error envelope, and ignores its late answer', async () => {
    const { bridge, last } = setup({ timeoutMs: 1000 });
    last().open();
    const call = bridge.invoke('syncNow', []);
    vi.advanceTimersByTime(1000);
    await expect(call).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.timeout } });
    last().answer(0, { ok: true, value: null }); // too late: nothing happens
  });

  it('refuses arguments that cannot be sent or are too large, without sending anything', async () => {
    const { bridge, last } = setup();
    last().open();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(bridge.invoke('create', ['lists', cyclic])).resolves.toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    await expect(bridge.invoke('create', ['lists', { name: 'x'.repeat(WS_MAX_FRAME_BYTES) }])).resolves.toEqual({
      ok: false,
      error: { code: 'invalid_argument', message: BRIDGE_MESSAGES.tooBig },
    });
    expect(last().sent).toEqual([]);
  });

  it('forwards pushed events to every listener until they unsubscribe', () => {
    const { bridge, last } = setup();
    last().open();
    const a: AppEvent[] = [];
    const b: AppEvent[] = [];
    const offA = bridge.onEvent((e) => a.push(e));
    bridge.onEvent((e) => b.push(e));
    const event: AppEvent = { type: 'data', source: 'remote', tables: ['todos'] };
    last().receive({ event });
    offA();
    last().receive({ event: { type: 'sync', sync: SYNC } });
    const replaced: AppEvent = { type: 'replaced', notices: [] };
    last().receive({ event: replaced });
    expect(a).toEqual([event]);
    expect(b).toEqual([event, { type: 'sync', sync: SYNC }, replaced]);
  });

  it('a listener that throws does not stop the others', () => {
    const { bridge, last } = setup();
    last().open();
    const seen: AppEvent[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    bridge.onEvent(() => {
      throw new Error('boom');
    });
    bridge.onEvent((e) => seen.push(e));
    last().receive({ event: { type: 'data', source: 'local', tables: [] } });
    expect(seen).toHaveLength(1);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  it('when the socket drops: fails the calls in flight, shows "reconnecting", reconnects with backoff, then refreshes', async () => {
    const { bridge, sockets, last } = setup();
    last().open();
    const events: AppEvent[] = [];
    bridge.onEvent((e) => events.push(e));
    last().receive({ event: { type: 'sync', sync: SYNC } });
    const inFlight = bridge.invoke('create', ['todos', { listId: 'l1', title: 'Milk' }]);
    last().drop();
    await expect(inFlight).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.lost } });
    expect(bridge.state).toBe('connecting');
    expect(events.at(-1)).toEqual({ type: 'sync', sync: { ...SYNC, state: 'error', error: { code: 'disconnected', message: BRIDGE_MESSAGES.reconnecting } } });

    // A call made while disconnected waits for the new socket.
    const waiting = bridge.invoke('rows', ['lists', {}]);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(100); // first retry after initialMs (random() = 1: the full delay)
    expect(sockets).toHaveLength(2);
    last().drop(); // the host is still down: the next try waits twice as long
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    last().open();
    expect(last().sent.map((f) => f.method)).toEqual(['rows', 'syncStatus']);
    expect(events.at(-1)).toEqual({ type: 'data', source: 'remote', tables: [...appSchema.tableNames] });
    last().answer(0, { ok: true, value: [] });
    last().answer(1, { ok: true, value: { ...SYNC, cursor: 9 } });
    await expect(waiting).resolves.toEqual({ ok: true, value: [] });
    await vi.waitFor(() => expect(events.at(-1)).toEqual({ type: 'sync', sync: { ...SYNC, cursor: 9 } }));
  });

  it('caps the reconnection delay, and resets it after a successful connection', () => {
    const { sockets, last } = setup();
    for (let i = 0; i < 6; i++) {
      last().drop();
      vi.advanceTimersByTime(1000); // maxMs
    }
    expect(sockets).toHaveLength(7);
    last().open();
    last().drop();
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(8);
  });

  it('gives up for good, saying the instance is gone, once its address has answered nothing for giveUpAfterMs', async () => {
    const { bridge, sockets, last } = setup({ giveUpAfterMs: 30_000, timeoutMs: 120_000 });
    last().open();
    last().receive({ event: { type: 'sync', sync: SYNC } });
    const events: AppEvent[] = [];
    bridge.onEvent((e) => events.push(e));
    last().drop(); // the host stopped; every attempt from now on is refused
    const waiting = bridge.invoke('info', []);
    const until = Date.now() + 29_000;
    while (Date.now() < until) {
      vi.advanceTimersByTime(1000);
      last().drop();
    }
    expect(bridge.state).toBe('connecting'); // a host restarting on the same port has time to come back
    vi.advanceTimersByTime(1000);
    last().drop();
    vi.advanceTimersByTime(1000);
    last().drop();
    const gone = HANDSHAKE_MESSAGES['host-unproven'];
    expect(gone).toMatch(/^This instance was restarted or is no longer at this address/);
    expect(bridge.state).toBe('closed');
    expect(events.at(-1)).toEqual({ type: 'sync', sync: { ...SYNC, state: 'error', error: { code: HOST_GONE_CODE, message: gone } } });
    await expect(waiting).resolves.toEqual({ ok: false, error: { code: 'internal', message: gone } });
    const tries = sockets.length;
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(tries); // no more failed connections (one console error each)
    await expect(bridge.invoke('info', [])).resolves.toEqual({ ok: false, error: { code: 'internal', message: gone } });
  });

  // It retried every second, for ever, logging a failed connection each time.
  it('gives up at once, saying so, when the browser refuses to create the socket at all', async () => {
    let tries = 0;
    const bridge = createWsBridge({
      url: URL_,
      createSocket: () => {
        tries++;
        throw new DOMException('The port is blocked', 'SecurityError');
      },
      random: () => 1,
      reconnect: { initialMs: 100, maxMs: 1000 },
    });
    const events: AppEvent[] = [];
    bridge.onEvent((e) => events.push(e));
    const call = bridge.invoke('info', []);
    vi.advanceTimersByTime(60_000);
    expect(tries).toBe(1);
    expect(bridge.state).toBe('closed');
    expect(BRIDGE_MESSAGES.refused).toMatch(/^This browser refuses to open a connection to this instance/);
    await expect(call).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.refused } });
    expect(events.at(-1)).toMatchObject({ type: 'sync', sync: { state: 'error', error: { code: HOST_GONE_CODE, message: BRIDGE_MESSAGES.refused } } });
  });

  it('counts the silence from the last time something answered: a host back in time resets it', () => {
    const { bridge, last } = setup({ giveUpAfterMs: 30_000 });
    const downFor = (ms: number): void => {
      const until = Date.now() + ms;
      last().drop();
      while (Date.now() < until) {
        vi.advanceTimersByTime(1000);
        last().drop();
      }
    };
    downFor(25_000);
    vi.advanceTimersByTime(1000);
    last().open(); // a host answered (its handshake decides whether the session still holds)
    downFor(25_000);
    expect(bridge.state).toBe('connecting');
    downFor(6000);
    expect(bridge.state).toBe('closed');
  });

  it('refuses to queue without bound while disconnected', async () => {
    const { bridge } = setup({ maxQueued: 2 });
    void bridge.invoke('info', []);
    void bridge.invoke('info', []);
    await expect(bridge.invoke('info', [])).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.busy } });
  });

  it('close() fails waiting calls, closes the socket and stops reconnecting', async () => {
    const { bridge, sockets, last } = setup();
    const waiting = bridge.invoke('info', []);
    bridge.close();
    await expect(waiting).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.closed } });
    expect(last().closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    await expect(bridge.invoke('info', [])).resolves.toMatchObject({ ok: false });
  });
});

describe('the browser host bootstrap', () => {
  afterEach(() => {
    setApiFactory(null);
    document.head.querySelectorAll('meta[name="fieldsync-host"]').forEach((m) => m.remove());
  });

  const addMeta = (content: string): void => {
    const meta = document.createElement('meta');
    meta.name = 'fieldsync-host';
    meta.content = content;
    document.head.append(meta);
  };

  it('takes the API URL from the meta tag only when it points at the page’s own host', () => {
    expect(hostApiUrl(document)).toBeNull();
    const own = `ws://${location.host}/api?key=abc`;
    addMeta(own);
    expect(hostApiUrl(document)).toBe(own);
  });

  it.each([
    'ws://evil.example:4100/api?key=abc',
    'wss://127.0.0.1:1/api',
    'http://localhost/api',
    'javascript:alert(1)',
    'not a url',
  ])('ignores a meta tag pointing elsewhere: %s', (content) => {
    addMeta(content);
    expect(hostApiUrl(document)).toBeNull();
  });

  it('registers a WebSocket API factory only when served by the browser host', () => {
    expect(installBrowserHostApi(window)).toBe(false);
    expect(getApi()).toBeNull();
    addMeta(`ws://${location.host}/api?key=abc`);
    const sockets: FakeSocket[] = [];
    expect(installBrowserHostApi(window, { createSocket: (u) => (sockets.push(new FakeSocket(u)), sockets.at(-1) as FakeSocket) })).toBe(true);
    const api = getApi();
    expect(api).not.toBeNull();
    expect(getApi()).toBe(api); // one bridge, however often it is asked for
    expect(sockets.map((s) => s.url)).toEqual([`ws://${location.host}/api?key=abc`]);
  });
});
