/**
 * A store call that does not settle (a locked database, an IndexedDB upgrade blocked by another
 * tab): the status says so after `storeStallMs`, once, and again when the call settles. Time
 * is vitest's fake timers, as in client-schedule.test.ts: nothing sleeps.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreStalledError, ValidationError, createSyncClient, type SyncStatus, type SyncStore } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { hangingStore, memory, schema } from './harness/test-kit.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 24, 15, 0, 0) });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A memory store whose calls answer asynchronously (no transact: a write is winners() then commit()); `hold` stops one kind of call until let go. */
function heldStore() {
  const inner = memory();
  const holds = new Map<string, Promise<void>>();
  const calls: string[] = [];
  const gate = async (name: string): Promise<void> => {
    calls.push(name);
    await holds.get(name);
  };
  const store: SyncStore = {
    open: async (s) => (await gate('open'), inner.open(s)),
    winners: async (cells) => (await gate('winners'), inner.winners(cells)),
    messages: async (q) => (await gate('messages'), inner.messages(q)),
    commit: async (c) => (await gate('commit'), inner.commit(c)),
  };
  const hold = (name: string): (() => void) => {
    let letGo = (): void => {};
    holds.set(name, new Promise((r) => (letGo = r)));
    return () => {
      holds.delete(name);
      letGo();
    };
  };
  return { store, calls, hold };
}

async function opened(options: { storeStallMs?: number; remote?: boolean } = {}) {
  const held = heldStore();
  const { remote, ...rest } = options;
  const client = await createSyncClient({
    schema, store: held.store, autoSync: false, ...rest,
    ...(remote ? { remote: createInProcessServer().remote('u') } : {}),
  });
  const seen: SyncStatus[] = [];
  client.on('status', (s) => seen.push(s));
  return { ...held, client, seen };
}

const stalledAt = (call: string, ms = 10_000) => ({ state: 'error', error: { code: 'store_stalled', message: `the store's ${call} has not settled after ${ms} ms` } });
const stalls = (seen: readonly SyncStatus[]) => seen.filter((s) => s.error?.code === 'store_stalled');

