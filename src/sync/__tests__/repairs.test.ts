/**
 * The repairs a server's answer calls for (repair.ts), rule by rule: setting a refused
 * message aside, re-stamping after clock drift, starting over with a server's new epoch.
 */
import { describe, expect, it } from 'vitest';
import { NetworkError, RemoteError, createSyncClient, type ChangeEvent, type ReplacedEvent, type SyncClient, type SyncStatus } from '../index.ts';
import { hlcMillis } from '../hlc.ts';
import type { MemoryStore } from '../memory-store.ts';
import { createInProcessServer, type InProcessServer } from '../testing/index.ts';
import { ScriptedRemote, T0, memory, schema } from './harness/test-kit.ts';

const server = (): InProcessServer => createInProcessServer({ now: () => T0 });
const open = (remote: ScriptedRemote, store: MemoryStore = memory(), now = () => T0): Promise<SyncClient> =>
  createSyncClient({ schema, store, remote, autoSync: false, now });
const refuse = (remote: ScriptedRemote, hlc: string): void => {
  remote.intercept = (req) => {
    const i = req.messages?.findIndex((m) => m.hlc === hlc) ?? -1;
    if (i >= 0) throw new RemoteError(400, 'invalid_message', `message ${i}: refused`, { index: i });
    return undefined;
  };
};

/**
 * A message of another device 20 minutes ahead of the server's clock: one a server took under a
 * looser drift limit, or while its clock ran ahead.
 */
const aheadMessage = (id: number, row: string, value: string) =>
  ({ id, hlc: '2026-11-24T15:20:00.000Z-0000-other', table: 'todos', row, column: 'title', value });
/** A pull's answer that brings `m`, with the server's clock at T0. */
const pulled = (m: ReturnType<typeof aheadMessage>) => ({ accepted: 0, cursor: m.id, more: false, serverTime: new Date(T0).toISOString(), messages: [m] });
/** The next request is answered with a pull of `m`; the ones after it reach the server. */
const pullOnce = (remote: ScriptedRemote, m: ReturnType<typeof aheadMessage>): void => {
  remote.intercept = () => {
    remote.intercept = null;
    return pulled(m);
  };
};

describe('setting a refused message aside', () => {
  it('a refused message that no longer wins its cell changes no data and reports no change', async () => {
    const remote = new ScriptedRemote(server());
    const store = memory();
    const client = await open(remote, store);
    const older = await client.set('todos', 'a', 'title', 'first');
    await client.set('todos', 'a', 'title', 'second');
    const events: ChangeEvent[] = [];
    client.on('change', (e) => events.push(e));
    refuse(remote, older.hlc);
    await client.sync();
    expect(store.get('todos', 'a')).toEqual({ title: 'second' });
    expect(events).toEqual([]);
    expect(client.status).toMatchObject({ pending: 0, rejected: 1 });
    await client.close();
  });

  it('a refused message that made its row takes the row back, as on a device that never saw it', async () => {
    const s = server();
    const remote = new ScriptedRemote(s);
    const store = memory();
    const client = await open(remote, store);
    const made = await client.set('todos', 'new', 'title', 'refused');
    await client.set('todos', 'old', 'title', 'stays');
    refuse(remote, made.hlc);
    await client.sync();
    expect(store.get('todos', 'new')).toBeUndefined();
    expect([...store.rows('todos', { includeDeleted: true }).keys()]).toEqual(['old']);
    const other = memory();
    const b = await open(new ScriptedRemote(s), other);
    await b.sync();
    expect([...other.rows('todos').keys()]).toEqual(['old']);
    await b.close();
    await client.close();
  });

  it('is reported at once, and only that message stops counting as pending', async () => {
    const remote = new ScriptedRemote(server());
    const client = await open(remote);
    const bad = await client.set('todos', 'a', 'title', 'refused');
    await client.set('todos', 'b', 'title', 'b');
    await client.set('todos', 'c', 'title', 'c');
    const statuses: SyncStatus[] = [];
    client.on('status', (s) => statuses.push(s));
    let reportedBeforeNextRequest = false;
    remote.intercept = (req, n) => {
      if (n === 1) throw new RemoteError(400, 'invalid_message', 'message 0: refused', { index: req.messages?.findIndex((m) => m.hlc === bad.hlc) ?? 0 });
      reportedBeforeNextRequest = statuses.some((s) => s.rejected === 1 && s.pending === 2);
      throw new RemoteError(500, 'internal', 'down now');
    };
    await expect(client.sync()).rejects.toMatchObject({ code: 'internal' });
    expect(reportedBeforeNextRequest).toBe(true);
    expect(client.status).toMatchObject({ pending: 2, rejected: 1 });
    await client.close();
  });
});

