/** The SQLite client store beyond the conformance suite: its own reads, errors and lifecycle. */
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaError, StoreError, cellKey, createSyncClient, defineSchema, type CellWrite, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import type { SqliteStore } from '../sqlite-store.ts';
import { conformanceSchema, conformanceSchemaV2 } from '../../sync/testing/index.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const HLC = '2026-11-24T15:00:00.000Z-0000-client';
const write = (table: string, row: string, column: string, value: CellWrite['value'], hlc: string | null = HLC): CellWrite => ({ table, row, column, value, hlc });

describe('the SQLite client store', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  it('refuses every operation before open()', () => {
    file = sqliteFile();
    const store = file.open();
    const notOpen = new StoreError('the store is not open');
    expect(() => store.commit({})).toThrow(notOpen);
    expect(() => store.winners([])).toThrow(notOpen);
    expect(() => store.messages({ kind: 'rejected' })).toThrow(notOpen);
    expect(() => store.readRow('notes', 'a')).toThrow(notOpen);
    expect(() => store.rows('notes')).toThrow(notOpen);
  });

  it('names an undeclared cell in its error, cut to 80 characters per name', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    expect(() => store.commit({ writes: [write('notes', 'r', 'nope', 1)] })).toThrow(new SchemaError('store: notes.nope is not in the schema'));
    const long = 'x'.repeat(100);
    expect(() => store.commit({ writes: [write(long, 'r', long, 1)] }))
      .toThrow(new SchemaError(`store: ${'x'.repeat(80)}.${'x'.repeat(80)} is not in the schema`));
  });

  it('reads rows: an undeclared table is a SchemaError (table-reads.test.ts), tombstones only when asked for', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    store.commit({ writes: [write('notes', 'a', 'title', 'A'), write('notes', 'gone', 'title', 'G'), write('notes', 'gone', '_deleted', true)] });
    expect(() => store.readRow('nope', 'a')).toThrow(new SchemaError('no table nope in the schema'));
    expect(() => store.rows('nope')).toThrow(SchemaError);
    expect([...store.rows('notes').keys()]).toEqual(['a']);
    expect([...store.rows('notes', { includeDeleted: true }).keys()].sort()).toEqual(['a', 'gone']);
    expect(store.rows('notes', { includeDeleted: true }).get('gone')).toMatchObject({ title: 'G', _deleted: true });
  });

  it('opened again with a new schema on the same connection, reads and writes the new columns', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    store.commit({ writes: [write('notes', 'a', 'title', 'A')] });
    expect(store.winners([{ table: 'notes', row: 'a', column: 'title' }]).size).toBe(1); // statements prepared for v1
    expect(store.readRow('notes', 'a')).toMatchObject({ title: 'A' });
    store.open(conformanceSchemaV2);
    store.commit({ writes: [write('notes', 'a', 'color', 'red')] });
    expect(Object.fromEntries(store.winners([{ table: 'notes', row: 'a', column: 'color' }, { table: 'notes', row: 'a', column: 'title' }])))
      .toEqual({ 'notes\u0000a\u0000color': HLC, 'notes\u0000a\u0000title': HLC });
    expect(store.readRow('notes', 'a')).toMatchObject({ title: 'A', color: 'red' });
  });

  it('asks for the winners of many cells of several tables at once', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    store.commit({ writes: [write('notes', 'a', 'title', 'A'), write('tags', 't', 'name', 'T'), write('notes', 'b', 'done', true)] });
    const winners = store.winners([
      { table: 'notes', row: 'a', column: 'title' }, { table: 'tags', row: 't', column: 'name' },
      { table: 'notes', row: 'b', column: 'done' }, { table: 'notes', row: 'b', column: 'title' },
    ]);
    expect([...winners.keys()].sort()).toEqual(['notes\u0000a\u0000title', 'notes\u0000b\u0000done', 'tags\u0000t\u0000name']);
  });

  it('answers one row\'s winners as last committed, never a stale one', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(conformanceSchema);
    const hlc = (n: number): string => `2026-11-24T15:00:00.00${n}Z-0000-client`;
    const title = { table: 'notes', row: 'a', column: 'title' };
    const winner = (): unknown => Object.fromEntries(store.winners([title, { table: 'notes', row: 'a', column: 'done' }]));
    expect(winner()).toEqual({}); // read (and remembered) before the row exists
    store.commit({ writes: [write('notes', 'a', 'title', 'A', hlc(1))] });
    expect(winner()).toEqual({ 'notes\u0000a\u0000title': hlc(1) });
    store.commit({ writes: [write('notes', 'b', 'title', 'B', hlc(2)), write('notes', 'a', 'title', 'A2', hlc(3)), write('notes', 'a', 'done', true, hlc(4))] });
    expect(winner()).toEqual({ 'notes\u0000a\u0000title': hlc(3), 'notes\u0000a\u0000done': hlc(4) });
    const poisoned = { table: 'notes', row: 'c', column: 'title', hlc: hlc(6) } as CellWrite;
    Object.defineProperty(poisoned, 'value', { enumerable: true, get: () => { throw new Error('injected failure'); } });
    expect(() => store.commit({ writes: [write('notes', 'a', 'title', 'lost', hlc(5)), poisoned] })).toThrow(/injected/);
    expect(winner()).toEqual({ 'notes\u0000a\u0000title': hlc(3), 'notes\u0000a\u0000done': hlc(4) });
    store.commit({ writes: [write('notes', 'a', 'title', null, null)] });
    expect(winner()).toEqual({ 'notes\u0000a\u0000done': hlc(4) });
    // What another reader of the file sees agrees.
    expect(file.open().db.prepare('SELECT _hlc_title, _hlc_done FROM notes WHERE id = ?').raw().get('a')).toEqual([null, hlc(4)]);
  });

  it('a local write beats the winner another connection, or this one, committed since its last write of the cell', async () => {
    file = sqliteFile();
    const store = file.open();
    const other = file.open();
    other.open(conformanceSchema);
    const client = await createSyncClient({ schema: conformanceSchema, store, autoSync: false });
    const title = { table: 'notes', row: 'a', column: 'title' };
    const future = (minutes: number, clientId: string): StoredMessage => ({
      ...title, hlc: formatHlc({ millis: Date.now() + minutes * 60_000, counter: 0, clientId }), value: `from ${clientId}`,
      local: false, synced: true, applied: true, error: null,
    });
    const pull = (s: SqliteStore, m: StoredMessage): void => s.commit({ insert: [m], writes: [{ ...title, value: m.value, hlc: m.hlc }] });
    const expectWins = async (value: string, beaten: StoredMessage): Promise<void> => {
      const m = await client.set('notes', 'a', 'title', value);
      expect(m.hlc > beaten.hlc).toBe(true);
      expect(store.readRow('notes', 'a')?.title).toBe(value);
      expect(Object.fromEntries(other.winners([title]))).toEqual({ [cellKey('notes', 'a', 'title')]: m.hlc });
    };
    await client.set('notes', 'a', 'title', 'first');
    for (const [i, s] of [other, store, other].entries()) {
      await client.set('notes', 'a', 'title', `again ${i}`); // this connection knows the cell's winner
      const ahead = future(10 + i, i === 1 ? 'same-connection' : 'other-connection');
      pull(s, ahead);
      await expectWins(`after ${ahead.value}`, ahead);
    }
    await client.close();
  });

  it('close() closes its connection, once', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(defineSchema({ version: 1, tables: { t: { c: 'string' } } }));
    store.close();
    expect(store.db.open).toBe(false);
    expect(() => store.close()).not.toThrow();
  });
});
