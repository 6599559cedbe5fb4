/**
 * The bridge's calls (bridge-calls.ts, through createWsBridge): each answered by the envelope
 * of its id, queued while connecting (within a bound), timed out, refused before sending when
 * its arguments cannot go, failed when the bridge is closed; and their error envelopes turned
 * into AppErrors by createApiClient. The connection's life is ws-bridge.test.ts's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/app-api.ts';
import { WS_MAX_FRAME_BYTES } from '../../../shared/ws-protocol.ts';
import { BRIDGE_MESSAGES } from './bridge-frames.ts';
import { BRIDGE_URL, FakeSocket, setupBridge } from '../testing/fake-bridge-socket.ts';
import { createWsApi } from './ws-bridge.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the WebSocket bridge', () => {
  it('sends { id, method, args } and resolves each call with the envelope of its own id', async () => {
    const { bridge, last } = setupBridge();
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
    const { bridge, last } = setupBridge();
    const call = bridge.invoke('info', []);
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([{ id: 1, method: 'info', args: [] }]);
    last().answer(0, { ok: true, value: 'i' });
    await expect(call).resolves.toEqual({ ok: true, value: 'i' });
  });

  it('turns error envelopes into AppErrors through createApiClient, keeping the code', async () => {
    const sockets: FakeSocket[] = [];
    const api = createWsApi({ url: BRIDGE_URL, createSocket: (u) => (sockets.push(new FakeSocket(u)), sockets.at(-1) as FakeSocket) });
    const s = sockets[0] as FakeSocket;
    s.open();
    const call = api.create('todos', { listId: 'l1', title: '' });
    s.answer(0, { ok: false, error: { code: 'invalid_argument', message: "Title can't be empty." } });
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'invalid_argument', message: "Title can't be empty." });
  });

  it('answers a malformed envelope with an internal error, and ignores frames it does not understand', async () => {
    const { bridge, last } = setupBridge();
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
    const { bridge, last } = setupBridge({ timeoutMs: 1000 });
    last().open();
    const call = bridge.invoke('syncNow', []);
    vi.advanceTimersByTime(1000);
    await expect(call).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.timeout } });
    last().answer(0, { ok: true, value: null }); // too late: nothing happens
  });

  it('refuses arguments that cannot be sent or are too large, without sending anything', async () => {
    const { bridge, last } = setupBridge();
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

  it('refuses to queue without bound while disconnected', async () => {
    const { bridge } = setupBridge({ maxQueued: 2 });
    void bridge.invoke('info', []);
    void bridge.invoke('info', []);
    await expect(bridge.invoke('info', [])).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.busy } });
  });

  it('close() fails waiting calls, closes the socket and stops reconnecting', async () => {
    const { bridge, sockets, last } = setupBridge();
    const waiting = bridge.invoke('info', []);
    bridge.close();
    await expect(waiting).resolves.toEqual({ ok: false, error: { code: 'internal', message: BRIDGE_MESSAGES.closed } });
    expect(last().closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    await expect(bridge.invoke('info', [])).resolves.toMatchObject({ ok: false });
  });
});
