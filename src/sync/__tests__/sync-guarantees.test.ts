/**
 * Guarantees of the sync client that mutation testing found untested (issue 13): each test
 * here fails when its bug is planted. M4: the clock ignores pulled timestamps. M5: the
 * cursor is not saved. M22: a refused winner falls back to the oldest remaining message.
 * M1: last-writer-wins with `>=` instead of `>`.
 */
import { describe, expect, it } from 'vitest';
import { RemoteError, createSyncClient, type ChangeEvent } from '../index.ts';
import { hlcMillis } from '../hlc.ts';
import type { MemoryStore } from '../memory-store.ts';
import { createInProcessServer, type InProcessServer } from '../testing/index.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { ScriptedRemote, T0, memory, schema } from './harness/test-kit.ts';
import { sqliteFile } from '../../../test-support/sqlite-harness.ts';

const open = (server: InProcessServer, skewMs = 0, store: MemoryStore = memory(), remote = new ScriptedRemote(server)) =>
  createSyncClient({ schema, store, remote, autoSync: false, now: () => T0 + skewMs });

describe('a write made after a pull orders after everything pulled (M4)', () => {
  it('in another cell too: the clock received the pulled timestamps', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const fast = await open(server, 4 * 60_000); // ahead, but within the server's drift limit
    const ahead = await fast.set('todos', 'x', 'title', 'from a fast clock');
    await fast.sync();
    const slow = await open(server);
    await slow.sync();
    const after = await slow.set('todos', 'y', 'title', 'written after seeing it');
    expect(hlcMillis(ahead.hlc)).toBe(T0 + 4 * 60_000);
    expect(after.hlc > ahead.hlc).toBe(true);
    await fast.close();
    await slow.close();
  });

  it('in the same cell: the later write wins on every replica', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const fastStore = memory();
    const fast = await open(server, 4 * 60_000, fastStore);
    await fast.set('todos', 'x', 'title', 'first');
    await fast.sync();
    const slowStore = memory();
    const slow = await open(server, 0, slowStore);
    await slow.sync();
    await slow.set('todos', 'x', 'title', 'second');
    await slow.sync();
    await fast.sync();
    expect(slowStore.get('todos', 'x')).toEqual({ title: 'second' });
    expect(fastStore.get('todos', 'x')).toEqual({ title: 'second' });
    await fast.close();
    await slow.close();
  });
});

describe('a local write wins its cells by construction', () => {
  it('even when its clock never received the cell\'s winner (another process on the same database pulled it)', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const fast = await open(server, 4 * 60_000);
    await fast.set('todos', 'x', 'title', 'from a fast clock');
    await fast.sync();
    // Two clients on one database, as a UI process and a background sync process would be (two
    // connections to one SQLite file): the writer opened it before the syncer pulled anything into it.
    const file = sqliteFile();
    const store = file.open();
    const writer = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
    const syncer = await createSyncClient({ schema, store: file.open(), remote: new ScriptedRemote(server), autoSync: false, now: () => T0 });
    await syncer.sync();
    expect(store.readRow('todos', 'x')?.title).toBe('from a fast clock');
    await writer.set('todos', 'x', 'title', 'written after it arrived');
    expect(store.readRow('todos', 'x')?.title).toBe('written after it arrived');
    await syncer.sync();
    await fast.sync();
    const fastStore = memory();
    const third = await open(server, 0, fastStore);
    await third.sync();
    expect(fastStore.get('todos', 'x')).toEqual({ title: 'written after it arrived' });
    for (const c of [fast, writer, syncer, third]) await c.close();
    file.dispose();
  });
});

describe('the cursor is saved with what it covers (M5)', () => {
  it('a reopened client starts from its saved cursor and pulls nothing again', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const writer = await open(server);
    for (let i = 0; i < 5; i++) await writer.set('todos', `t${i}`, 'title', `todo ${i}`);
    await writer.sync();
    const store = memory();
    const first = await open(server, 0, store);
    await first.sync();
    expect(first.status.cursor).toBe(5);
    await first.close();

    const remote = new ScriptedRemote(server);
    let pulled = -1;
    remote.intercept = async (req) => {
      const response = await remote.inner.sync(req);
      pulled = response.messages.length;
      return response;
    };
    const again = await open(server, 0, store, remote);
    expect(again.status.cursor).toBe(5);
    expect(again.status.lastSyncAt).toBe(T0);
    await again.sync();
    expect(remote.requests.map((r) => r.cursor)).toEqual([5]);
    expect(pulled).toBe(0);
    await again.close();
    await writer.close();
  });
});

