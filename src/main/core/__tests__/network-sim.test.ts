/**
 * The simulated network on a fake clock: what the sync panel's "Network" control does to every
 * request, asserted by what has happened at each instant rather than by how long a sync took
 * (round 67: demo-features.test.ts had timed a real sync, `>= 390 ms` and `< 300 ms`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNetworkSim, MAX_LATENCY_MS } from '../network-sim.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A base fetch that records when it was called and answers at once. */
function recorder() {
  const calls: number[] = [];
  const base = async (): Promise<Response> => {
    calls.push(Date.now());
    return new Response('ok');
  };
  return { calls, base };
}

describe('the simulated network', () => {
  it('holds each request half its latency before sending it and half before its answer', async () => {
    const { calls, base } = recorder();
    const sim = createNetworkSim(base);
    sim.set({ latencyMs: 400, dropRate: 0 });
    const start = Date.now();
    let answered = false;
    const request = sim.fetch('http://127.0.0.1/x').then((r) => ((answered = true), r));
    await vi.advanceTimersByTimeAsync(199);
    expect(calls, 'not sent before half the latency').toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls, 'sent at half the latency').toEqual([start + 200]);
    await vi.advanceTimersByTimeAsync(199);
    expect(answered, 'the answer held the other half').toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(answered).toBe(true);
    expect(await (await request).text()).toBe('ok');
  });

  it('sends at once and answers in the same turn when the latency is set back to none', async () => {
    const { calls, base } = recorder();
    const sim = createNetworkSim(base);
    sim.set({ latencyMs: 400, dropRate: 0 });
    sim.set({ latencyMs: 0, dropRate: 0 });
    expect(sim.conditions).toEqual({ latencyMs: 0, dropRate: 0 });
    const start = Date.now();
    const response = await sim.fetch('http://127.0.0.1/x'); // no timer advanced: none was armed
    expect(calls).toEqual([start]);
    expect(await response.text()).toBe('ok');
    expect(vi.getTimerCount(), 'no timer left behind').toBe(0);
  });

  it('drops a request before it reaches the server, as an unreachable server fails', async () => {
    const { calls, base } = recorder();
    const sim = createNetworkSim(base, () => 0.5);
    sim.set({ latencyMs: 0, dropRate: 0.6 });
    await expect(sim.fetch('http://127.0.0.1/x')).rejects.toThrow(/dropped by the simulated network/);
    sim.set({ latencyMs: 0, dropRate: 0.4 });
    await sim.fetch('http://127.0.0.1/x');
    expect(calls).toHaveLength(1);
  });

  it('gives up a held request when its signal aborts, without sending it', async () => {
    const { calls, base } = recorder();
    const sim = createNetworkSim(base);
    sim.set({ latencyMs: 1000, dropRate: 0 });
    const controller = new AbortController();
    const request = sim.fetch('http://127.0.0.1/x', { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('timeout'));
    expect(await request).toMatchObject({ message: 'timeout' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps its conditions within range: latency whole and at most the maximum, drop rate 0 to 1', () => {
    const sim = createNetworkSim(recorder().base);
    sim.set({ latencyMs: MAX_LATENCY_MS * 2, dropRate: 3 });
    expect(sim.conditions).toEqual({ latencyMs: MAX_LATENCY_MS, dropRate: 1 });
    sim.set({ latencyMs: -5.4, dropRate: -1 });
    expect(sim.conditions).toEqual({ latencyMs: 0, dropRate: 0 });
  });
});
