/**
 * The memory store's rows (memory-rows.ts): one flat array per row, four slots per column
 * (value, hlc, best pulled message, last `winners()` call). Every column of a wide row must
 * keep its own four slots, and a second store must share nothing with the first.
 */
import { describe, expect, it } from 'vitest';
import { formatHlc } from '../hlc.ts';
import { createMemoryStore } from '../memory-store.ts';
import { cellKey, type JsonValue } from '../message.ts';
import type { CellValue, StoredMessage } from '../store.ts';
import { conformanceSchema } from '../testing/index.ts';

const T = Date.UTC(2026, 0, 1);
let n = 0;
const pulled = (row: string, column: string, value: JsonValue): StoredMessage => ({
  hlc: formatHlc({ millis: T + n++, counter: 0, clientId: 'other' }),
  table: 'notes', row, column, value,
  local: false, synced: true, applied: true, error: null,
});
const write = (m: StoredMessage) => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });

function open() {
  const store = createMemoryStore();
  store.open(conformanceSchema);
  return store;
}

// Every column of `notes`, in the order a row first gets them: six columns, so that the
// fifth and sixth start past the four slots of the first.
const WIDE: Record<string, JsonValue> = { title: 'Buy milk', body: 'two litres', count: 2, score: 1.5, done: true, meta: { tags: ['shop'] } };

describe('the memory store\'s rows', () => {
  it('keeps every column of a six-column row in slots of its own: values, winners, and each cell\'s history', () => {
    const store = open();
    const page = Object.entries(WIDE).map(([column, value]) => pulled('r1', column, value));
    store.commit({ insert: page, writes: page.map(write) });
    expect(store.get('notes', 'r1')).toEqual(WIDE);
    const winners = store.winners(page) as ReadonlyMap<string, string>;
    expect(Object.fromEntries(winners)).toEqual(Object.fromEntries(page.map((m) => [cellKey('notes', 'r1', m.column), m.hlc])));
    const values = store.values?.(page) as ReadonlyMap<string, CellValue>;
    for (const m of page) {
      expect(values.get(cellKey('notes', 'r1', m.column))).toEqual({ value: m.value, hlc: m.hlc });
      expect(store.messages({ kind: 'cell', table: 'notes', row: 'r1', column: m.column })).toEqual([m]);
    }
  });

  it('numbers a table\'s columns once for all its rows, in whatever order rows first get them', () => {
    const store = open();
    const first = Object.entries(WIDE).map(([column, value]) => pulled('r1', column, value));
    // The second row gets the same columns the other way round, a few at a time.
    const second = Object.entries(WIDE).reverse().map(([column, value]) => pulled('r2', column, value));
    store.commit({ insert: first, writes: first.map(write) });
    for (let i = 0; i < second.length; i += 2) {
      const part = second.slice(i, i + 2);
      store.commit({ insert: part, writes: part.map(write) });
      expect(store.get('notes', 'r1')).toEqual(WIDE);
    }
    expect(store.get('notes', 'r2')).toEqual(WIDE);
    // A later write to one cell of each row changes that cell alone.
    const again = [pulled('r1', 'meta', null), pulled('r2', 'title', 'Buy bread')];
    store.commit({ insert: again, writes: again.map(write) });
    expect(store.get('notes', 'r1')).toEqual({ ...WIDE, meta: null });
    expect(store.get('notes', 'r2')).toEqual({ ...WIDE, title: 'Buy bread' });
  });

  it('shares nothing between two stores: rows, the row looked up last, and the ring of recent messages', () => {
    const one = open();
    const two = open();
    const a = pulled('same', 'title', 'in one');
    const b = pulled('same', 'title', 'in two');
    one.commit({ insert: [a], writes: [write(a)] });
    // The row `one` looked up last has the id `two` is about to ask for.
    expect(one.get('notes', 'same')).toEqual({ title: 'in one' });
    expect((two.winners([a]) as ReadonlyMap<string, string>).size).toBe(0);
    two.commit({ insert: [b], writes: [write(b)] });
    expect(one.get('notes', 'same')).toEqual({ title: 'in one' });
    expect(two.get('notes', 'same')).toEqual({ title: 'in two' });
    expect(one.messages({ kind: 'recent', limit: 10 })).toEqual([a]);
    expect(two.messages({ kind: 'recent', limit: 10 })).toEqual([b]);
  });
});
