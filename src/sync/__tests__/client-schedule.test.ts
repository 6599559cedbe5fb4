import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FieldsyncError, NetworkError, RemoteError, createSyncClient, type SyncClient } from '../index.ts';
import { backoffDelay } from '../backoff.ts';
import { ClosedError } from '../errors.ts';
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

/** A sync() the server has not answered yet; `fail` makes its request fail. */
async function syncInFlight(remote: ScriptedRemote, client: SyncClient): Promise<{ first: Promise<unknown>; fail(err: Error): void }> {
  let reject: (err: Error) => void = () => {};
  remote.intercept = () => new Promise((_resolve, r) => { reject = r; }); // the server is slow
  const first = client.sync();
  await vi.advanceTimersByTimeAsync(1);
  return { first, fail: (err) => reject(err) };
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

describe('the debounce of writes', () => {
  it('is counted from the first write of a burst: writes that keep coming do not put the sync off', async () => {
    const { remote, client } = await started({ debounceMs: 20 });
    await client.set('todos', 'a', 'title', '0');
    expect(client.status.nextRetryAt).toBeNull(); // a debounce is no retry
    for (let i = 1; i <= 10; i++) {
      await vi.advanceTimersByTimeAsync(10);
      await client.set('todos', 'a', 'title', String(i));
    }
    // 100 ms of writes 10 ms apart: synced after the first 20 ms and again after, not once at the end.
    expect(remote.requests.length).toBeGreaterThanOrEqual(2);
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

  it('a sync() called during a run that fails gets a run of its own at once, not after the backoff', async () => {
    const { remote, client } = await started();
    const { first, fail } = await syncInFlight(remote, client);
    remote.intercept = null; // the server is back for the next request
    let second: unknown;
    void client.sync().then((s) => (second = s), (err: unknown) => (second = err));
    fail(new NetworkError('connection reset'));
    await expect(first).rejects.toBeInstanceOf(NetworkError);
    await vi.advanceTimersByTimeAsync(1); // the backoff would be 750 ms
    expect(second).toMatchObject({ state: 'idle' });
    expect(remote.requests).toHaveLength(2);
    await client.close();
  });

  it('with no debounce, a write syncs at once, but not while a retry is due', async () => {
    const { remote, client } = await started({ debounceMs: 0 });
    await client.set('todos', 'a', 'title', 'x');
    expect(client.status.state).toBe('syncing'); // started by the write itself, no timer in between
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(1);
    remote.intercept = () => { throw new NetworkError('down'); };
    await client.set('todos', 'a', 'title', 'y');
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(2); // failed: a retry in 750 ms
    await client.set('todos', 'a', 'title', 'z');
    await vi.advanceTimersByTimeAsync(700);
    expect(remote.requests).toHaveLength(2); // the write waits for the retry
    remote.intercept = null;
    await vi.advanceTimersByTimeAsync(60);
    expect(remote.requests).toHaveLength(3);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0 });
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

  it('the interval waits for a pending retry, as writes do', async () => {
    const { remote, client } = await started({ intervalMs: 100 });
    remote.intercept = () => { throw new NetworkError('down'); };
    await vi.advanceTimersByTimeAsync(100); // the interval's sync fails: a retry in 750 ms
    expect(remote.requests).toHaveLength(1);
    expect(client.status.nextRetryAt).not.toBeNull();
    await vi.advanceTimersByTimeAsync(600); // six ticks of the interval meanwhile
    expect(remote.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(remote.requests).toHaveLength(2); // the retry
    await client.close();
  });

  it('a stream refused (401) restarts after the next good sync; one that failed otherwise is left to reconnect by itself', async () => {
    const { remote, client } = await started();
    remote.listener?.onError?.(new NetworkError('the poke stream was interrupted'));
    expect(remote.unsubscribed).toBe(0);
    remote.intercept = () => { throw new RemoteError(401, 'unauthorized', 'the token has expired'); };
    remote.listener?.onError?.(new RemoteError(401, 'unauthorized', 'the token has expired'));
    expect(remote.unsubscribed).toBe(1);
    expect(remote.listener).toBeNull();
    await vi.advanceTimersByTimeAsync(25);
    expect(client.status.state).toBe('unauthorized');
    remote.intercept = null; // new credentials
    await client.sync();
    expect(remote.listener).not.toBeNull(); // subscribed again: pokes arrive
    remote.requests.length = 0;
    remote.listener?.onPoke({ cursor: 99 });
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(1);
    await client.close();
  });

  it('sync at once when the poke stream is refused (401): the expired token shows now, not at the next interval', async () => {
    const { remote, client } = await started({ intervalMs: 600_000 });
    await vi.advanceTimersByTimeAsync(25);
    const before = remote.requests.length;
    remote.intercept = () => { throw new RemoteError(401, 'unauthorized', 'the token has expired'); };
    remote.listener?.onError?.(new RemoteError(401, 'unauthorized', 'the token has expired'));
    await vi.advanceTimersByTimeAsync(25);
    expect(remote.requests).toHaveLength(before + 1);
    expect(client.status).toMatchObject({ state: 'unauthorized', error: { code: 'unauthorized' } });
    // Said once: another refusal of the stream asks for nothing more.
    remote.listener?.onError?.(new RemoteError(401, 'unauthorized', 'the token has expired'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(remote.requests).toHaveLength(before + 1);
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

  it('but a 401 with Retry-After (a token not valid yet: its issuer\'s clock runs ahead) is retried then, by itself', async () => {
    const { remote, client } = await started({ intervalMs: 600_000 });
    remote.intercept = () => { throw new RemoteError(401, 'unauthorized', 'invalid token: iat is in the future', { retryAfterMs: 5000 }); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(client.status).toMatchObject({ state: 'error', error: { code: 'unauthorized' }, nextRetryAt: Date.now() + 4995 });
    expect(remote.requests).toHaveLength(1);
    remote.intercept = null; // the token is good now
    await vi.advanceTimersByTimeAsync(4994);
    expect(remote.requests).toHaveLength(1); // not before the time it was given
    await vi.advanceTimersByTimeAsync(2);
    expect(remote.requests).toHaveLength(2);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    await client.close();
  });
});

describe('a browser page\'s events', () => {
  /** The page's events on globalThis, as a browser has them (Node has none). */
  function installPage(): { fire(type: string): void; listening(): number; remove(): void } {
    const listeners = new Set<string>();
    const page = new EventTarget();
    const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
    g.addEventListener = (type: string, l: () => void) => (listeners.add(type), page.addEventListener(type, l));
    g.removeEventListener = (type: string, l: () => void) => (listeners.delete(type), page.removeEventListener(type, l));
    return {
      fire: (type) => page.dispatchEvent(new Event(type)),
      listening: () => listeners.size,
      remove: () => {
        delete g.addEventListener;
        delete g.removeEventListener;
      },
    };
  }

  it('the network back (online) syncs at once, though a retry was due later; a shown tab syncs unless one is due', async () => {
    const page = installPage();
    try {
      const { remote, client } = await started();
      remote.intercept = () => { throw new NetworkError('down'); };
      await client.set('todos', 'a', 'title', 'x');
      await vi.advanceTimersByTimeAsync(25); // fails: a retry is due in 1 s
      await vi.advanceTimersByTimeAsync(1000); // fails again: due in 2 s
      expect(client.status).toMatchObject({ state: 'offline', pending: 1 });
      const before = remote.requests.length;
      remote.intercept = null; // the network is back
      page.fire('visibilitychange'); // a retry is due: the tab shown again waits for it
      await vi.advanceTimersByTimeAsync(1);
      expect(remote.requests).toHaveLength(before);
      page.fire('online');
      await vi.advanceTimersByTimeAsync(1);
      expect(remote.requests).toHaveLength(before + 1);
      expect(client.status).toMatchObject({ state: 'idle', pending: 0 });
      page.fire('visibilitychange'); // nothing due: a sync
      await vi.advanceTimersByTimeAsync(1);
      expect(remote.requests).toHaveLength(before + 2);
      expect(page.listening()).toBe(2);
      await client.close();
      expect(page.listening()).toBe(0); // nothing left behind
      page.fire('online'); // closed: nothing more
      page.fire('visibilitychange');
      await vi.advanceTimersByTimeAsync(1);
      expect(remote.requests).toHaveLength(before + 2);
    } finally {
      page.remove();
    }
  });
});

describe('what does not sync', () => {
  it('the interval, while a retry is due later', async () => {
    const { remote, client } = await started({ intervalMs: 10_000 });
    remote.intercept = () => { throw new RemoteError(429, 'rate_limited', 'busy', { retryAfterMs: 35_000 }); };
    await client.sync().catch(() => {});
    expect(remote.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(34_000); // three intervals pass: the retry is what syncs next
    expect(remote.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(remote.requests).toHaveLength(2);
    await client.close();
  });

  it('a client without autoSync: no retry after a failed sync(), and none when it comes back online', async () => {
    const remote = new ScriptedRemote(createInProcessServer());
    const client = await createSyncClient({ schema, store: memory(), remote, autoSync: false, retry: { initialMs: 1000, maxMs: 8000 } });
    remote.intercept = () => { throw new NetworkError('down'); };
    await expect(client.sync()).rejects.toBeInstanceOf(NetworkError);
    expect(client.status).toMatchObject({ state: 'offline', nextRetryAt: null });
    client.setOnline(false);
    client.setOnline(true);
    expect(remote.listener).toBeNull(); // no poke stream either
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(remote.requests).toHaveLength(1); // only sync() syncs
    remote.intercept = null;
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0 });
    await client.close();
  });

  it('sync() of a client without a remote rejects at once', async () => {
    const client = await createSyncClient({ schema, store: memory() });
    const err = await client.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldsyncError);
    expect(err).toMatchObject({ code: 'network', message: 'no remote is configured' });
    expect(client.status.state).toBe('offline');
    await client.close();
  });

  it('a client without a remote starts no timer (nothing keeps the process alive)', async () => {
    const client = await createSyncClient({ schema, store: memory(), intervalMs: 1000 });
    await client.set('todos', 'a', 'title', 'x');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.status).toMatchObject({ state: 'offline', pending: 1 });
    await client.close();
  });

  it('setOnline(true) while online changes nothing: the error and its retry stay', async () => {
    const { remote, client } = await started();
    remote.intercept = () => { throw new RemoteError(500, 'internal', 'oops'); };
    await client.sync().catch(() => {});
    const { nextRetryAt } = client.status;
    expect(client.status).toMatchObject({ state: 'error', error: { code: 'internal' } });
    expect(nextRetryAt).not.toBeNull();
    client.setOnline(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(1);
    expect(client.status).toMatchObject({ state: 'error', nextRetryAt });
    await client.close();
  });

  it('a retry that was due when the client went offline', async () => {
    const { remote, client } = await started();
    remote.intercept = () => { throw new NetworkError('down'); };
    await client.sync().catch(() => {});
    expect(client.status.nextRetryAt).not.toBeNull();
    client.setOnline(false);
    expect(client.status.nextRetryAt).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(remote.requests).toHaveLength(1);
    await client.close();
  });

  it('a sync that fails because the client went offline during it: no retry while offline', async () => {
    const { remote, client } = await started();
    const { first, fail } = await syncInFlight(remote, client);
    client.setOnline(false);
    fail(new NetworkError('connection reset'));
    await expect(first).rejects.toBeInstanceOf(NetworkError);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(remote.requests).toHaveLength(1);
    expect(client.status).toMatchObject({ state: 'offline', error: null, nextRetryAt: null });
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
    expect(remote.listener).not.toBeNull(); // the poke stream is back
    await client.close();
  });

  it('without autoSync, the status says idle before any sync and once back online, and close() leaves offline as it is', async () => {
    const client = await createSyncClient({ schema, store: memory(), remote: new ScriptedRemote(createInProcessServer()), autoSync: false });
    expect(client.status).toMatchObject({ state: 'idle', online: true, error: null });
    client.setOnline(false);
    client.setOnline(true);
    expect(client.status).toMatchObject({ state: 'idle', online: true, error: null });
    client.setOnline(false);
    await client.close();
    expect(client.status).toMatchObject({ state: 'offline', online: false });
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

  it('close() rejects a sync() waiting for the next run, and a run that fails after it leaves no timer', async () => {
    const { remote, client } = await started();
    const { first, fail } = await syncInFlight(remote, client);
    const second = client.sync(); // waits for the run after it
    const closing = client.close();
    fail(new NetworkError('connection reset'));
    await closing;
    await expect(first).rejects.toBeInstanceOf(FieldsyncError);
    await expect(second).rejects.toBeInstanceOf(ClosedError);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(remote.requests).toHaveLength(1);
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

describe('backoffDelay', () => {
  it('doubles from the first delay up to the cap, and waits between half and all of it', () => {
    const half = { random: () => 0.5 }; // three quarters of the capped delay
    expect([0, 1, 2, 5, 6, 60].map((n) => backoffDelay(n, half))).toEqual([375, 750, 1500, 12_000, 22_500, 22_500]); // defaults: 500 ms, capped at 30 s
    expect([0, 3, 4, 9].map((n) => backoffDelay(n, { ...half, initialMs: 1000, maxMs: 8000 }))).toEqual([750, 6000, 6000, 6000]);
    expect(backoffDelay(-2, half)).toBe(375); // a negative attempt is the first
    expect([backoffDelay(3, { random: () => 0 }), backoffDelay(3, { random: () => 0.999999 })]).toEqual([2000, 4000]);
  });
});
