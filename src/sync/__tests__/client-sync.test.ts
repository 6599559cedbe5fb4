import { describe, expect, it } from 'vitest';
import { NetworkError, RemoteError, createSyncClient, type ChangeEvent, type SyncStatus } from '../index.ts';
import { hlcMillis } from '../hlc.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, T0, memory, schema } from './harness/test-kit.ts';

const open = (remote: ScriptedRemote, now = () => T0, store = memory()) =>
  createSyncClient({ schema, store, remote, autoSync: false, now });

describe('a sync round trip', () => {
  it('pushes, pulls in pages, moves the cursor and reports remote changes', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const a = await open(new ScriptedRemote(server));
    const bRemote = new ScriptedRemote(server);
    const bStore = memory();
    const b = await createSyncClient({ schema, store: bStore, remote: bRemote, autoSync: false, now: () => T0, pullLimit: 2 });
    for (let i = 0; i < 5; i++) await a.set('todos', `t${i}`, 'title', `todo ${i}`);
    const events: ChangeEvent[] = [];
    b.on('change', (e) => events.push(e));
    const status = await a.sync();
    expect(status).toMatchObject({ state: 'idle', pending: 0, cursor: 5 });
    await b.sync();
    // One request: its answer carries the three pages (docs/protocol.md, "Follow-on pages"),
    // and each page is its own commit, with its own change event.
    expect(bRemote.requests.map((r) => r.cursor)).toEqual([0]);
    expect(b.status).toMatchObject({ state: 'idle', cursor: 5, lastSyncAt: T0 });
    expect(bStore.rows('todos').size).toBe(5);
    expect(events.every((e) => e.source === 'remote')).toBe(true);
    expect(events.map((e) => e.changes.todos)).toEqual([['t0', 't1'], ['t2', 't3'], ['t4']]);
    await a.close();
    await b.close();
  });

  it('never runs two syncs at once, and a sync() during a run gets a run of its own', async () => {
    const remote = new ScriptedRemote(createInProcessServer());
    const client = await open(remote);
    await client.set('todos', 'a', 'title', 'x');
    const all = await Promise.all([client.sync(), client.sync(), client.sync()]);
    expect(remote.maxInFlight).toBe(1);
    expect(remote.requests.length).toBe(2); // the first run, then one more for the calls made during it
    expect(all.every((s) => s.state === 'idle')).toBe(true);
    await client.close();
  });

  it('learns the server clock and corrects a wrong local clock', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const client = await open(new ScriptedRemote(server), () => T0 - 3_600_000);
    await client.sync();
    const m = await client.set('todos', 'a', 'title', 'x');
    expect(Math.abs(hlcMillis(m.hlc) - T0)).toBeLessThan(1000);
    await client.close();
  });
});

