/**
 * The bridge's events to listeners (bridge-events.ts, through createWsBridge): the host's
 * pushed events reach every listener until it unsubscribes, whatever another listener
 * throws. The bridge's own events (reconnecting, the host gone) are ws-bridge.test.ts's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AppEvent } from '../../../shared/app-api.ts';
import { SYNC, setupBridge } from '../testing/fake-bridge-socket.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the WebSocket bridge', () => {
  it('forwards pushed events to every listener until they unsubscribe', () => {
    const { bridge, last } = setupBridge();
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
    const { bridge, last } = setupBridge();
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
});
