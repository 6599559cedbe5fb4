/**
 * The memory store keeps memory to the cells, not the history: every local message and every
 * message set aside is kept; of the pulled, applied ones, the best of each cell (however old)
 * and the latest RECENT_PULLED. What it keeps is still copied from what the caller holds.
 */
import { describe, expect, it } from 'vitest';
import { formatHlc } from '../hlc.ts';
import { RECENT_PULLED, createMemoryStore } from '../memory-store.ts';
import type { StoredMessage } from '../store.ts';
import { conformanceSchema } from '../testing/index.ts';

const T = Date.UTC(2026, 0, 1);
const at = (n: number, row: string, opts: Partial<StoredMessage> = {}): StoredMessage => ({
  hlc: formatHlc({ millis: T + n, counter: 0, clientId: opts.local ? 'me' : 'other' }),
  table: 'notes', row, column: 'title', value: `v${n}`,
  local: false, synced: true, applied: true, error: null, ...opts,
});
const write = (m: StoredMessage) => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });
const ALL = Number.MAX_SAFE_INTEGER;

function open() {
  const store = createMemoryStore();
  store.open(conformanceSchema);
  return store;
}

/** Pulls `count` messages, 1 to `count` ms after T, spread over `cells` rows, pages of 1000. */
function pull(store: ReturnType<typeof createMemoryStore>, count: number, cells: number, from = 1): StoredMessage[] {
  const all = Array.from({ length: count }, (_, i) => at(from + i, `r${i % cells}`));
  for (let i = 0; i < all.length; i += 1000) {
    const page = all.slice(i, i + 1000);
    store.commit({ insert: page, writes: page.map(write) });
  }
  return all;
}