describe('refusals about one message', () => {
  it('clock_drift: corrects the clock, re-stamps the messages the server never took, keeps their values', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const store = memory();
    const ahead = await open(new ScriptedRemote(server), () => T0 + 3_600_000, store);
    await ahead.update('todos', 'a', { title: 'from the future', done: true });
    const before = (await store.messages({ kind: 'pending', limit: 10 })).map((m) => m.hlc);
    await ahead.sync();
    const held = await server.store.pull('user', { cursor: 0, limit: 10, excludeClientId: 'x' });
    expect(held.messages.map((m) => m.value)).toEqual(['from the future', true]);
    for (const m of held.messages) {
      expect(before).not.toContain(m.hlc);
      expect(Math.abs(hlcMillis(m.hlc) - T0)).toBeLessThan(2000);
    }
    expect(store.get('todos', 'a')).toEqual({ title: 'from the future', done: true });
    expect(ahead.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0 });
    await ahead.close();
  });

  it('clock_drift after pulling a message the server took under a looser limit: the device pushes and receives again', async () => {
    const DAY = 86_400_000;
    const serverStore = createMemoryServerStore();
    // The server once took a message two days ahead (its limit was three days, or its clock
    // was ahead then): device C's.
    const loose = createInProcessServer({ store: serverStore, now: () => T0, maxDriftMs: 3 * DAY });
    const c = await open(new ScriptedRemote(loose), () => T0 + 2 * DAY);
    await c.set('todos', 'a', 'title', 'from C, two days ahead');
    await c.sync();
    await c.close();
    // Now it has the default limit. A pulls C's message, which moves A's clock past it.
    const strict = createInProcessServer({ store: serverStore, now: () => T0 });
    const aStore = memory();
    const a = await open(new ScriptedRemote(strict), () => T0, aStore);
    await a.sync();
    expect(aStore.get('todos', 'a')?.title).toBe('from C, two days ahead');
    await a.set('todos', 'b', 'title', 'from A');
    await a.set('todos', 'a', 'title', 'from A, after C');
    await a.sync();
    expect(a.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
    // Its writes were taken, stamped within the limit; so are later ones, and it receives.
    const held = await serverStore.pull('user', { cursor: 0, limit: 10, excludeClientId: 'x' });
    // (A's write of C's cell was taken too, and lost to C's: compaction kept the winner only.)
    expect(held.messages.map((m) => m.value).sort()).toEqual(['from A', 'from C, two days ahead']);
    for (const m of held.messages.filter((x) => x.value !== 'from C, two days ahead')) expect(hlcMillis(m.hlc)).toBeLessThan(T0 + 300_000);
    const dStore = memory();
    const d = await open(new ScriptedRemote(strict), () => T0, dStore);
    await d.sync();
    await d.set('todos', 'e', 'title', 'from D');
    await d.sync();
    await a.set('todos', 'f', 'title', 'from A, later');
    await a.sync();
    await d.sync();
    expect(aStore.get('todos', 'e')?.title).toBe('from D');
    expect(dStore.get('todos', 'f')?.title).toBe('from A, later');
    expect(a.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
    // The cell C wrote ahead: C's message stays its greatest, on A as on D, which never saw A's clock move.
    expect(aStore.get('todos', 'a')?.title).toBe('from C, two days ahead');
    expect(dStore.get('todos', 'a')?.title).toBe('from C, two days ahead');
    expect(aStore.get('todos', 'b')).toEqual(dStore.get('todos', 'b'));
    await a.close();
    await d.close();
  });

  it('clock_drift from a server that does not send its clock: one pull-only request tells it', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const remote = new ScriptedRemote(server);
    remote.intercept = (req) => {
      if (req.messages?.length && hlcMillis(req.messages[0]!.hlc) > T0 + 300_000) {
        throw new RemoteError(400, 'clock_drift', 'too far ahead', { index: 0 });
      }
      return undefined;
    };
    const client = await open(remote, () => T0 + 7_200_000);
    await client.set('todos', 'a', 'title', 'x');
    await client.sync();
    expect(remote.requests.map((r) => r.messages?.length ?? 0)).toEqual([1, 0, 1]);
    expect(client.status.pending).toBe(0);
    await client.close();
  });

  it('invalid_message: sets that message aside with its error, reverts its cell, syncs the rest', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const remote = new ScriptedRemote(server);
    const store = memory();
    const client = await open(remote, () => T0, store);
    await client.set('todos', 'a', 'title', 'first');
    await client.sync();
    const bad = await client.set('todos', 'a', 'title', 'refused by this server');
    await client.set('todos', 'b', 'title', 'fine');
    remote.intercept = (req) => {
      const i = req.messages?.findIndex((m) => m.hlc === bad.hlc) ?? -1;
      if (i >= 0) throw new RemoteError(400, 'invalid_message', `message ${i}: not allowed here`, { index: i });
      return undefined;
    };
    const events: ChangeEvent[] = [];
    client.on('change', (e) => events.push(e));
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 1 });
    const [rejected] = await client.rejected();
    expect(rejected).toMatchObject({ hlc: bad.hlc, applied: false, error: 'message 0: not allowed here' });
    expect(store.get('todos', 'a')).toEqual({ title: 'first' });
    expect(store.get('todos', 'b')).toEqual({ title: 'fine' });
    expect(events).toContainEqual({ source: 'local', changes: { todos: ['a'] } });
    const inspected = await client.recent(10);
    expect(inspected.find((m) => m.hlc === bad.hlc)?.won).toBe(false);
    await client.close();
  });

  it('payload_too_large: splits the push', async () => {
    const remote = new ScriptedRemote(createInProcessServer({ now: () => T0 }));
    remote.intercept = (req) => {
      if ((req.messages?.length ?? 0) > 2) throw new RemoteError(413, 'payload_too_large', 'too big');
      return undefined;
    };
    const client = await open(remote);
    for (let i = 0; i < 5; i++) await client.set('todos', `t${i}`, 'title', 'x'.repeat(100));
    await client.sync();
    expect(client.status.pending).toBe(0);
    expect(Math.max(...remote.requests.slice(1).map((r) => r.messages?.length ?? 0))).toBeLessThanOrEqual(2);
    await client.close();
  });
});

