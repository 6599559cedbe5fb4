/**
 * The winners the SQLite store reads from its data rows (winner-reads.ts): `winners()` for a
 * pull's cells, and the newest winner `transact` gives a local write's plan. Each cell is
 * answered from its own table, row and column, whichever path reads it: one row, many rows
 * of a table (a page), a table too wide for the page's bits, and after the schema changed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cellKey, createSyncClient, defineSchema, type Cell, type Commit, type Schema, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const T0 = Date.UTC(2026, 11, 1, 6);
const hlc = (n: number): string => formatHlc({ millis: T0 + n * 1000, counter: 0, clientId: 'otherClient' });
const cell = (table: string, row: string, column: string): Cell => ({ table, row, column });
/** A pulled message of `n` (its hlc's order), and the write that makes it its cell's winner. */
function pulled(n: number, table: string, row: string, column: string, value: string | boolean = `v${n}`): StoredMessage {
  return { hlc: hlc(n), table, row, column, value, local: false, synced: true, applied: true, error: null };
}
const pull = (list: StoredMessage[]): Commit => ({ insert: list, writes: list.map(({ table, row, column, value, hlc: h }) => ({ table, row, column, value, hlc: h })) });
const entries = (m: ReadonlyMap<string, string>): [string, string][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const sorted = (list: [string, string][]): [string, string][] => [...list].sort(([a], [b]) => (a < b ? -1 : 1));

/** Two tables with the same columns: a read must never answer one's cells from the other's rows. */
const twin = defineSchema({ version: 1, tables: { notes: { title: 'string', done: 'boolean' }, todos: { title: 'string', done: 'boolean' } } });

describe('winners read from the data rows', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  function open(schema: Schema = twin) {
    file = sqliteFile();
    const store = file.open();
    store.open(schema);
    return store;
  }

  it('answers each cell from its own table, row and column: one row, a page of rows, the same row id in two tables', () => {
    const store = open();
    store.commit(pull([
      pulled(1, 'notes', 'a', 'title'), pulled(2, 'notes', 'b', 'title'), pulled(3, 'notes', 'a', 'done', true),
      pulled(4, 'todos', 'a', 'title'), pulled(5, 'todos', 'c', 'done', false),
    ]));
    // One row of each table in turn (their statements have the same columns).
    expect(entries(store.winners([cell('notes', 'a', 'title'), cell('notes', 'a', 'done')]))).toEqual(sorted([
      [cellKey('notes', 'a', 'title'), hlc(1)], [cellKey('notes', 'a', 'done'), hlc(3)],
    ]));
    expect(entries(store.winners([cell('todos', 'a', 'title'), cell('todos', 'a', 'done')]))).toEqual([[cellKey('todos', 'a', 'title'), hlc(4)]]);
    // The same row id in two tables, asked together.
    expect(entries(store.winners([cell('notes', 'a', 'title'), cell('todos', 'a', 'title')]))).toEqual(sorted([
      [cellKey('notes', 'a', 'title'), hlc(1)], [cellKey('todos', 'a', 'title'), hlc(4)],
    ]));
    // A page: rows of both tables, a cell never written, a row that does not exist.
    const page = store.winners([
      cell('notes', 'b', 'title'), cell('notes', 'a', 'done'), cell('notes', 'b', 'done'), cell('todos', 'c', 'done'),
      cell('notes', 'z', 'title'), cell('todos', 'a', 'title'), cell('notes', 'a', 'title'),
    ]);
    expect(entries(page)).toEqual(sorted([
      [cellKey('notes', 'b', 'title'), hlc(2)], [cellKey('notes', 'a', 'done'), hlc(3)], [cellKey('todos', 'c', 'done'), hlc(5)],
      [cellKey('todos', 'a', 'title'), hlc(4)], [cellKey('notes', 'a', 'title'), hlc(1)],
    ]));
    expect(page.size).toBe(5);
    expect(page.get(cellKey('notes', 'b', 'done'))).toBeUndefined();
  });

  it('a table wider than a page\'s bits (30 columns) is answered cell by cell, past position 30 too', () => {
    const width = 36;
    const store = open(defineSchema({ version: 1, tables: { w: Object.fromEntries(Array.from({ length: width }, (_, c) => [`c${c}`, 'string'])) } }));
    store.commit(pull([pulled(1, 'w', 'r1', 'c1'), pulled(2, 'w', 'r1', 'c31'), pulled(3, 'w', 'r2', 'c33'), pulled(4, 'w', 'r2', 'c1')]));
    const found = store.winners([
      cell('w', 'r1', 'c1'), cell('w', 'r1', 'c31'), cell('w', 'r1', 'c33'), cell('w', 'r2', 'c33'), cell('w', 'r2', 'c31'), cell('w', 'r3', 'c1'),
    ]);
    // r2's c1 was written but not asked for: it is not an answer either.
    expect(entries(found)).toEqual(sorted([
      [cellKey('w', 'r1', 'c1'), hlc(1)], [cellKey('w', 'r1', 'c31'), hlc(2)], [cellKey('w', 'r2', 'c33'), hlc(3)],
    ]));
  });

  it('after a second open() whose schema adds a column, the same store reads that column\'s winners, one row or many', () => {
    const v1 = defineSchema({ version: 1, tables: { notes: { title: 'string' } } });
    const v2 = defineSchema({ version: 2, tables: { notes: { title: 'string', color: 'string' } } });
    const store = open(v1);
    store.commit(pull([pulled(1, 'notes', 'a', 'title'), pulled(2, 'notes', 'b', 'title')]));
    // Statements for v1's columns are prepared (and would be reused) by these reads.
    expect(store.winners([cell('notes', 'a', 'title'), cell('notes', 'b', 'title')]).size).toBe(2);
    expect(store.winners([cell('notes', 'a', 'title')]).size).toBe(1);
    store.open(v2);
    store.commit(pull([pulled(3, 'notes', 'a', 'color'), pulled(4, 'notes', 'b', 'color')]));
    expect(entries(store.winners([cell('notes', 'a', 'color'), cell('notes', 'b', 'color'), cell('notes', 'b', 'title')]))).toEqual(sorted([
      [cellKey('notes', 'a', 'color'), hlc(3)], [cellKey('notes', 'b', 'color'), hlc(4)], [cellKey('notes', 'b', 'title'), hlc(2)],
    ]));
    expect(entries(store.winners([cell('notes', 'a', 'title'), cell('notes', 'a', 'color')]))).toEqual(sorted([
      [cellKey('notes', 'a', 'title'), hlc(1)], [cellKey('notes', 'a', 'color'), hlc(3)],
    ]));
  });

  it('transact gives plan the greatest winner of the cells asked, wherever it is among them: one row, several rows, and from its cache', () => {
    const store = open();
    store.commit(pull([pulled(9, 'notes', 'a', 'title'), pulled(2, 'notes', 'a', 'done', true), pulled(5, 'notes', 'b', 'title')]));
    const newest = (cells: Cell[], commit: (n: string | null) => Commit = () => ({})): string | null | undefined => {
      let given: string | null | undefined;
      store.transact(cells, (n) => ((given = n), commit(n)));
      return given;
    };
    expect(newest([cell('notes', 'a', 'title'), cell('notes', 'a', 'done')])).toBe(hlc(9));
    expect(newest([cell('notes', 'a', 'done'), cell('notes', 'a', 'title')])).toBe(hlc(9));
    expect(newest([cell('notes', 'b', 'done'), cell('notes', 'a', 'done')])).toBe(hlc(2)); // b's done has none
    expect(newest([cell('notes', 'b', 'title'), cell('notes', 'a', 'title'), cell('notes', 'a', 'done')])).toBe(hlc(9));
    expect(newest([cell('notes', 'a', 'done'), cell('notes', 'b', 'title')])).toBe(hlc(5));
    expect(newest([cell('notes', 'c', 'title')])).toBeNull();
    // Local writes of c's cells: the next transact of them is answered by the store's cache.
    const local = (n: number, column: string): StoredMessage => ({ ...pulled(n, 'notes', 'c', column, column === 'done' ? true : 'x'), hlc: formatHlc({ millis: T0 + n * 1000, counter: 0, clientId: 'me' }), local: true, synced: false });
    const mine = [local(20, 'title'), local(10, 'done')];
    newest([cell('notes', 'c', 'title'), cell('notes', 'c', 'done')], () => ({ insert: mine, writes: pull(mine).writes }));
    expect(newest([cell('notes', 'c', 'done'), cell('notes', 'c', 'title')])).toBe(mine[0]?.hlc);
    expect(newest([cell('notes', 'c', 'title'), cell('notes', 'c', 'done')])).toBe(mine[0]?.hlc);
  });
});

describe('a local write wins every cell it writes', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  it('even when another connection stored a winner ahead of the client\'s clock, in any of its fields', async () => {
    file = sqliteFile();
    const store = file.open();
    const client = await createSyncClient({ schema: twin, store, autoSync: false });
    await client.update('notes', 'a', { title: 'before', done: false });
    // Another connection to the file (a background syncer) stores another device's title, an
    // hour ahead of this client's clock, which has not seen it.
    const ahead = formatHlc({ millis: Date.now() + 3_600_000, counter: 0, clientId: 'otherClient' });
    const syncer = file.open();
    syncer.open(twin);
    syncer.commit(pull([{ ...pulled(0, 'notes', 'a', 'title', 'from the future'), hlc: ahead }]));
    // The title is not the last field written: its winner must still be the one the clock passes.
    const [title, done] = await client.update('notes', 'a', { title: 'mine', done: true });
    expect((title?.hlc ?? '') > ahead && (done?.hlc ?? '') > ahead).toBe(true);
    expect(store.readRow('notes', 'a')).toMatchObject({ title: 'mine', done: true });
    expect(store.winners([cell('notes', 'a', 'title')]).get(cellKey('notes', 'a', 'title'))).toBe(title?.hlc);
    await client.close();
  });
});
