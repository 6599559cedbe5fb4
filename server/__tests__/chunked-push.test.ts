/**
 * The store thread's push in chunks (issue 12, small lane; stores/chunked-push.ts), on the
 * real SQLite server store: a push over the bounds is committed as several transactions
 * with a pause between two, answered once with the figures of the whole push; pushes of one
 * pass are packed in order; a push that fails in a later chunk gets its error and stops,
 * the others go on; and a push cut short stores the rest, once, when it is sent again.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import type { PushResult } from 'fieldsync/server';
import { chunkedPush, type ChunkLane, type PushManyStore } from '../stores/chunked-push.ts';
import { JsonValueMessage } from '../stores/push-writer.ts';
import { createSqliteServerStore, type PushItem, type SqliteServerStore } from '../stores/sqlite-server-store.ts';
import { msg } from './helpers/test-server.ts';

const messages = (clientId: string, n: number, value = 'v'): Message[] => Array.from({ length: n }, (_, i) => msg(clientId, `${clientId}-${i}`, `${value}${i}`));

/** The store, with each transaction's pushes recorded as `user:count`. */
function recorded(store: SqliteServerStore = createSqliteServerStore({ file: ':memory:' })): { store: SqliteServerStore; transactions: string[][] } {
  const transactions: string[][] = [];
  const pushMany = (items: readonly PushItem[]): (PushResult | Error)[] => {
    transactions.push(items.map((i) => `${i.userId}:${i.messages.length}`));
    return store.pushMany(items);
  };
  return { store: { ...store, pushMany }, transactions };
}

/** The job queue as the pushes see it: small requests about, unless told otherwise. */
const lane = (pause: (busy: ReadonlySet<string>) => Promise<void> = async () => {}, smallActive = true): ChunkLane => ({ pause, smallActive });

const ids = (store: SqliteServerStore, user: string): number[] => store.pull(user, { cursor: 0, limit: 100_000, excludeClientId: 'observer' }).messages.map((m) => m.id);

