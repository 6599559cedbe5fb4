import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkError, RemoteError, createSyncClient } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, memory, schema } from './harness/test-kit.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 24, 15, 0, 0) });
});
afterEach(() => {
  vi.useRealTimers();
});

async function started(options: { intervalMs?: number; debounceMs?: number } = {}) {
  const remote = new ScriptedRemote(createInProcessServer());
  const client = await createSyncClient({
    schema, store: memory(), remote, random: () => 0.5,
    retry: { initialMs: 1000, maxMs: 8000 }, intervalMs: options.intervalMs ?? 0, debounceMs: options.debounceMs ?? 20,
  });
  await vi.advanceTimersByTimeAsync(1); // the first sync, on start
  remote.requests.length = 0;
  return { remote, client };
}

describe('when syncs happen', () => {
  it('on start, and once for a burst of writes (debounced)', async () => {
    const { remote, client } = await started();
    await client.set('todos', 'a', 'title', '1');
    await client.set('todos', 'a', 'title', '2');
    await client.set('todos', 'b', 'title', '3');
    expect(remote.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(25);
    expect(remote.requests).toHaveLength(1);
    expect(remote.requests[0]?.messages).toHaveLength(3);
    await client.close();
  });

  it('on the interval', async () => {
    const { remote, client } = await started({ intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(remote.requests).toHaveLength(2);
    await client.close();
  });

  it('on a poke that announces something new, and when the poke stream reconnects', async () => {
    const { remote, client } = await started();
    remote.listener?.onPoke({ cursor: 0 });
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(0);
    remote.listener?.onPoke({ cursor: 7 });
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(1);
    remote.listener?.onOpen?.();
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(2);
    await client.close();
  });
});

describe('retries', () => {
  it('back off exponentially with jitter after network failures; writes wait, a poke does not', async () => {
    const { remote, client } = await started();
    remote.intercept = () => { throw new NetworkError('down'); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(remote.requests).toHaveLength(1);
    expect(client.status.state).toBe('offline');
    // random() = 0.5: the delay is 3/4 of the capped delay: 750 ms, then 1500 ms.
    const wait = (client.status.nextRetryAt ?? 0) - Date.now();
    expect(wait).toBeGreaterThan(740);
    expect(wait).toBeLessThanOrEqual(750);
    await client.set('todos', 'a', 'title', 'y');
    await vi.advanceTimersByTimeAsync(700);
    expect(remote.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60);
    expect(remote.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1400);
    expect(remote.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(remote.requests).toHaveLength(3);
    remote.intercept = null;
    remote.listener?.onPoke({ cursor: 99 });
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(4);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, nextRetryAt: null });
    await client.close();
  });

  it('honour Retry-After on 429', async () => {
    const { remote, client } = await started();
    remote.intercept = () => { throw new RemoteError(429, 'rate_limited', 'busy', { retryAfterMs: 5000 }); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    await vi.advanceTimersByTimeAsync(4900);
    expect(remote.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(remote.requests).toHaveLength(2);
    await client.close();
  });

  it('stop after 401 until sync() is called again with new credentials', async () => {
    const { remote, client } = await started({ intervalMs: 10_000 });
    remote.intercept = () => { throw new RemoteError(401, 'unauthorized', 'expired token'); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(client.status.state).toBe('unauthorized');
    await client.set('todos', 'a', 'title', 'y');
    remote.listener?.onPoke({ cursor: 50 });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(remote.requests).toHaveLength(1);
    remote.intercept = null; // new credentials
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0 });
    await client.close();
  });
});

describe('online switch and close', () => {
  it('setOnline(false) keeps writes local; setOnline(true) syncs at once', async () => {
    const { remote, client } = await started({ intervalMs: 10_000 });
    client.setOnline(false);
    expect(client.status).toMatchObject({ state: 'offline', online: false });
    expect(remote.unsubscribed).toBe(1);
    await client.set('todos', 'a', 'title', 'offline edit');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(remote.requests).toHaveLength(0);
    await expect(client.sync()).rejects.toBeInstanceOf(NetworkError);
    client.setOnline(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(1);
    expect(client.status).toMatchObject({ state: 'idle', online: true, pending: 0 });
    await client.close();
  });

  it('setOnline(false) rejects at once a sync() that was waiting for the next run', async () => {
    const { remote, client } = await started();
    let answer: (response: undefined) => void = () => {};
    remote.intercept = () => new Promise((resolve) => { answer = resolve; }); // the server is slow
    const first = client.sync(); // runs, and waits for the server
    await vi.advanceTimersByTimeAsync(1);
    let second: unknown = 'pending';
    client.sync().then(() => { second = 'resolved'; }, (err: unknown) => { second = err; }); // waits for the run after it
    client.setOnline(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second).toBeInstanceOf(NetworkError);
    expect(second).toMatchObject({ code: 'network', message: 'the client is offline (setOnline(false))' });
    answer(undefined);
    await first.catch(() => {});
    await client.close();
  });

  it('close() releases every timer and the poke stream', async () => {
    const { remote, client } = await started({ intervalMs: 10_000 });
    remote.intercept = () => { throw new NetworkError('down'); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await client.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(remote.unsubscribed).toBe(1);
  });
});