describe('requests over the server\'s body limit', () => {
  it('one message too large alone is set aside with the reason, its cell falls back, the rest sync', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const remote = new ScriptedRemote(server);
    remote.intercept = (req) => {
      if ((req.messages ?? []).some((m) => JSON.stringify(m.value).length > 100)) throw new RemoteError(413, 'payload_too_large', 'over 100 bytes');
      return undefined;
    };
    const store = memory();
    const client = await open(remote, () => T0, store);
    await client.set('todos', 'a', 'title', 'kept');
    await client.sync();
    const big = await client.set('todos', 'a', 'title', 'x'.repeat(150));
    await client.set('todos', 'b', 'title', 'small');
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 1 });
    expect(await client.rejected()).toEqual([expect.objectContaining({ hlc: big.hlc, error: 'payload_too_large: the message alone is over the server\'s request size limit (over 100 bytes)' })]);
    expect(store.get('todos', 'a')).toEqual({ title: 'kept' });
    const held = await server.store.pull('user', { cursor: 0, limit: 10, excludeClientId: 'x' });
    expect(held.messages.map((m) => m.value)).toEqual(['kept', 'small']);
    await client.close();
  });

  it('a 413 for a request that pushes nothing is an error, retried later', async () => {
    const remote = new ScriptedRemote(createInProcessServer({ now: () => T0 }));
    remote.intercept = () => { throw new RemoteError(413, 'payload_too_large', 'no'); };
    const client = await open(remote);
    await expect(client.sync()).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(client.status).toMatchObject({ state: 'error', rejected: 0 });
    await client.close();
  });
});

describe('failures', () => {
  it.each([
    ['a network failure', new NetworkError('down'), 'offline'],
    ['a 500', new RemoteError(500, 'internal', 'boom'), 'error'],
    ['a 429', new RemoteError(429, 'rate_limited', 'slow down', { retryAfterMs: 2000 }), 'error'],
    ['a malformed answer', new RemoteError(200, 'invalid_response', 'garbage'), 'error'],
  ])('%s keeps the messages and reports %s', async (_name, error, state) => {
    const remote = new ScriptedRemote(createInProcessServer());
    const client = await open(remote);
    await client.set('todos', 'a', 'title', 'x');
    remote.intercept = () => { throw error; };
    const statuses: SyncStatus[] = [];
    client.on('status', (s) => statuses.push(s));
    await expect(client.sync()).rejects.toBe(error);
    expect(client.status).toMatchObject({ state, pending: 1, error: { code: error.code } });
    remote.intercept = null;
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    expect(statuses.map((s) => s.state)).toContain('syncing');
    await client.close();
  });
});

describe('a server that misbehaves', () => {
  it('saying `more` forever without progress fails the sync instead of spinning', async () => {
    const remote = new ScriptedRemote(createInProcessServer({ now: () => T0 }));
    remote.intercept = (req) => ({ accepted: req.messages?.length ?? 0, cursor: req.cursor, more: true, serverTime: new Date(T0).toISOString(), messages: [] });
    const client = await open(remote);
    const err = (await client.sync().catch((e: unknown) => e)) as RemoteError;
    expect(err.code).toBe('invalid_response');
    expect(remote.requests.length).toBeLessThanOrEqual(6);
    expect(client.status.state).toBe('error');
    await client.close();
  });
});
