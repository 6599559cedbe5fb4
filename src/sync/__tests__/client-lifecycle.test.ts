/**
 * Going offline during a sync, and calls after close() (audit C, findings 7 and 15). The
 * status said 'idle' with `online: false` when a run finished after setOnline(false); and a
 * run that setOnline(false) aborted was shown as a failure ('error', a backoff) even once the
 * client was back online.
 */
import { describe, expect, it } from 'vitest';
import { ClosedError } from '../errors.ts';
import { NetworkError, createSyncClient, type Remote, type SyncStore } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, memory, schema, until } from './harness/test-kit.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A remote whose first request hangs until aborted, as a transport that honours the signal does. */
function hangingFirst(): { remote: Remote; gate: { entered: ReturnType<typeof deferred>; used: boolean } } {
  const inner = createInProcessServer().remote('u');
  const gate = { entered: deferred(), used: false };
  const remote: Remote = {
    sync: (req, o) => {
      if (gate.used) return inner.sync(req);
      gate.used = true;
      gate.entered.resolve();
      return new Promise((_resolve, reject) => o?.signal?.addEventListener('abort', () => reject(new NetworkError('aborted'))));
    },
  };
  return { remote, gate };
}

describe('setOnline(false) while a sync is in flight', () => {
  it("ends 'offline' even when the remote finishes the request despite the abort", async () => {
    const inner = createInProcessServer().remote('u');
    // The first request waits to be released, and, like many transports, ignores the abort signal.
    const gate = { entered: deferred(), release: deferred(), used: false };
    const slow: Remote = {
      sync: async (req) => {
        if (!gate.used) {
          gate.used = true;
          gate.entered.resolve();
          await gate.release.promise;
        }
        return inner.sync(req);
      },
    };
    const client = await createSyncClient({ schema, store: memory(), remote: slow, autoSync: false });
    await client.set('todos', 't1', 'title', 'x');
    const run = client.sync();
    await gate.entered.promise;
    client.setOnline(false);
    gate.release.resolve();
    // The run did sync: it resolves. But the client is offline, and says so.
    await expect(run).resolves.toMatchObject({ state: 'offline', online: false, pending: 0 });
    expect(client.status).toMatchObject({ state: 'offline', online: false });
    await client.set('todos', 't2', 'title', 'y');
    expect(client.status).toMatchObject({ state: 'offline', online: false, pending: 1 });
    client.setOnline(true);
    await expect(client.sync()).resolves.toMatchObject({ state: 'idle', online: true, pending: 0 });
    await client.close();
  });
});

describe('setOnline(false), then true, while a sync is in flight', () => {
  it("the aborted run is no failure: no 'error', no backoff, and the sync runs again at once", async () => {
    const { remote, gate } = hangingFirst();
    const client = await createSyncClient({ schema, store: memory(), remote, intervalMs: 0, debounceMs: 0 });
    await gate.entered.promise;
    await client.set('todos', 't1', 'title', 'x');
    client.setOnline(false);
    client.setOnline(true);
    const seen: { state: string; retry: boolean }[] = [];
    client.on('status', (s) => seen.push({ state: s.state, retry: s.nextRetryAt !== null }));
    await until(() => client.status.pending === 0 && client.status.state === 'idle');
    // Back online, the client went on: never 'offline' or 'error' again, and no retry planned.
    expect(seen.filter((s) => s.state === 'offline' || s.state === 'error' || s.retry)).toEqual([]);
    expect(client.status).toMatchObject({ error: null, nextRetryAt: null });
    await client.close();
  });
});

