/**
 * What a client reports between syncs (round 37's mutation run of sync-client.ts): the status
 * and the hlc a local write changes, and a cell's history in the order `history()` promises, whatever
 * order the store answers in (the store contract leaves it open).
 */
import { describe, expect, it } from 'vitest';
import { createSyncClient, type SyncStore } from '../index.ts';
import { T0, asyncStore, memory, schema } from './harness/test-kit.ts';

describe('a local write', () => {
  it("tells 'status' listeners at once that it is pending, with no sync to wait for", async () => {
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    const pending: number[] = [];
    client.on('status', (s) => pending.push(s.pending));
    await client.set('todos', 't1', 'title', 'A');
    await client.update('todos', 't2', { title: 'B', done: false });
    expect(pending).toEqual([1, 3]);
    await client.close();
  });

  it("after a restart, takes the next counter value of the clock's millisecond, whatever the cell's older winner", async () => {
    // The winner is older than the clock's millisecond: moving past it spends no counter value.
    const store = memory();
    let t = T0;
    const before = await createSyncClient({ schema, store, autoSync: false, now: () => t });
    await before.set('todos', 't1', 'title', 'older');
    t = T0 + 5;
    await before.set('todos', 't2', 'title', 'newest');
    await before.close();
    const client = await createSyncClient({ schema, store, autoSync: false, now: () => t });
    const { hlc } = await client.set('todos', 't1', 'title', 'rewritten');
    expect(hlc.startsWith(`${new Date(T0 + 5).toISOString()}-0001-`)).toBe(true);
    await client.close();
  });
});

describe('history()', () => {
  it("gives a cell's messages newest first from a store that answers them in no order of hlc", async () => {
    const inner = asyncStore(memory());
    // The oldest last, the others oldest first: neither that order nor its reverse is the history's.
    const unordered: SyncStore = {
      ...inner,
      messages: async (q) => {
        const list = [...(await inner.messages(q))].sort((a, b) => (a.hlc < b.hlc ? -1 : 1));
        return q.kind === 'cell' ? [...list.slice(1), ...list.slice(0, 1)] : list;
      },
    };
    const client = await createSyncClient({ schema, store: unordered, autoSync: false });
    for (const title of ['first', 'second', 'third']) await client.set('todos', 't1', 'title', title);
    expect((await client.history('todos', 't1', 'title')).map((m) => [m.value, m.won])).toEqual([['third', true], ['second', false], ['first', false]]);
    await client.close();
  });
});
