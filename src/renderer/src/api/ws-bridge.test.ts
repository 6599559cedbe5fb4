/**
 * The bridge's connection (ws-bridge.ts): when the socket drops, calls in flight fail, the
 * sync panel says "reconnecting", and the bridge reconnects with capped backoff, then has the
 * UI re-read; when nothing answers for long enough, or the browser will not even create the
 * socket, it stops for good and says why. Its calls and events have test files of their own
 * (bridge-calls.test.ts, bridge-events.test.ts); the handshake, host-handshake.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AppEvent } from '../../../shared/app-api.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { BRIDGE_MESSAGES } from './bridge-frames.ts';
import { HANDSHAKE_MESSAGES } from './host-handshake.ts';
import { HOST_GONE_CODE } from '../lib/sync-label.ts';
import { BRIDGE_URL, SYNC, setupBridge } from '../testing/fake-bridge-socket.ts';
import { createWsBridge } from './ws-bridge.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the WebSocket bridge', () => {
  it('when the socket drops: fails the calls in flight, shows "reconnecting", reconnects with backoff, then refreshes', async () => {
    const { bridge, sockets, last } = setupBridge();
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
    const { sockets, last } = setupBridge();
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
    const { bridge, sockets, last } = setupBridge({ giveUpAfterMs: 30_000, timeoutMs: 120_000 });
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
      url: BRIDGE_URL,
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
    const { bridge, last } = setupBridge({ giveUpAfterMs: 30_000 });
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
});
