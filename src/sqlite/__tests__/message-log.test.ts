/**
 * The store's message log (message-log.ts): two tables, the outbox and the messages, and a
 * batched insert for pulled messages that apply, whose flags the statement writes as
 * constants. Whichever way a message goes in, it comes back with the flags it was given, and
 * a removed message is gone from whichever table held it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, defineSchema, type MessageQuery, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { schemaStores } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });

const stores = schemaStores(schema);
afterEach(() => stores.dispose());
const openStore = stores.open;

const base = Date.UTC(2026, 0, 1);
/** A message of row `t<n>`, `n` ms after base, with the flags given (a pulled one by default). */
const message = (n: number, flags: Partial<StoredMessage> = {}, clientId = 'other'): StoredMessage => ({
  hlc: formatHlc({ millis: base + n, counter: 0, clientId }), table: 'todos', row: `t${n}`, column: 'title', value: `v${n}`,
  local: false, synced: true, applied: true, error: null, ...flags,
});
const byHlc = (a: StoredMessage, b: StoredMessage): number => (a.hlc < b.hlc ? -1 : 1);
const everything: MessageQuery = { kind: 'recent', limit: 10_000 };

describe('the message log', () => {
  it('gives every message back with the flags it was stored with, whichever table and statement took it', () => {
    const store = openStore();
    const memory = createMemoryStore();
    memory.open(schema);
    // Every combination of the four flags, in one commit with pulled messages that apply
    // around them (the batched statement's case), and none kept in a row (no writes).
    const list: StoredMessage[] = [];
    let n = 0;
    for (const local of [false, true]) {
      for (const synced of [false, true]) {
        for (const applied of [false, true]) {
          for (const error of [null, 'refused']) {
            list.push(message(n++), message(n++, { local, synced, applied, error }, local ? 'me' : 'other'));
          }
        }
      }
    }
    store.commit({ insert: list });
    memory.commit({ insert: list });
    expect([...store.messages(everything)].sort(byHlc)).toEqual([...list].sort(byHlc));
    // The queries that read the flags answer as the memory store's.
    for (const q of [{ kind: 'unapplied' }, { kind: 'rejected' }, { kind: 'pending', limit: 100 }] as const) {
      expect(store.messages(q), q.kind).toEqual(memory.messages(q));
    }
  });

  it('stores every pulled message of a commit past the batch size (100 per statement), each once', () => {
    const store = openStore();
    const list = Array.from({ length: 250 }, (_, i) => message(i));
    // Shuffled, and with a local one in the middle: the batches are of pulled messages only.
    const mixed = [...list.slice(0, 120).reverse(), message(1000, { local: true, synced: false }, 'me'), ...list.slice(120)];
    store.commit({ insert: mixed });
    expect([...store.messages(everything)].sort(byHlc)).toEqual([...mixed].sort(byHlc));
    // The same page again changes nothing.
    store.commit({ insert: mixed });
    expect(store.messages(everything)).toHaveLength(mixed.length);
  });

  it('removes a message from whichever table holds it', () => {
    const store = openStore();
    const pulled = message(1);
    const acknowledged = message(2, { local: true, synced: true }, 'me');
    const pending = message(3, { local: true, synced: false }, 'me');
    const rejected = message(4, { local: true, synced: false, applied: false, error: 'refused' }, 'me');
    const kept = message(5);
    const all = [pulled, acknowledged, pending, rejected, kept];
    store.commit({ insert: all });
    expect(store.messages(everything)).toHaveLength(all.length);
    for (const gone of [pulled, acknowledged, pending, rejected]) {
      store.commit({ remove: [gone.hlc] });
      expect(store.messages(everything).map((m) => m.hlc), gone.row).not.toContain(gone.hlc);
    }
    expect(store.messages(everything)).toEqual([kept]);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([]);
    expect(store.messages({ kind: 'rejected' })).toEqual([]);
  });
});
