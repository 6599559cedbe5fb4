/**
 * The memory store's scanning queries (memory-query.ts): a cell's history is that cell's
 * only, also when another table has a row and a column of the same names, and a cell of a
 * row never written has none. Round 61's mutation run left both unchecked.
 */
import { describe, expect, it } from 'vitest';
import { formatHlc } from '../hlc.ts';
import { createMemoryStore } from '../memory-store.ts';
import { defineSchema } from '../schema.ts';
import type { StoredMessage } from '../store.ts';

const T = Date.UTC(2026, 0, 1);
const schema = defineSchema({ version: 1, tables: { a: { name: 'string' }, b: { name: 'string' } } });
const pulled = (n: number, table: string): StoredMessage => ({
  hlc: formatHlc({ millis: T + n, counter: 0, clientId: 'other' }),
  table, row: 'r1', column: 'name', value: `${table}${n}`,
  local: false, synced: true, applied: true, error: null,
});

function storeWith(messages: StoredMessage[]) {
  const store = createMemoryStore();
  store.open(schema);
  for (const m of messages) store.commit({ insert: [m], writes: [{ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc }] });
  return store;
}

describe("the memory store's cell query", () => {
  it("holds that table's messages only, though another table has the same row and column", () => {
    // Older ones lost their cell: they are found in the ring of recent pulled messages only.
    const all = [pulled(1, 'a'), pulled(2, 'b'), pulled(3, 'a'), pulled(4, 'b')];
    const store = storeWith(all);
    const hlcs = (table: string) => (store.messages({ kind: 'cell', table, row: 'r1', column: 'name' }) as StoredMessage[]).map((m) => m.hlc).sort();
    expect(hlcs('a')).toEqual([all[0]?.hlc, all[2]?.hlc]);
    expect(hlcs('b')).toEqual([all[1]?.hlc, all[3]?.hlc]);
  });

  it('finds no message for a row never written', () => {
    const store = storeWith([pulled(1, 'a')]);
    expect(store.messages({ kind: 'cell', table: 'a', row: 'nowhere', column: 'name' })).toEqual([]);
    expect(store.messages({ kind: 'cell', table: 'b', row: 'r1', column: 'name' })).toEqual([]);
  });
});