describe('re-stamping after clock drift', () => {
  it('keeps the original order of every message re-issued, set-aside ones included', async () => {
    const s = server();
    const remote = new ScriptedRemote(s);
    const store = memory();
    const client = await open(remote, store, () => T0 + 3_600_000);
    await client.set('todos', 'a', 'title', 'A');
    const b = await client.set('todos', 'b', 'title', 'B');
    await client.set('todos', 'c', 'title', 'C');
    let refused = false;
    remote.intercept = (req) => {
      const i = req.messages?.findIndex((m) => m.hlc === b.hlc) ?? -1;
      if (i >= 0 && !refused) {
        refused = true;
        throw new RemoteError(400, 'invalid_message', `message ${i}: refused`, { index: i });
      }
      return undefined; // the server itself refuses the clock (an hour ahead)
    };
    await client.sync();
    const held = await s.store.pull('user', { cursor: 0, limit: 10, excludeClientId: 'x' });
    const [rejected] = await client.rejected();
    expect(held.messages.map((m) => m.value)).toEqual(['A', 'C']);
    expect(rejected?.value).toBe('B');
    const [a2, c2] = held.messages.map((m) => m.hlc) as [string, string];
    expect(a2 < rejected!.hlc && rejected!.hlc < c2).toBe(true);
    await client.close();
  });

  it('leaves a cell to a pulled message ahead of the server, and the push goes through on a second repair', async () => {
    // Only a server that took a message under a looser limit (or with its clock ahead) hands
    // out one like it. The first repair starts the clock from it, which is still too far
    // ahead; the second starts from the server's clock, and the message ahead keeps its cell.
    const s = server();
    const remote = new ScriptedRemote(s);
    const store = memory();
    const client = await open(remote, store, () => T0 + 600_000); // 10 minutes ahead
    await client.set('todos', 'x', 'title', 'mine');
    const changes: ChangeEvent[] = [];
    client.on('change', (e) => changes.push(e));
    let n = 0;
    remote.intercept = () => {
      n++;
      if (n === 1) throw new RemoteError(400, 'clock_drift', 'ahead', { index: 0 }); // without the server's clock...
      if (n === 2) {
        // ...the pull that asks for it brings a newer message of the same cell, 20 minutes ahead.
        return pulled(aheadMessage(1, 'x', 'theirs'));
      }
      return undefined;
    };
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
    expect(store.get('todos', 'x')).toEqual({ title: 'theirs' });
    const taken = await s.store.pull('user', { cursor: 0, limit: 5, excludeClientId: 'x' });
    expect(taken.messages.map((m) => m.value)).toEqual(['mine']);
    expect(hlcMillis((taken.messages[0] as { hlc: string }).hlc)).toBeLessThan(T0 + 300_000);
    expect(changes.some((e) => e.changes.todos?.includes('x'))).toBe(true);
    await client.close();
  });
});

describe('re-stamping moves messages back to when they were made', () => {
  const HOUR = 3_600_000;

  it('an offline write of a device whose clock ran an hour ahead loses to a later write of another device', async () => {
    let real = T0;
    const s = createInProcessServer({ now: () => real });
    const bStore = memory();
    const b = await open(new ScriptedRemote(s), bStore, () => real + HOUR);
    await b.set('todos', 't', 'title', 'B, written first'); // offline: stamped an hour ahead
    real += 1500;
    const aStore = memory();
    const a = await open(new ScriptedRemote(s), aStore, () => real);
    await a.set('todos', 't', 'title', 'A, written later');
    await a.sync();
    real += 10_000;
    await b.sync(); // clock_drift: the clock is corrected, the write re-stamped
    await a.sync();
    expect(b.status).toMatchObject({ pending: 0, rejected: 0, error: null });
    expect(bStore.get('todos', 't')).toEqual({ title: 'A, written later' });
    expect(aStore.get('todos', 't')).toEqual({ title: 'A, written later' });
    const mine = (await bStore.messages({ kind: 'cell', table: 'todos', row: 't', column: 'title' })).find((m) => m.local);
    expect(mine).toMatchObject({ value: 'B, written first', synced: true });
    expect(hlcMillis(mine!.hlc)).toBe(T0); // when it was made, by the corrected clock
    await a.close();
    await b.close();
  });

  it('but never back past a message the device had: an edit still beats what it edited', async () => {
    let real = T0;
    const s = createInProcessServer({ now: () => real });
    const aStore = memory();
    const a = await open(new ScriptedRemote(s), aStore, () => real + 240_000); // 4 minutes ahead: within the limit
    await a.set('todos', 't', 'title', 'A');
    await a.sync();
    let skew = 0;
    const bStore = memory();
    const b = await open(new ScriptedRemote(s), bStore, () => real + skew);
    real += 1000;
    await b.sync(); // B has A's title, stamped 4 minutes ahead
    skew = HOUR; // then B's clock jumps an hour ahead
    real += 1000;
    await b.set('todos', 't', 'title', 'B, after reading A');
    real += 1000;
    await b.sync();
    await a.sync();
    expect(b.status).toMatchObject({ pending: 0, rejected: 0, error: null });
    expect(bStore.get('todos', 't')).toEqual({ title: 'B, after reading A' });
    expect(aStore.get('todos', 't')).toEqual({ title: 'B, after reading A' });
    await a.close();
    await b.close();
  });
});