describe('a push in chunks', () => {
  it('commits a push over the bounds as several transactions, pausing between two, and answers once for all of it', async () => {
    const { store, transactions } = recorded();
    const pauses: string[][] = [];
    const push = chunkedPush(store, lane(async (busy) => {
      pauses.push([...busy]);
    }), { messages: 40, bytes: 1_000_000 });
    const all = messages('A', 100);
    expect(await push('alice', all)).toEqual({ accepted: 100, stored: 100, maxId: 100 });
    expect(transactions).toEqual([['alice:40'], ['alice:40'], ['alice:20']]);
    expect(pauses).toEqual([['alice'], ['alice']]); // between two chunks, never after the last
    expect(ids(store, 'alice')).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Sent again, nothing is stored twice, and the figures still add up.
    expect(await push('alice', all)).toEqual({ accepted: 100, stored: 0, maxId: 100 });
  });

  it('commits a round in one transaction when no small request is about (after one pause that finds none)', async () => {
    const { store, transactions } = recorded();
    const pauses: string[][] = [];
    const push = chunkedPush(store, lane(async (busy) => { pauses.push([...busy].sort()); }, false), { messages: 40, bytes: 100 });
    const [a, b] = await Promise.all([push('alice', messages('A', 100)), push('bob', messages('B', 30))]);
    expect([a.stored, b.stored]).toEqual([100, 30]);
    expect(transactions).toEqual([['alice:100', 'bob:30']]);
    expect(pauses).toEqual([['alice', 'bob']]); // before the round: nothing came
    // A round that fits in one chunk is not paused for at all.
    expect(await push('carol', messages('C', 1))).toMatchObject({ stored: 1 });
    expect(pauses).toHaveLength(1);
  });

  it('chunks a round for a small request that came while it was parsed: the pause before it takes that in', async () => {
    const { store, transactions } = recorded();
    // No small request seen yet; the one waiting in the thread's port is taken in by the first pause.
    const seen = { pause: async (): Promise<void> => { seen.smallActive = true; }, smallActive: false };
    const push = chunkedPush(store, seen, { messages: 40, bytes: 1_000_000 });
    expect(await push('alice', messages('A', 100))).toMatchObject({ stored: 100 });
    expect(transactions).toEqual([['alice:40'], ['alice:40'], ['alice:20']]);
  });

  it('bounds a chunk by the bytes of its values too, and takes at least one message', async () => {
    const { store, transactions } = recorded();
    const push = chunkedPush(store, lane(), { messages: 1000, bytes: 250 });
    const big = messages('B', 5, 'x'.repeat(100)); // 101 to 103 characters each
    expect(await push('bob', big)).toMatchObject({ accepted: 5, stored: 5 });
    expect(transactions).toEqual([['bob:2'], ['bob:2'], ['bob:1']]);
    const huge = [msg('B', 'huge', 'y'.repeat(1000))];
    expect(await push('bob', huge)).toMatchObject({ stored: 1 });
    expect(transactions.at(-1)).toEqual(['bob:1']);
  });

  it('counts a value that is not a string as 16 bytes, and fills a chunk up to its byte bound exactly', async () => {
    const { store, transactions } = recorded();
    const numbers = Array.from({ length: 7 }, (_, i) => msg('N', `n-${i}`, i));
    expect(await chunkedPush(store, lane(), { messages: 1000, bytes: 48 })('nina', numbers)).toMatchObject({ stored: 7 });
    expect(transactions).toEqual([['nina:3'], ['nina:3'], ['nina:1']]); // 3 x 16 = 48, the bound itself
  });

  it('takes the default bounds: 2,000 messages, or 512 KiB of values', async () => {
    const { store, transactions } = recorded();
    expect(await chunkedPush(store, lane())('dan', messages('D', 4500))).toMatchObject({ stored: 4500 });
    expect(transactions).toEqual([['dan:2000'], ['dan:2000'], ['dan:500']]);
    transactions.length = 0;
    const kib = Array.from({ length: 600 }, (_, i) => msg('K', `k-${i}`, 'x'.repeat(1024)));
    expect(await chunkedPush(store, lane())('kim', kib)).toMatchObject({ stored: 600 });
    expect(transactions).toEqual([['kim:512'], ['kim:88']]);
  });

  it('bounds values that came from a parse worker by their JSON text, never parsing them on the writer', async () => {
    const { store, transactions } = recorded();
    let parsed = 0;
    class Counted extends JsonValueMessage {
      override get value(): Message['value'] {
        parsed++;
        return super.value;
      }
    }
    const sent = messages('J', 5, 'x'.repeat(100)).map((m) => new Counted(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value)));
    expect(await chunkedPush(store, lane(), { messages: 1000, bytes: 250 })('jo', sent)).toMatchObject({ accepted: 5, stored: 5 });
    expect(transactions).toEqual([['jo:2'], ['jo:2'], ['jo:1']]); // 103 to 105 characters of JSON each
    expect(await chunkedPush(store, lane(async () => {}, false))('jo', sent)).toMatchObject({ accepted: 5, stored: 0 });
    expect(parsed).toBe(0);
    expect(store.pull('jo', { cursor: 0, limit: 10, excludeClientId: 'observer' }).messages.map((m) => m.value)).toEqual(sent.map((_, i) => `${'x'.repeat(100)}${i}`));
  });

  it('packs the pushes of one pass in order, each answered after its own last chunk', async () => {
    const { store, transactions } = recorded();
    const answered: string[] = [];
    const pauses: string[][] = [];
    const push = chunkedPush(store, lane(async (busy) => {
      pauses.push([...busy].sort());
    }), { messages: 50, bytes: 1_000_000 });
    const a = push('alice', messages('A', 30)).then((r) => { answered.push(`alice after ${transactions.length}`); return r; });
    const b = push('bob', messages('B', 60)).then((r) => { answered.push(`bob after ${transactions.length}`); return r; });
    const c = push('alice', messages('C', 10)).then((r) => { answered.push(`alice again after ${transactions.length}`); return r; });
    expect(await Promise.all([a, b, c])).toEqual([
      { accepted: 30, stored: 30, maxId: 30 },
      { accepted: 60, stored: 60, maxId: 60 },
      { accepted: 10, stored: 10, maxId: 40 },
    ]);
    expect(transactions).toEqual([['alice:30', 'bob:20'], ['bob:40', 'alice:10']]);
    expect(pauses).toEqual([['alice', 'bob']]); // alice's second push is still to come
    expect(answered).toEqual(['alice after 1', 'bob after 2', 'alice again after 2']);
    // Each push's ids are one run after the user's greatest id before it: maxId - stored.
    expect(ids(store, 'alice')).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('never lets a later push jump ahead of an earlier one a chunk cut, nor sends a part with no messages', async () => {
    const { store, transactions } = recorded();
    const items: (readonly Message[])[] = [];
    const seen: PushManyStore = {
      pushMany(pushes) {
        items.push(...pushes.map((p) => p.messages));
        return store.pushMany(pushes);
      },
    };
    // Cut by bytes: alice's second value does not fit; bob's small one would, but waits for it.
    const alice = [msg('A', 'a-0', 'x'.repeat(200)), msg('A', 'a-1', 'x'.repeat(200))];
    const byBytes = chunkedPush(seen, lane(), { messages: 1000, bytes: 250 });
    await Promise.all([byBytes('alice', alice), byBytes('bob', [msg('B', 'b-0', 'y')])]);
    expect(transactions).toEqual([['alice:1'], ['alice:1', 'bob:1']]);
    // Cut by count at the end of a push: the next push is not in the chunk at all (no empty part).
    transactions.length = 0;
    const push = chunkedPush(seen, lane(), { messages: 40, bytes: 1_000_000 });
    const carol = messages('C', 40);
    await Promise.all([push('carol', carol), push('dave', messages('E', 10))]);
    expect(transactions).toEqual([['carol:40'], ['dave:10']]);
    // A push committed whole goes to the store as it came, not copied.
    expect(items.at(-2)).toBe(carol);
  });

  it('pauses once before a round of several pushes that one chunk would not hold, however it is cut', async () => {
    for (const [first, bounds] of [[30, 50], [50, 50]] as const) {
      const { store, transactions } = recorded();
      let pauses = 0;
      const push = chunkedPush(store, lane(async () => { pauses++; }, false), { messages: bounds, bytes: 1_000_000 });
      // The first push whole in the chunk, the second cut (30 + 20 of 60), or not in it at all (50, then 60).
      await Promise.all([push('alice', messages('A', first)), push('bob', messages('B', 60))]);
      expect(pauses).toBe(1);
      expect(transactions).toEqual([[`alice:${first}`, 'bob:60']]); // nothing came: one transaction
    }
  });

  it('answers a push of no messages, alone or among others', async () => {
    const { store } = recorded();
    const push = chunkedPush(store, lane(), { messages: 40, bytes: 1_000_000 });
    expect(await push('alice', [])).toEqual({ accepted: 0, stored: 0, maxId: 0 });
    const [a, b, c] = await Promise.all([push('bob', messages('B', 40)), push('carol', []), push('dave', messages('D', 5))]);
    expect([a.stored, b.stored, c.stored]).toEqual([40, 0, 5]);
  });

  it('answers every push of a round with the error of a bug in the round itself, rather than leaving one waiting', async () => {
    const { store } = recorded();
    const push = chunkedPush(store, lane(async () => { throw new Error('a bug in the pause'); }), { messages: 50, bytes: 1_000_000 });
    const [a, b] = await Promise.allSettled([push('alice', messages('A', 30)), push('bob', messages('B', 60))]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { stored: 30 } }); // answered after its own chunk
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'a bug in the pause' } });
  });

  it('gives a push that fails in a later chunk its error and stops it; the others go on', async () => {
    const inner = createSqliteServerStore({ file: ':memory:' });
    const transactions: string[][] = [];
    let calls = 0;
    const store: PushManyStore = {
      pushMany(items) {
        calls++;
        transactions.push(items.map((i) => `${i.userId}:${i.messages.length}`));
        const results = inner.pushMany(items);
        // The second transaction refuses alice's part (as a savepoint that failed would).
        return calls === 2 ? results.map((r, i) => (items[i]?.userId === 'alice' ? new Error('refused') : r)) : results;
      },
    };
    const push = chunkedPush(store, lane(), { messages: 40, bytes: 1_000_000 });
    const [a, b] = await Promise.allSettled([push('alice', messages('A', 100)), push('bob', messages('B', 50))]);
    expect(a).toMatchObject({ status: 'rejected', reason: { message: 'refused' } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { accepted: 50, stored: 50 } });
    expect(transactions).toEqual([['alice:40'], ['alice:40'], ['bob:40'], ['bob:10']]);
  });

  it('rejects every push not yet answered when a commit fails', async () => {
    let calls = 0;
    const inner = createSqliteServerStore({ file: ':memory:' });
    const store: PushManyStore = {
      pushMany(items) {
        if (++calls === 2) throw new Error('disk full');
        return inner.pushMany(items);
      },
    };
    const push = chunkedPush(store, lane(), { messages: 40, bytes: 1_000_000 });
    const results = await Promise.allSettled([push('alice', messages('A', 30)), push('bob', messages('B', 60)), push('carol', messages('C', 5))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(results[1]).toMatchObject({ reason: { message: 'disk full' } });
  });

  it('stores the rest of a push cut short, and each message once, when it is sent again', async () => {
    const inner = createSqliteServerStore({ file: ':memory:' });
    let calls = 0;
    const crashing: PushManyStore = {
      pushMany(items) {
        if (++calls === 3) throw new Error('the process died');
        return inner.pushMany(items);
      },
    };
    const all = messages('A', 100);
    await expect(chunkedPush(crashing, lane(), { messages: 30, bytes: 1_000_000 })('alice', all)).rejects.toThrow('the process died');
    expect(ids(inner, 'alice')).toHaveLength(60);
    const again = await chunkedPush(inner, lane(), { messages: 30, bytes: 1_000_000 })('alice', all);
    expect(again).toEqual({ accepted: 100, stored: 40, maxId: 100 });
    const stored = inner.pull('alice', { cursor: 0, limit: 1000, excludeClientId: 'observer' }).messages;
    expect(stored.map((m) => m.hlc).sort()).toEqual(all.map((m) => m.hlc).sort());
    expect(stored.map((m) => m.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});
