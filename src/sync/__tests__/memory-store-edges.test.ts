/**
 * The memory store's edges that its conformance suite does not reach (mutation testing,
 * round 62): reads before and after open, a removed pending message, the greatest hlc after
 * a removal, an update of a message not stored, and a cell's best pulled message when the
 * cell is written again with the pulled value but another hlc; round 63: a pulled winner's
 * mark kept off the row's other cells.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError, ValidationError, createMemoryStore, defineSchema, type StoredMessage } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import { RECENT_PULLED } from '../memory-store.ts';

const schema = defineSchema({ version: 1, tables: { notes: { title: 'string', body: 'string' } } });
const T0 = Date.UTC(2026, 11, 7, 6);
const message = (n: number, value: string, local: boolean, row = 'a', column = 'title'): StoredMessage => ({
  hlc: formatHlc({ millis: T0 + n, counter: 0, clientId: local ? 'me' : 'other' }), table: 'notes', row, column, value,
  local, synced: !local, applied: true, error: null,
});
/** The store is synchronous: its answers are arrays. */
const hlcs = (list: unknown): string[] => (list as readonly StoredMessage[]).map((m) => m.hlc);
const written = (m: StoredMessage) => ({ insert: [m], writes: [{ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc }] });

describe('memory store edges', () => {
  it('get and rows before open read nothing and refuse nothing; after open an undeclared table is a SchemaError', () => {
    const store = createMemoryStore();
    expect(store.get('nope', 'a')).toBeUndefined();
    expect(store.rows('nope').size).toBe(0);
    store.open(schema);
    expect(() => store.get('nope', 'a')).toThrow(SchemaError);
    expect(() => store.get('nope', 'a')).toThrow(/^store: no table .*nope.* in the schema$/);
    expect(() => store.rows('nope')).toThrow(SchemaError);
    // A name read back is cut (a huge one would make a huge message).
    const long = 'n'.repeat(500);
    expect(() => store.get(long, 'a')).toThrow(SchemaError);
    try { store.get(long, 'a'); } catch (err) { expect((err as Error).message.length).toBeLessThan(150); }
    expect(() => store.rows('notes', { includeDeleted: 'yes' } as never)).toThrow(/^rows\(table, options\)/);
  });

  it('get refuses a row id that is not a string', () => {
    const store = createMemoryStore();
    store.open(schema);
    store.commit(written(message(1, 'x', true, '5')));
    expect(() => store.get('notes', 5 as never)).toThrow(ValidationError);
    expect(() => store.get('notes', 5 as never)).toThrow('get(table, row): row must be a string');
  });

  it('rows leaves deleted rows out unless asked for, and gives each row\'s record', () => {
    const store = createMemoryStore();
    store.open(schema);
    store.commit(written(message(1, 'kept', true, 'a')));
    store.commit(written(message(2, 'gone', true, 'b')));
    store.commit({ writes: [{ table: 'notes', row: 'b', column: '_deleted', value: true, hlc: message(3, '', true).hlc }] });
    expect([...store.rows('notes')]).toEqual([['a', { title: 'kept' }]]);
    expect([...store.rows('notes', { includeDeleted: true }).keys()]).toEqual(['a', 'b']);
    expect(store.rows('notes', { includeDeleted: true }).get('b')).toEqual({ title: 'gone', _deleted: true });
    // A row whose only write cleared its cell (no hlc) has no record: in neither answer.
    store.commit({ writes: [{ table: 'notes', row: 'c', column: 'title', value: null, hlc: null }] });
    expect([...store.rows('notes', { includeDeleted: true }).keys()]).toEqual(['a', 'b']);
    expect(store.get('notes', 'c')).toBeUndefined();
  });

  it('names the method in its argument errors', () => {
    const store = createMemoryStore();
    store.open(schema);
    expect(() => store.winners('x' as never)).toThrow(/^store\.winners\(\) takes/);
    expect(() => store.values?.('x' as never)).toThrow(/^store\.values\(\) takes/);
  });

  it('a removed pending message is no longer pending, and the greatest hlc is recomputed from what is left', () => {
    const store = createMemoryStore();
    store.open(schema);
    // Stored in hlc order: the greatest is the last, not the first left after the removal.
    const [a, c, b] = [message(1, 'a', true, 'r1'), message(2, 'b', true, 'r2'), message(3, 'c', true, 'r3')];
    for (const m of [a, c, b]) store.commit(written(m));
    store.commit({ remove: [a.hlc] });
    expect(store.open(schema)).toMatchObject({ pendingCount: 2, maxHlc: b.hlc });
    expect(hlcs(store.messages({ kind: 'pending', limit: 10 }))).toEqual([c.hlc, b.hlc]);
    store.commit({ remove: [b.hlc] });
    expect(store.open(schema)).toMatchObject({ pendingCount: 1, maxHlc: c.hlc });
  });

  it('an update of a message that is not stored does nothing', () => {
    const store = createMemoryStore();
    store.open(schema);
    const m = message(1, 'x', true);
    store.commit(written(m));
    store.commit({ update: [{ hlc: message(9, '', true).hlc, synced: true, applied: true, error: null }] });
    expect(store.messages({ kind: 'pending', limit: 10 })).toEqual([m]);
    expect(store.messages({ kind: 'recent', limit: 10 })).toEqual([m]);
    expect(store.open(schema)).toMatchObject({ pendingCount: 1, maxHlc: m.hlc });
  });

  it('a commit that writes a column the schema does not declare is a SchemaError, and changes nothing', () => {
    const store = createMemoryStore();
    store.open(schema);
    const m = { ...message(1, 'x', true), column: 'nope' };
    expect(() => store.commit(written(m))).toThrow(SchemaError);
    expect(store.open(schema)).toMatchObject({ pendingCount: 0, maxHlc: null });
  });

  it('a cell written again with its best pulled message\'s value, under another hlc, keeps that pulled message in its history', () => {
    const store = createMemoryStore();
    store.open(schema);
    const p = message(1, 'same', false);
    store.commit(written(p));
    store.commit(written(message(2, 'other', true)));
    const again = message(3, 'same', true);
    store.commit(written(again));
    // Other rows' pulls push p out of the ring of recent ones: only the cell keeps it.
    store.commit({ insert: Array.from({ length: RECENT_PULLED }, (_, i) => message(10 + i, 'v', false, `r${i}`)) });
    const history = store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' });
    expect((history as readonly StoredMessage[]).filter((m) => !m.local)).toEqual([p]);
  });

  it('a pull that wins one cell leaves the best pulled message of the row\'s other cells as it was (round 63)', () => {
    // A row keeps its cells side by side, four slots each (memory-rows.ts): a pulled winner
    // marks its own cell's best as the cell, never its neighbour's. Here the neighbour, title,
    // holds a local value over an older pulled one; were that mark on title, its history
    // would show its local hlc as pulled, and lose the pulled message it really keeps.
    const store = createMemoryStore();
    store.open(schema);
    const pulledTitle = message(1, 'from other', false, 'a', 'title');
    store.commit(written(pulledTitle));
    const localTitle = message(2, 'mine', true, 'a', 'title');
    store.commit(written(localTitle));
    store.commit(written(message(3, 'body', false, 'a', 'body')));
    // Other rows' pulls push the row's out of the ring of recent ones: only the cells keep them.
    store.commit({ insert: Array.from({ length: RECENT_PULLED }, (_, i) => message(10 + i, 'v', false, `r${i}`)) });
    const title = store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }) as readonly StoredMessage[];
    expect(title.filter((m) => !m.local)).toEqual([pulledTitle]);
    expect(title.filter((m) => m.local)).toEqual([localTitle]);
    const body = store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'body' }) as readonly StoredMessage[];
    expect(hlcs(body)).toEqual([message(3, '', false).hlc]);
    expect(store.get('notes', 'a')).toEqual({ title: 'mine', body: 'body' });
  });
});
