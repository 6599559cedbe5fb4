/**
 * The SQLite store's `messages(query)` (message-queries.ts) over every place it keeps a
 * message at once: the outbox (a value a column cannot keep exactly), the local messages
 * marked in their rows, the unpushed lists in rows, and the pulled ones kept in rows. Each
 * answer is one hlc order, each message once, cut at the query's limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineSchema, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { schemaStores } from '../../../test-support/sqlite-harness.ts';

const T0 = Date.UTC(2026, 11, 7, 6);
const schema = defineSchema({ version: 1, tables: { notes: { title: 'string' } } });
const message = (n: number, row: string, value: string, local: boolean): StoredMessage => ({
  hlc: formatHlc({ millis: T0 + n, counter: 0, clientId: local ? 'me' : 'other' }), table: 'notes', row, column: 'title', value,
  local, synced: !local, applied: true, error: null,
});
/** A local write: a lone surrogate cannot be kept in its row exactly, so it goes to the outbox. */
const OUTBOX = 'half \ud83d pair';
const hlcs = (list: StoredMessage[]): string[] => list.map((m) => m.hlc);

describe('messages(query) over the outbox, the rows\' marks and the pulled messages kept', () => {
  const stores = schemaStores(schema);
  afterEach(() => stores.dispose());
  const write = (store: ReturnType<typeof stores.open>, m: StoredMessage): void =>
    store.commit({ insert: [m], writes: [{ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc }] });

  /** Outbox and marked rows interleaved by hlc: 1 and 3 in the outbox, 2 and 4 in their rows; 5 and 0 pulled. */
  function filled() {
    const store = stores.open();
    const local = [message(1, 'a', `${OUTBOX} 1`, true), message(2, 'b', 'row 2', true), message(3, 'c', `${OUTBOX} 3`, true), message(4, 'd', 'row 4', true)];
    const pulled = [message(5, 'e', 'pulled 5', false), message(0, 'f', 'pulled 0', false)];
    for (const m of [...local, ...pulled]) write(store, m);
    const outbox = store.db.prepare('SELECT count(*) FROM fieldsync_outbox').pluck().get();
    expect(outbox).toBe(2); // the premise: two in the outbox, two marked in rows
    return { store, local, pulled };
  }

  it('pending: oldest first across the outbox and the rows, each once, cut at the limit', () => {
    const { store, local } = filled();
    expect(hlcs(store.messages({ kind: 'pending', limit: 10 }))).toEqual(hlcs(local));
    expect(hlcs(store.messages({ kind: 'pending', limit: 3 }))).toEqual(hlcs(local.slice(0, 3)));
    expect(hlcs(store.messages({ kind: 'pending', limit: 1 }))).toEqual(hlcs(local.slice(0, 1)));
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual(local);
  });

  it('recent: newest first across the outbox, the rows and the pulled messages, each once, cut at the limit', () => {
    const { store, local, pulled } = filled();
    const all = [...local, ...pulled].sort((x, y) => (x.hlc < y.hlc ? 1 : -1));
    expect(hlcs(store.messages({ kind: 'recent', limit: 10 }))).toEqual(hlcs(all));
    expect(hlcs(store.messages({ kind: 'recent', limit: 3 }))).toEqual(hlcs(all.slice(0, 3)));
    expect(hlcs(store.messages({ kind: 'recent', limit: 2 }))).toEqual(hlcs(all.slice(0, 2)));
  });

  it('cell: a cell\'s outbox message, its replaced unpushed one in the row\'s list and its pulled ones, each once', () => {
    const store = stores.open();
    const first = message(1, 'a', 'pulled 1', false);
    write(store, first);
    const mine = [message(2, 'a', 'mine 2', true), message(3, 'a', `${OUTBOX} 3`, true), message(4, 'a', 'mine 4', true)];
    for (const m of mine) write(store, m);
    const history = store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' });
    expect(hlcs(history).sort()).toEqual(hlcs([first, ...mine]));
    expect(new Set(hlcs(history)).size).toBe(history.length);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'b', column: 'title' })).toEqual([]);
  });

  it('cell: a column or table the schema does not declare has no history, and the query does not fail', () => {
    const store = stores.open();
    write(store, message(1, 'a', 'pulled 1', false));
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'nope' })).toEqual([]);
    expect(store.messages({ kind: 'cell', table: 'nope', row: 'a', column: 'title' })).toEqual([]);
  });

  it('a query whose copy of unpushed lists fails is rolled back whole: the next query copies them, each once', () => {
    const store = stores.open();
    const first = message(1, 'a', 'first', true);
    const second = message(2, 'a', 'second', true);
    // Local writes as the client makes them (transact): the first, never pushed, is kept in the row's list.
    const cell = [{ table: 'notes', row: 'a', column: 'title' }];
    for (const m of [first, second]) store.transact(cell, () => ({ insert: [m], writes: [{ ...cell[0]!, value: m.value, hlc: m.hlc }] }));
    const outbox = (): unknown => store.db.prepare('SELECT count(*) FROM fieldsync_outbox').pluck().get();
    const before = outbox();
    expect(before).toBe(0);
    // The copy is written; the read after it fails (as an I/O error would), in the query's transaction.
    const proto = Object.getPrototypeOf(store.db.prepare('SELECT 1')) as Record<'run' | 'all', (...args: unknown[]) => unknown>;
    const { run, all } = proto;
    let copiedRows = false;
    let failed = false;
    proto.run = function (this: unknown, ...args: unknown[]) {
      if (store.db.inTransaction) copiedRows = true;
      return run.apply(this, args);
    };
    proto.all = function (this: unknown, ...args: unknown[]) {
      if (copiedRows && !failed && store.db.inTransaction) {
        failed = true;
        throw new Error('disk I/O error');
      }
      return all.apply(this, args);
    };
    try {
      expect(() => store.messages({ kind: 'pending', limit: 10 })).toThrow('disk I/O error');
    } finally {
      Object.assign(proto, { run, all });
    }
    expect(failed).toBe(true);
    expect(outbox()).toBe(before);
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([first, second]);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }).map((m) => m.value).sort()).toEqual(['first', 'second']);
  });

  it('recent and cell include the replaced messages kept in a row\'s unpushed list, newest first', () => {
    const store = stores.open();
    const cell = [{ table: 'notes', row: 'a', column: 'title' }];
    const mine = [message(1, 'a', 'one', true), message(2, 'a', 'two', true), message(3, 'a', 'three', true)];
    for (const m of mine) store.transact(cell, () => ({ insert: [m], writes: [{ ...cell[0]!, value: m.value, hlc: m.hlc }] }));
    expect(store.messages({ kind: 'recent', limit: 10 })).toEqual([...mine].reverse());
    expect(store.messages({ kind: 'recent', limit: 2 })).toEqual([mine[2], mine[1]]);
  });

  it('a query on a store with no unpushed lists reads beside another connection\'s open write transaction', () => {
    const store = stores.open();
    const m = message(1, 'a', 'one', true);
    write(store, m);
    const other = stores.again();
    other.db.exec('BEGIN IMMEDIATE');
    try {
      // Read-only: it neither waits for the other's write lock nor fails on it ("database is locked").
      expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
      expect(store.messages({ kind: 'recent', limit: 10 })).toEqual([m]);
    } finally {
      other.db.exec('ROLLBACK');
    }
  });
});