describe('after close()', () => {
  it('every call fails with ClosedError, reads included; status still answers; close() again is fine', async () => {
    const client = await createSyncClient({ schema, store: memory(), remote: createInProcessServer().remote('u'), autoSync: false });
    await client.set('todos', 't1', 'title', 'x');
    await client.close();
    await client.close();
    const calls: Record<string, () => unknown> = {
      set: () => client.set('todos', 't1', 'title', 'y'),
      update: () => client.update('todos', 't1', { title: 'y' }),
      delete: () => client.delete('todos', 't1'),
      sync: () => client.sync(),
      recent: () => client.recent(),
      history: () => client.history('todos', 't1', 'title'),
      rejected: () => client.rejected(),
      deviceNames: () => client.deviceNames([client.clientId]),
      setDeviceName: () => client.setDeviceName('Laptop'),
      setOnline: () => client.setOnline(false),
      on: () => client.on('change', () => {}),
    };
    for (const [name, call] of Object.entries(calls)) {
      let caught: unknown = null;
      try {
        await call();
      } catch (err) {
        caught = err;
      }
      expect([name, caught]).toEqual([name, new ClosedError()]);
      expect(caught, name).toBeInstanceOf(ClosedError);
    }
    expect(client.status).toMatchObject({ pending: 1, online: true });
  });
});

describe('close() called again', () => {
  /** A memory store whose commits land `ms` later (an asynchronous database). */
  function slowStore(ms: number): SyncStore & { landed: number } {
    const inner = memory();
    const store = {
      open: (s) => inner.open(s),
      winners: (c) => inner.winners(c),
      messages: (q) => inner.messages(q),
      commit: async (c) => {
        await new Promise((r) => setTimeout(r, ms));
        inner.commit(c);
        store.landed++;
      },
      landed: 0,
    } satisfies SyncStore & { landed: number };
    return store;
  }

  it('waits as the first does, for the write called before it (an unmount handler, then a quit handler)', async () => {
    const store = slowStore(30);
    const client = await createSyncClient({ schema, store, autoSync: false });
    const before = store.landed;
    const write = client.set('todos', 't1', 'title', 'x');
    const settled: string[] = [];
    const first = client.close().then(() => settled.push(`first, ${store.landed - before} landed`));
    const second = client.close().then(() => settled.push(`second, ${store.landed - before} landed`));
    await Promise.all([write, first, second]);
    expect(settled).toEqual(['first, 1 landed', 'second, 1 landed']);
    await client.close(); // and once all is over, at once
  });

  it('waits for a sync under way to stop, as the first does: nothing lands after it', async () => {
    const inner = createInProcessServer().remote('u');
    const remote: Remote = { sync: async (req) => (await new Promise((r) => setTimeout(r, 30)), inner.sync(req)) };
    const store = memory();
    const client = await createSyncClient({ schema, store, remote, autoSync: false });
    await client.set('todos', 't1', 'title', 'x');
    const run = client.sync().catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 5));
    void client.close();
    await client.close();
    const after = await store.messages({ kind: 'pending', limit: 10 });
    await run;
    await new Promise((r) => setTimeout(r, 60));
    expect(await store.messages({ kind: 'pending', limit: 10 })).toEqual(after);
  });
});

describe('a status listener that calls sync()', () => {
  it("waits for the run after the one it hears of: one request at a time, and one that syncs while anything is pending ends", async () => {
    const remote = new ScriptedRemote();
    const client = await createSyncClient({ schema, store: memory(), remote, autoSync: false });
    for (let i = 0; i < 20; i++) await client.set('todos', `t${i}`, 'title', `${i}`);
    const calls: Promise<unknown>[] = [];
    client.on('status', (s) => {
      if (s.pending > 0 && calls.length < 1000) calls.push(client.sync());
    });
    await client.sync();
    await Promise.all(calls);
    expect(remote.maxInFlight).toBe(1);
    expect(calls.length).toBeLessThan(10);
    expect(remote.requests.filter((r) => (r.messages?.length ?? 0) > 0)).toHaveLength(1);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0 });
    await client.close();
  });
});

describe('close() while a sync is in flight', () => {
  it("the sync fails with ClosedError as a queued one does, and the status no longer says 'syncing'", async () => {
    const { remote, gate } = hangingFirst();
    const client = await createSyncClient({ schema, store: memory(), remote, autoSync: false });
    await client.set('todos', 't1', 'title', 'x');
    const running = client.sync().catch((e: unknown) => e);
    await gate.entered.promise;
    const queued = client.sync().catch((e: unknown) => e);
    await client.close();
    expect(await running).toBeInstanceOf(ClosedError);
    expect(await queued).toBeInstanceOf(ClosedError);
    expect(client.status).toMatchObject({ state: 'idle', pending: 1 });
  });
});