describe('a store call that does not settle', () => {
  it('a commit: the status reports it after 10 s, once, and recovers when it settles', async () => {
    const { client, seen, hold } = await opened();
    const before = client.status;
    const letGo = hold('commit');
    const write = client.set('todos', 'a', 'title', 'Buy milk');
    await vi.advanceTimersByTimeAsync(9_999);
    expect(client.status).toEqual(before);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.status).toMatchObject(stalledAt('commit()'));
    expect(seen).toEqual([client.status]);
    // Reported once, and nothing keeps ticking while it waits: no timer is left.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);

    letGo();
    await write;
    expect(client.status).toEqual({ ...before, pending: 1 });
    expect(seen[1]).toMatchObject({ state: before.state, error: null }); // the recovery, before the write's own status
    expect(stalls(seen)).toHaveLength(1);
    await client.close();
  });

  it('a read (a sync\'s messages(pending)): state error while it stalls, then the sync finishes', async () => {
    const { client, seen, hold } = await opened({ remote: true, storeStallMs: 500 });
    const letGo = hold('messages');
    const sync = client.sync();
    await vi.advanceTimersByTimeAsync(500);
    expect(client.status).toMatchObject(stalledAt('messages(pending)', 500));
    expect(stalls(seen)).toHaveLength(1);
    letGo();
    await expect(sync).resolves.toMatchObject({ state: 'idle', error: null });
    expect(client.status).toMatchObject({ state: 'idle', error: null });
    expect(seen.indexOf(stalls(seen)[0] as SyncStatus)).toBeLessThan(seen.length - 1);
    expect(seen.at(-1)).toMatchObject({ state: 'idle', error: null });
    await client.close();
  });

  it('a read of the app (recent()): reported, then recovered, each with a status event (a read has none of its own)', async () => {
    const { client, seen, hold } = await opened({ storeStallMs: 50 });
    const letGo = hold('messages');
    const recent = client.recent();
    await vi.advanceTimersByTimeAsync(50);
    expect(client.status).toMatchObject(stalledAt('messages(recent)', 50));
    letGo();
    await recent;
    expect(client.status.error).toBeNull();
    expect(seen.map((s) => s.error?.code ?? null)).toEqual(['store_stalled', null]);
    await client.close();
  });

  it('a call that settles in time reports nothing, and leaves no timer', async () => {
    const { client, seen, hold } = await opened();
    const letGo = hold('commit');
    const write = client.set('todos', 'a', 'title', 'Buy milk');
    await vi.advanceTimersByTimeAsync(9_999);
    letGo();
    await write;
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stalls(seen)).toEqual([]);
    expect(client.status.error).toBeNull();
    await client.close();
  });

  // close() and createSyncClient with a stalled call: store-stall-open-close.test.ts.

  // A second client on the same store object takes it over in every runtime (client-lock.ts), Web Locks or not.
  it('a client another one took over keeps saying why it stopped: its own call that stalls afterwards is not reported', async () => {
    const { store, hangNext, letGo } = hangingStore();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const seen: SyncStatus[] = [];
    client.on('status', (st) => seen.push(st));
    const underWay = hangNext();
    const write = client.set('todos', 'a', 'title', 'one').catch((e: unknown) => e);
    await underWay;
    const second = createSyncClient({ schema, store, autoSync: false }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(client.status.error?.message).toMatch(/^another client opened this store/));
    await client.close(); // closed already: returns at once
    const after = seen.length;
    await vi.advanceTimersByTimeAsync(10_000);
    // Not 'store_stalled': the status still says why this client stopped, and a closed client's listeners hear nothing.
    expect(client.status).toMatchObject({ state: 'error', error: { code: 'store' } });
    expect(seen.slice(after)).toEqual([]);
    // The second waited for that commit (it could land with the hlc the second stamps next),
    // as long as a store call may take, and gave up saying so (client-lock.ts).
    expect(await second).toMatchObject({ name: 'StoreStalledError', call: 'call under way in the client this one took over', ms: 10_000 }); // as docs/api.md names it
    letGo();
    await write;
    // Settled, it let go: a client opened now works.
    const third = await createSyncClient({ schema, store, autoSync: false });
    await third.set('todos', 'b', 'title', 'two');
    await third.close();
  });

  it('the error is typed: StoreStalledError, code store_stalled, naming the call and the time', () => {
    const err = new StoreStalledError('commit()', 10_000);
    expect(err).toMatchObject({ name: 'StoreStalledError', code: 'store_stalled', call: 'commit()', ms: 10_000 });
  });
});

describe('storeStallMs', () => {
  it.each([0, -1, Number.NaN, Infinity, 2 ** 31, '10000', null])('%s is refused, naming the option', async (storeStallMs) => {
    const err = await createSyncClient({ schema, store: memory(), autoSync: false, storeStallMs: storeStallMs as number }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_argument', message: 'createSyncClient: storeStallMs must be a number of ms from 1 to 2147483647 (about 24.8 days)' });
  });
});

describe('a stalled call keeps no process alive', () => {
  it('Node exits with a commit that never settles, its stall timer unref\'d', () => {
    vi.useRealTimers();
    const index = resolve(import.meta.dirname, '..', 'index.ts');
    const script = `
      import { createMemoryStore, createSyncClient, defineSchema } from ${JSON.stringify(index)};
      const inner = createMemoryStore();
      let hang = false;
      const store = {
        open: (s) => inner.open(s), winners: (c) => inner.winners(c), messages: (q) => inner.messages(q),
        commit: (c) => (hang ? new Promise(() => {}) : inner.commit(c)),
      };
      const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
      createSyncClient({ schema, store, autoSync: false, storeStallMs: 3_600_000 }).then((client) => {
        hang = true;
        void client.set('todos', 'a', 'title', 'x');
        console.log('waiting');
      });
    `;
    // Without unref, the hour's timer would hold the process: the timeout below would kill it, and execFileSync throw.
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(out.trim()).toBe('waiting');
  });
});