describe('the memory store keeps memory to the cells', () => {
  it(`of many pulled messages keeps the latest ${RECENT_PULLED} (each cell's best among them)`, () => {
    const store = open();
    const all = pull(store, 5 * RECENT_PULLED, 10);
    const kept = store.messages({ kind: 'recent', limit: ALL }) as StoredMessage[];
    expect(kept.map((m) => m.hlc)).toEqual(all.slice(-RECENT_PULLED).map((m) => m.hlc).reverse());
    expect(store.get('notes', 'r3')).toEqual({ title: all.at(-7)?.value });
  });

  it('keeps every local message, and every message set aside', () => {
    const store = open();
    const local = Array.from({ length: 3 * RECENT_PULLED }, (_, i) => at(i, `l${i}`, { local: true, synced: i % 2 === 0 }));
    const aside = Array.from({ length: 2 * RECENT_PULLED }, (_, i) => at(100_000 + i, `a${i}`, { applied: false, error: 'unknown column' }));
    store.commit({ insert: [...local, ...aside] });
    pull(store, 3 * RECENT_PULLED, 50, 200_000);
    const kept = new Set((store.messages({ kind: 'recent', limit: ALL }) as StoredMessage[]).map((m) => m.hlc));
    for (const m of [...local, ...aside]) expect(kept.has(m.hlc)).toBe(true);
    expect(store.messages({ kind: 'pending', limit: ALL })).toHaveLength(1.5 * RECENT_PULLED);
    expect(store.messages({ kind: 'unapplied' })).toHaveLength(2 * RECENT_PULLED);
  });

  it('keeps the best pulled message of every cell however long ago it came, for recent and for the cell', () => {
    const store = open();
    const newest = at(1_000_000, 'early');
    store.commit({ insert: [newest], writes: [write(newest)] });
    store.commit({ insert: [at(5, 'early')] }); // older: it loses the cell
    pull(store, 3 * RECENT_PULLED, 100, 10);
    expect((store.open(conformanceSchema) as { maxHlc: string }).maxHlc).toBe(newest.hlc);
    expect((store.messages({ kind: 'recent', limit: 1 }) as StoredMessage[])[0]).toEqual(newest);
    expect(store.messages({ kind: 'cell', table: 'notes', row: 'early', column: 'title' })).toEqual([newest]);
  });

  it("a local write that wins over a pulled one can fall back to it, pulled long before (what a rejected write needs)", () => {
    const store = open();
    const pulled = at(5, 'x');
    const mine = at(10, 'x', { local: true, synced: false });
    store.commit({ insert: [pulled], writes: [write(pulled)] });
    store.commit({ insert: [mine], writes: [write(mine)] });
    pull(store, 3 * RECENT_PULLED, 100, 100);
    const cell = (store.messages({ kind: 'cell', table: 'notes', row: 'x', column: 'title' }) as StoredMessage[]).map((m) => m.hlc).sort();
    expect(cell).toEqual([pulled.hlc, mine.hlc]);
  });

  it('a pulled message pulled again (as after an epoch restart) takes no room among the latest', () => {
    const store = open();
    const all = pull(store, RECENT_PULLED, 1);
    const last = all.at(-1) as StoredMessage;
    for (let i = 0; i < RECENT_PULLED; i++) store.commit({ insert: [last] });
    expect(store.messages({ kind: 'recent', limit: ALL })).toHaveLength(RECENT_PULLED);
  });

  it('a message already kept is not stored twice, pulled or local', () => {
    const store = open();
    const m = at(1, 'r');
    store.commit({ insert: [m, { ...m, value: 'other' }], writes: [write(m)] });
    store.commit({ insert: [{ ...m, value: 'again' }] });
    expect(store.messages({ kind: 'recent', limit: ALL })).toEqual([m]);
  });

  it('shares nothing with the caller: object values are copied in and out', () => {
    const store = open();
    const value = { tags: ['a'] };
    const m = { ...at(1, 'r'), value };
    store.commit({ insert: [m], writes: [{ ...write(m), value }] });
    value.tags.push('changed');
    expect(store.get('notes', 'r')).toEqual({ title: { tags: ['a'] } });
    expect((store.messages({ kind: 'recent', limit: 1 }) as StoredMessage[])[0]?.value).toEqual({ tags: ['a'] });
    const out = store.values?.([{ table: 'notes', row: 'r', column: 'title' }]) as unknown as Map<string, { value: { tags: string[] } }>;
    [...out.values()][0]?.value.tags.push('x');
    expect(store.get('notes', 'r')).toEqual({ title: { tags: ['a'] } });
  });

  it("keeps its own copy of a pulled message that is its cell's best but not its value (a newer local write holds the cell)", () => {
    const store = open();
    const mine = at(10, 'x', { local: true, synced: false });
    store.commit({ insert: [mine], writes: [write(mine)] });
    const value = { tags: ['a'] };
    const pulled = { ...at(5, 'x'), value };
    store.commit({ insert: [pulled] });
    value.tags.push('changed');
    (pulled as { hlc: string }).hlc = 'changed';
    pull(store, 3 * RECENT_PULLED, 100, 100);
    const cell = store.messages({ kind: 'cell', table: 'notes', row: 'x', column: 'title' }) as StoredMessage[];
    expect(cell.find((m) => !m.local)).toEqual({ ...at(5, 'x'), value: { tags: ['a'] } });
  });

  it('a pulled value replaced by a local write is still its cell\'s best pulled message, with its own value', () => {
    const store = open();
    const first = { ...at(5, 'x'), value: { n: 1 } };
    store.commit({ insert: [first], writes: [write(first)] });
    const mine = at(10, 'x', { local: true, synced: false });
    store.commit({ insert: [mine], writes: [write(mine)] });
    pull(store, 3 * RECENT_PULLED, 100, 100);
    expect(store.get('notes', 'x')).toEqual({ title: mine.value });
    const cell = store.messages({ kind: 'cell', table: 'notes', row: 'x', column: 'title' }) as StoredMessage[];
    expect(cell.find((m) => !m.local)).toEqual({ ...at(5, 'x'), value: { n: 1 } });
  });

  it('a pulled value replaced by two local writes in turn stays its cell\'s best pulled message (neither write takes its place)', () => {
    const store = open();
    const pulled = at(5, 'x');
    const mine = [at(10, 'x', { local: true, synced: false }), at(11, 'x', { local: true, synced: false })];
    store.commit({ insert: [pulled], writes: [write(pulled)] });
    for (const m of mine) store.commit({ insert: [m], writes: [write(m)] });
    pull(store, 3 * RECENT_PULLED, 100, 100); // the pulled one leaves the ring: only the cell keeps it
    const cell = store.messages({ kind: 'cell', table: 'notes', row: 'x', column: 'title' }) as StoredMessage[];
    expect(cell.map((m) => [m.hlc, m.local]).sort()).toEqual([[pulled.hlc, false], [mine[0]?.hlc, true], [mine[1]?.hlc, true]]);
    expect(cell.find((m) => !m.local)).toEqual(pulled);
  });

  it('finds every row of many, and each in its own table when two tables have the same row ids', () => {
    const store = open();
    const all = pull(store, 10_000, 10_000);
    const tags = all.map((m, i) => ({ ...m, hlc: at(20_000 + i, m.row).hlc, table: 'tags', column: 'name', value: `tag ${i}` }));
    store.commit({ insert: tags, writes: tags.map(write) });
    // One table's cell, then the other's, for the same row id.
    const both = all.flatMap((m, i) => [m, tags[i] as StoredMessage]);
    const winners = store.winners(both.map((m) => ({ table: m.table, row: m.row, column: m.column }))) as ReadonlyMap<string, string>;
    expect(winners.size).toBe(20_000);
    for (const m of both) expect(winners.get(`${m.table}\u0000${m.row}\u0000${m.column}`)).toBe(m.hlc);
    expect(store.get('notes', 'r0')).toEqual({ title: all[0]?.value });
    expect(store.get('tags', 'r0')).toEqual({ name: 'tag 0' });
  });

  it('finds a row it looked for before the row existed', () => {
    const store = open();
    const m = at(1, 'new');
    const cell = [{ table: m.table, row: m.row, column: m.column }];
    expect((store.winners(cell) as ReadonlyMap<string, string>).size).toBe(0);
    store.commit({ insert: [m], writes: [write(m)] });
    expect([...(store.winners(cell) as ReadonlyMap<string, string>).values()]).toEqual([m.hlc]);
    expect(store.get('notes', 'new')).toEqual({ title: m.value });
  });
});

