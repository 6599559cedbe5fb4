/**
 * The winners of a pulled page (page-winners.ts) behave as the Map the store contract asks
 * for: the same cells, hlcs, size and iteration as the memory store's Map for the same data,
 * whatever the cells asked (repeated, of rows that do not exist, of columns or tables that
 * are not declared, of two tables sharing row ids, of a table too wide for row bits), and
 * for keys of no cell asked: of another table whose name is as long as, or starts with, the
 * page's one table, or no cell key at all.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { cellKey, createMemoryStore, defineSchema, type Cell, type StoredMessage } from '../../sync/index.ts';
import { planMerge } from '../../sync/merge.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const WIDE = 40; // past the 30 bits of a row's asked columns: a plain Map
const schema = defineSchema({
  version: 1,
  tables: {
    a: { s: { type: 'string', nullable: true }, n: { type: 'number', nullable: true }, f: { type: 'boolean', nullable: true } },
    b: { s: { type: 'string', nullable: true }, n: { type: 'number', nullable: true }, f: { type: 'boolean', nullable: true } },
    w: Object.fromEntries(Array.from({ length: WIDE }, (_, c) => [`c${c}`, { type: 'string', nullable: true }])),
  },
});

const tableArb = fc.constantFrom('a', 'b', 'w');
const columnOf = (table: string, k: number): string => (table === 'w' ? `c${k % WIDE}` : (['s', 'n', 'f'] as const)[k % 3] as string);
const cellArb = fc.record({ table: tableArb, row: fc.integer({ min: 0, max: 9 }), k: fc.integer({ min: 0, max: 40 }) })
  .map(({ table, row, k }): Cell => ({ table, row: `r${row}`, column: columnOf(table, k) }));
/** Cells asked: mostly declared ones, some of no table or column the schema knows. */
const askedArb = fc.array(
  fc.oneof({ weight: 8, arbitrary: cellArb }, { weight: 1, arbitrary: fc.record({ table: fc.constantFrom('a', 'zz'), row: fc.constant('r1'), column: fc.constantFrom('s', 'nope') }) }),
  { minLength: 2, maxLength: 60 },
);

const sorted = <T>(list: Iterable<T>): T[] => [...list].sort((x, y) => (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0));

describe('the winners of a pulled page', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  it('are the Map the memory store gives for the same data: cells, size, get, has and every iterator', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 80 }), askedArb, fc.constantFrom('a', 'ab', 'abw'), (written, asked, tables) => {
        file?.dispose();
        file = sqliteFile();
        const sqlite = file.open();
        sqlite.open(schema);
        const memory = createMemoryStore();
        memory.open(schema);
        const messages = written.map((c, i) => ({
          ...c, hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + i, counter: 0, clientId: 'other' }), value: c.column === 'n' ? i / 3 : c.column === 'f' ? i % 2 === 0 : `v${i}`,
        }));
        const plan = planMerge(schema, messages, new Map());
        const insert: StoredMessage[] = messages.map((m) => ({ ...m, local: false, synced: true, applied: true, error: null }));
        for (const store of [sqlite, memory]) store.commit({ insert, writes: plan.writes });
        // One table, two sharing row ids, or with the wide table too (a plain Map then).
        const cells = asked.filter((c) => tables.includes(c.table) || c.table === 'zz');
        const got = sqlite.winners(cells);
        const want = memory.winners(cells) as ReadonlyMap<string, string>;
        expect(got.size).toBe(want.size);
        expect(sorted(got.entries())).toEqual(sorted(want.entries()));
        expect(sorted(got.keys())).toEqual(sorted(want.keys()));
        expect(sorted(got.values())).toEqual(sorted(want.values()));
        expect(sorted(got)).toEqual(sorted(want));
        const seen: [string, string][] = [];
        got.forEach((hlc, key, map) => {
          expect(map).toBe(got);
          seen.push([key, hlc]);
        });
        expect(sorted(seen)).toEqual(sorted(want.entries()));
        // Every cell written, asked or not, and the cells asked: get and has as the Map's.
        for (const c of [...written, ...cells]) {
          const key = cellKey(c.table, c.row, c.column);
          expect(got.get(key), key).toBe(want.get(key));
          expect(got.has(key), key).toBe(want.has(key));
        }
        for (const key of ['', 'a', 'a\u0000r1', '\u0000\u0000', 'a\u0000r1\u0000', 'zz\u0000r1\u0000s']) expect(got.get(key)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('answer nothing for a key of another table or no cell key, though its parts name a cell they hold', () => {
    // `todo` is the page's table; `list` has a name as long, `todos` one that starts with it;
    // `todo`'s row `todo` has a column `todos`, so the key "todos" splits into that cell.
    const named = defineSchema({
      version: 1,
      tables: { todo: { title: 'string', todos: 'string' }, todos: { title: 'string' }, list: { title: 'string' } },
    });
    file = sqliteFile();
    const sqlite = file.open();
    sqlite.open(named);
    const memory = createMemoryStore();
    memory.open(named);
    const cells: Cell[] = [
      { table: 'todo', row: 'r1', column: 'title' }, { table: 'todo', row: 'r2', column: 'title' }, { table: 'todo', row: 'todo', column: 'todos' },
      { table: 'todos', row: 'r1', column: 'title' }, { table: 'list', row: 'r1', column: 'title' },
    ];
    const writes = cells.map((c, i) => ({ ...c, value: `v${i}`, hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + i, counter: 0, clientId: 'other' }) }));
    for (const store of [sqlite, memory]) store.commit({ writes });
    const keys = [...cells.map((c) => cellKey(c.table, c.row, c.column)), 'todos', 'todo\u0000todos', 'list', 'todos\u0000r1'];
    // One table (its cells are the only ones), then two (no table is the page's only one).
    for (const asked of [cells.slice(0, 3), [cells[2] as Cell, cells[4] as Cell]]) {
      const got = sqlite.winners(asked);
      const want = memory.winners(asked) as ReadonlyMap<string, string>;
      expect(got.size).toBe(asked.length);
      for (const key of keys) {
        expect(got.get(key), JSON.stringify(key)).toBe(want.get(key));
        expect(got.has(key), JSON.stringify(key)).toBe(want.has(key));
      }
    }
  });
});