describe('a refused message gives its cell back to the best remaining one (M22)', () => {
  it('the greatest of several losers, not the oldest nor the last stored', async () => {
    // Without compaction the server hands out every message of the cell, losers included.
    const server = createInProcessServer({ now: () => T0, store: createMemoryServerStore({ compaction: false }) });
    // Three other clients write the same cell; the server numbers them one, three, two,
    // while their timestamps order them one, two, three.
    for (const [skew, value] of [[0, 'one'], [2000, 'three'], [1000, 'two']] as const) {
      const c = await open(server, skew);
      await c.set('todos', 'a', 'title', value);
      await c.sync();
      await c.close();
    }
    const store = memory();
    const remote = new ScriptedRemote(server);
    const client = await open(server, 0, store, remote);
    await client.sync();
    expect(store.get('todos', 'a')).toEqual({ title: 'three' });
    expect((await store.messages({ kind: 'cell', table: 'todos', row: 'a', column: 'title' })).length).toBe(3);
    const refused = await client.set('todos', 'a', 'title', 'refused');
    remote.intercept = (req) => {
      const i = req.messages?.findIndex((m) => m.hlc === refused.hlc) ?? -1;
      if (i >= 0) throw new RemoteError(400, 'invalid_message', `message ${i}: not here`, { index: i });
      return undefined;
    };
    await client.sync();
    expect(store.get('todos', 'a')).toEqual({ title: 'three' });
    expect(client.status).toMatchObject({ pending: 0, rejected: 1 });
    await client.close();
  });
});

describe('a message seen twice changes nothing (M1)', () => {
  it('a page delivered again applies nothing and reports no change', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const writer = await open(server);
    await writer.update('todos', 't1', { title: 'once', done: false });
    await writer.sync();
    const store = memory();
    const remote = new ScriptedRemote(server);
    const reader = await open(server, 0, store, remote);
    const events: ChangeEvent[] = [];
    reader.on('change', (e) => events.push(e));
    await reader.sync();
    expect(events).toEqual([{ source: 'remote', changes: { todos: ['t1'] } }]);
    // The same page again, as after a lost answer or a proxy that replays it.
    remote.intercept = (req) => remote.inner.sync({ ...req, cursor: 0 });
    await reader.sync();
    expect(remote.requests.length).toBe(2);
    expect(events.length).toBe(1);
    expect(store.get('todos', 't1')).toEqual({ title: 'once', done: false });
    await reader.close();
    await writer.close();
  });
});

describe('a burst of writes after a clock that runs ahead', () => {
  it('100 000 cells written right after receiving a message stamped 4 minutes ahead: all succeed, in order', async () => {
    const server = createInProcessServer({ now: () => T0 });
    const fast = await open(server, 4 * 60_000);
    const ahead = await fast.set('todos', 'x', 'title', 'from 4 minutes ahead');
    await fast.sync();
    const client = await open(server); // its clock stands still at T0: only the counter could move
    await client.sync();
    let previous = ahead.hlc;
    let cells = 0;
    for (let i = 0; cells < 100_000; i++) {
      for (const m of await client.update('todos', `bulk${i}`, { title: `t${i}`, done: i % 2 === 0, rank: i })) {
        if (!(m.hlc > previous)) throw new Error(`cell ${cells}: ${m.hlc} is not after ${previous}`);
        previous = m.hlc;
        cells++;
      }
    }
    expect(cells).toBe(100_002);
    expect(hlcMillis(previous)).toBe(T0 + 4 * 60_000 + 1); // two milliseconds' worth of counters
    expect(client.status.pending).toBe(100_002);
    await fast.close();
    await client.close();
  }, 120_000);
});