describe('re-stamping from the server\'s clock (a second repair)', () => {
  it('still starts after this device\'s own messages that the server took: a later write never loses to an earlier one', async () => {
    const s = server();
    const remote = new ScriptedRemote(s);
    const store = memory();
    const client = await open(remote, store, () => T0 + 240_000); // 4 minutes ahead: within the limit
    await client.set('todos', 'y', 'title', 'first');
    await client.sync();
    // A message 20 minutes ahead, from a device the server once took it from, moves the clock past it.
    pullOnce(remote, aheadMessage(2, 'z', 'ahead'));
    await client.sync();
    await client.set('todos', 'y', 'title', 'second');
    await client.sync();
    expect(client.status).toMatchObject({ pending: 0, rejected: 0, error: null });
    expect(store.get('todos', 'y')).toEqual({ title: 'second' });
    const taken = await s.store.pull('user', { cursor: 0, limit: 5, excludeClientId: 'x' });
    expect(taken.messages.map((m) => m.value)).toEqual(['second']); // the winner of its cell (compaction)
    await client.close();
  });
});

describe('a local edit that a message ahead of the server takes back', () => {
  it('is reported as replaced, as when a pull replaces it: never lost silently', async () => {
    // A message the server took while its clock was ahead (20 minutes); this device pulls it,
    // then edits the same cell: the edit is stamped after it, too far ahead, and the second
    // repair stamps it below it, where it loses.
    const s = server();
    const remote = new ScriptedRemote(s);
    const store = memory();
    const client = await open(remote, store);
    const ahead = aheadMessage(1, 'x', 'theirs');
    pullOnce(remote, ahead);
    await client.sync();
    const replaced: ReplacedEvent[] = [];
    client.on('replaced', (e) => replaced.push(e));
    await client.set('todos', 'x', 'title', 'mine');
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
    expect(store.get('todos', 'x')).toEqual({ title: 'theirs' });
    const [mine] = (await s.store.pull('user', { cursor: 0, limit: 5, excludeClientId: 'x' })).messages;
    expect(replaced.flatMap((e) => e.cells)).toEqual([{
      table: 'todos', row: 'x', column: 'title', previous: { value: 'mine', hlc: mine!.hlc }, next: { value: 'theirs', hlc: ahead.hlc },
    }]);
    await client.close();
  });
});

describe('starting over with a new epoch', () => {
  it('a store that kept a cursor but no epoch (written before epochs) starts over with the first epoch it gets, and misses nothing', async () => {
    const s = server();
    // Another device's three messages, ids 1 to 3.
    const other = await open(new ScriptedRemote(s), memory());
    for (let i = 0; i < 3; i++) await other.set('todos', `o${i}`, 'title', `from the other ${i}`);
    await other.sync();
    await other.close();
    // This store's cursor is 5, from a log the server no longer has; it never saved an epoch.
    const store = memory();
    await store.open(schema);
    await store.commit({ meta: { cursor: '5' } });
    const client = await open(new ScriptedRemote(s), store);
    await client.set('todos', 'mine', 'title', 'mine');
    await client.sync();
    for (let i = 0; i < 3; i++) expect(store.get('todos', `o${i}`)).toEqual({ title: `from the other ${i}` });
    expect(client.status).toMatchObject({ pending: 0, error: null });
    expect((await store.open(schema)).meta.serverEpoch).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await client.close();
  });

  it('a new store (cursor 0, no epoch) adopts the first epoch without starting over', async () => {
    const s = server();
    const remote = new ScriptedRemote(s);
    const client = await open(remote, memory());
    await client.set('todos', 'a', 'title', 'x');
    await client.sync();
    expect(remote.requests.map((r) => [r.cursor, r.messages?.length ?? 0])).toEqual([[0, 1]]);
    await client.close();
  });

  it('is saved and reported before anything else happens: after a crash, the client starts over again', async () => {
    const remote = new ScriptedRemote(server());
    const store = memory();
    const client = await open(remote, store);
    for (let i = 0; i < 3; i++) await client.set('todos', `t${i}`, 'title', 'x');
    await client.sync();
    expect(client.status).toMatchObject({ cursor: 3, pending: 0 });
    const statuses: SyncStatus[] = [];
    client.on('status', (st) => statuses.push(st));
    let reported = false;
    remote.intercept = async (req, n) => {
      if (n === 2) return { ...(await remote.inner.sync(req)), epoch: 'another' };
      reported = statuses.some((st) => st.cursor === 0 && st.pending === 3);
      throw new NetworkError('gone again');
    };
    await expect(client.sync()).rejects.toBeInstanceOf(NetworkError);
    expect(reported).toBe(true);
    expect(client.status).toMatchObject({ cursor: 0, pending: 3 });
    await client.close();
    const meta = (await store.open(schema)).meta;
    expect([meta.cursor, meta.serverEpoch]).toEqual(['0', 'another']);
    const again = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
    expect(again.status).toMatchObject({ cursor: 0, pending: 3 });
    await again.close();
  });
});
