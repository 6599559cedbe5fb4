/**
 * The memory store's `winners()` answers without a key per cell (memory-winners.ts): it lists
 * the hlcs and builds the keyed map only when a key is asked. It must still be exactly the
 * map the contract describes: each cell once, however often and wherever a page names it,
 * only the cells asked, as they were at the call; and the store's one-table look-up must
 * never answer for the wrong table.
 */
import { describe, expect, it } from 'vitest';
import { formatHlc } from '../hlc.ts';
import { createMemoryStore } from '../memory-store.ts';
import { cellsOf } from '../merge.ts';
import { cellKey } from '../message.ts';
import type { Cell, StoredMessage } from '../store.ts';
import { conformanceSchema } from '../testing/index.ts';

const T = Date.UTC(2026, 0, 1);
let n = 0;
const pulled = (table: string, row: string, column: string, value: unknown): StoredMessage => ({
  hlc: formatHlc({ millis: T + n++, counter: 0, clientId: 'other' }),
  table, row, column, value: value as StoredMessage['value'],
  local: false, synced: true, applied: true, error: null,
});
const write = (m: StoredMessage) => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });
const cell = (m: Cell): Cell => ({ table: m.table, row: m.row, column: m.column });

function open() {
  const store = createMemoryStore();
  store.open(conformanceSchema);
  return store;
}

/** What a plain Map of the same cells holds, in the order they are first asked. */
function expected(asked: readonly Cell[], byKey: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of asked) {
    const key = cellKey(c.table, c.row, c.column);
    const hlc = byKey.get(key);
    if (hlc !== undefined && !out.has(key)) out.set(key, hlc);
  }
  return out;
}

describe('the memory store\'s winners()', () => {
  it('holds each cell once, only the cells asked, as a Map would: a cell asked twice in a row, after another row, and in another table of the same row id', () => {
    const store = open();
    const a = pulled('notes', 'r1', 'title', 'a');
    const b = pulled('notes', 'r1', 'done', true);
    const c = pulled('notes', 'r2', 'title', 'c');
    const d = pulled('tags', 'r1', 'name', 'd');
    const notAsked = pulled('notes', 'r2', 'done', false);
    const page = [a, b, c, d, notAsked];
    store.commit({ insert: page, writes: page.map(write) });
    const byKey = new Map(page.map((m) => [cellKey(m.table, m.row, m.column), m.hlc]));
    // a twice in its row, a again after r2 and after another table, c twice apart; a cell never written.
    const asked = [a, a, b, c, a, d, c, pulled('notes', 'r9', 'title', 'never written'), a].map(cell);
    const winners = store.winners(asked) as ReadonlyMap<string, string>;
    const want = expected(asked, byKey);
    expect(winners.size).toBe(4);
    expect([...winners.values()]).toEqual([...want.values()]);
    expect([...winners.keys()]).toEqual([...want.keys()]);
    expect([...winners.entries()]).toEqual([...want.entries()]);
    expect(Object.fromEntries(winners)).toEqual(Object.fromEntries(want));
    const seen: [string, string, boolean][] = [];
    const self = { tag: 'this' };
    winners.forEach(function (this: unknown, hlc, key, map) {
      seen.push([key, hlc, this === self && map === winners]);
    }, self);
    expect(seen).toEqual([...want].map(([k, v]) => [k, v, true]));
    for (const m of [a, b, c, d]) expect(winners.get(cellKey(m.table, m.row, m.column))).toBe(m.hlc);
    // A cell of a row asked about, never asked itself, is not in the map.
    expect(winners.has(cellKey('notes', 'r2', 'done'))).toBe(false);
    expect(winners.get(cellKey('notes', 'r2', 'done'))).toBeUndefined();
  });

  it('lists the same cells again on the next call, and answers as of its call after a later commit', () => {
    const store = open();
    const first = pulled('notes', 'r1', 'title', 'first');
    store.commit({ insert: [first], writes: [write(first)] });
    const asked = [cell(first)];
    const before = store.winners(asked) as ReadonlyMap<string, string>;
    expect([...before.values()]).toEqual([first.hlc]);
    // The next call lists the cell again (each call marks cells as its own).
    expect([...(store.winners(asked) as ReadonlyMap<string, string>).values()]).toEqual([first.hlc]);
    const next = pulled('notes', 'r1', 'title', 'next');
    store.commit({ insert: [next], writes: [write(next)] });
    // The first answer's key is looked up only now: it still says what the call saw.
    expect(before.get(cellKey('notes', 'r1', 'title'))).toBe(first.hlc);
    expect(Object.fromEntries(store.winners(asked) as ReadonlyMap<string, string>)).toEqual({ [cellKey('notes', 'r1', 'title')]: next.hlc });
  });

  it('keeps two tables apart when a page and a commit alternate between them, and a table made in the commit', () => {
    const store = open();
    const note = pulled('notes', 'x', 'title', 'note');
    store.commit({ insert: [note], writes: [write(note)] });
    // `tags` does not exist yet: asked about first, then made by the commit, between notes.
    const tag = pulled('tags', 'x', 'name', 'tag');
    expect((store.winners([cell(tag), cell(note)]) as ReadonlyMap<string, string>).size).toBe(1);
    const note2 = pulled('notes', 'y', 'title', 'note 2');
    const tag2 = pulled('tags', 'y', 'name', 'tag 2');
    const page = [tag, note2, tag2];
    store.commit({ insert: page, writes: page.map(write) });
    const all = [note, tag, note2, tag2];
    const winners = store.winners(all.map(cell)) as ReadonlyMap<string, string>;
    expect(Object.fromEntries(winners)).toEqual(Object.fromEntries(all.map((m) => [cellKey(m.table, m.row, m.column), m.hlc])));
    expect(store.get('notes', 'x')).toEqual({ title: 'note' });
    expect(store.get('tags', 'x')).toEqual({ name: 'tag' });
    expect(store.get('notes', 'y')).toEqual({ title: 'note 2' });
    expect(store.get('tags', 'y')).toEqual({ name: 'tag 2' });
  });

  it('refuses a write to a column that only another table of the commit has, after a write to that table', () => {
    const store = open();
    const ok = pulled('notes', 'x', 'title', 'fine');
    const bad = { table: 'tags', row: 'x', column: 'title', value: 'tags have no title', hlc: pulled('tags', 'x', 'name', '').hlc };
    expect(() => store.commit({ insert: [ok], writes: [write(ok), bad] })).toThrow(/tags\.title is not in the schema/);
    // All or nothing: the first write did not happen either.
    expect(store.get('notes', 'x')).toBeUndefined();
  });
});

describe('cellsOf', () => {
  it('leaves out a message whose column only the table before it has', () => {
    const ok = pulled('notes', 'x', 'title', 'fine');
    const undeclared = pulled('tags', 'x', 'title', 'tags have no title');
    const tag = pulled('tags', 'x', 'name', 'fine');
    expect(cellsOf(conformanceSchema, [ok, undeclared, tag])).toEqual([ok, tag]);
  });
});
