/**
 * A pulled message is one object from the parsed answer to the store's commit: the answer's
 * parser makes it as a store keeps an applied pulled message (its flags set), and the commit
 * takes it as it is when every message of the page applies. A message that does not apply,
 * and a remote's message without those flags, are committed as their own copy with the
 * right flags.
 */
import { describe, expect, it } from 'vitest';
import { createSyncClient, type Remote, type StoredMessage } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import type { ServerMessage } from '../message.ts';
import { parseSyncResponse, type SyncResponse } from '../protocol.ts';
import type { Commit } from '../store.ts';
import { T0, memory, schema } from './harness/test-kit.ts';

const hlc = (n: number) => formatHlc({ millis: T0 - 60_000 + n, counter: 0, clientId: 'other' });

/** A columns page of these (table, row, column, value) cells, ids from 1. */
function columnsAnswer(cells: readonly [string, string, string, unknown][]): unknown {
  const names: string[] = [];
  const at = (name: string): number => (names.includes(name) ? names.indexOf(name) : names.push(name) - 1);
  const flat = cells.flatMap(([table, row, column, value], i) => [1, hlc(i), at(table), row, at(column), value]);
  return { accepted: 0, cursor: cells.length, more: false, serverTime: new Date(T0).toISOString(), format: 'columns', page: { names, cells: flat } };
}

/** A client over a memory store whose commits are recorded, pulling `answer` once. */
async function pull(answer: SyncResponse): Promise<{ inserted: StoredMessage[]; store: ReturnType<typeof memory> }> {
  const store = memory();
  const inserted: StoredMessage[] = [];
  const commit = store.commit.bind(store);
  store.commit = (c: Commit) => {
    inserted.push(...(c.insert ?? []));
    return commit(c);
  };
  let served = false;
  const remote: Remote = {
    sync: async (request) => {
      const page = served ? { ...answer, messages: [], cursor: request.cursor } : answer;
      served = true;
      return page;
    },
  };
  const client = await createSyncClient({ schema, store, remote, autoSync: false, now: () => T0 });
  await client.sync();
  await client.close();
  return { inserted, store };
}

const flags = (m: StoredMessage) => [m.local, m.synced, m.applied, m.error];

describe('pulled messages, from the answer to the commit', () => {
  it('are committed as the objects parsed when every one applies: one object per message', async () => {
    const answer = parseSyncResponse(columnsAnswer([['todos', 't1', 'title', 'a'], ['todos', 't1', 'done', true], ['lists', 'l1', 'name', 'n']]), 0);
    const { inserted, store } = await pull(answer);
    expect(inserted).toHaveLength(3);
    inserted.forEach((m, i) => expect(m).toBe(answer.messages[i]));
    expect(inserted.map(flags)).toEqual([[false, true, true, null], [false, true, true, null], [false, true, true, null]]);
    expect(store.get('todos', 't1')).toEqual({ title: 'a', done: true });
    expect(store.get('lists', 'l1')).toEqual({ name: 'n' });
  });

  it('a page with a message that does not apply commits that one unapplied, with why, and the others applied', async () => {
    const answer = parseSyncResponse(columnsAnswer([['todos', 't1', 'title', 'a'], ['todos', 't1', 'color', 'red'], ['todos', 't2', 'done', 'not a boolean']]), 0);
    const { inserted, store } = await pull(answer);
    expect(inserted.map((m) => [m.column, m.applied, typeof m.error])).toEqual([['title', true, 'object'], ['color', false, 'string'], ['done', false, 'string']]);
    // The parsed objects are left as they were.
    expect(answer.messages.map((m) => (m as unknown as StoredMessage).applied)).toEqual([true, true, true]);
    expect(store.get('todos', 't1')).toEqual({ title: 'a' });
    expect(store.get('todos', 't2')).toBeUndefined();
    expect((await store.messages({ kind: 'unapplied' })).map((m) => m.column).sort()).toEqual(['color', 'done']);
  });

  it('a remote\'s messages without a pulled message\'s flags, or with other flags, are committed as copies with the right ones', async () => {
    const plain = { id: 1, hlc: hlc(0), table: 'todos', row: 't1', column: 'title', value: 'plain' };
    const local = { id: 2, hlc: hlc(1), table: 'todos', row: 't2', column: 'title', value: 'claims local', local: true, synced: true, applied: true, error: null };
    const answer = (m: object): SyncResponse => ({ accepted: 0, cursor: 2, more: false, serverTime: new Date(T0).toISOString(), messages: [m as ServerMessage] });
    // Each alone on its page: one message without the flags is enough to copy a whole page.
    for (const m of [plain, local]) {
      const { inserted, store } = await pull(answer(m));
      expect(inserted.map(flags)).toEqual([[false, true, true, null]]);
      expect(inserted[0]).not.toBe(m);
      expect(store.get('todos', m.row)).toEqual({ title: m.value });
      expect(await store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    }
  });
});
