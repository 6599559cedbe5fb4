/**
 * Pulled pages committed as the client commits them (winners, planMerge, one commit per page)
 * into the SQLite store, against a model: per cell, the message with the greatest hlc.
 *
 * What it guards is the pull side of the commit (apply-commit.ts, row-writer.ts,
 * pulled-in-row.ts): a page's writes are grouped by row once, rows of one shape share
 * statements of 32, 8 and 1 rows, and kept pulled messages are marked by column position in
 * that grouping. Pages here mix two tables with the same row ids, rows setting different
 * columns, cells written twice in a page, columns whose messages are never kept in rows
 * (`number`), and pages of up to a few hundred rows; a last page then pushes them all out of
 * the ring of recent pulled messages, so each cell's history comes from its row or the log.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { cellKey, defineSchema, type JsonValue, type Message, type StoredMessage } from '../../sync/index.ts';
import { cellsOf, planMerge } from '../../sync/merge.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';
import { RECENT_PULLED } from '../pulled-in-row.ts';

const COLUMNS = {
  s: { type: 'string', nullable: true },
  n: { type: 'number', nullable: true },
  i: { type: 'integer', nullable: true },
  f: { type: 'boolean', nullable: true },
  j: { type: 'json', nullable: true },
} as const;
const schema = defineSchema({ version: 1, tables: { a: COLUMNS, b: COLUMNS } });
type Column = keyof typeof COLUMNS;

const valueOf = (column: Column, k: number): JsonValue => {
  switch (column) {
    case 's': return `text ${k} ✓`;
    case 'n': return k / 7;
    case 'i': return k - 500;
    case 'f': return k % 2 === 0;
    case 'j': return { k, list: [k, 'x'] };
  }
};

/** A message: table, row, column and value from small pools, so pages overlap; hlc from `n`. */
const messageArb = fc.record({
  table: fc.constantFrom('a', 'b'),
  row: fc.integer({ min: 0, max: 90 }),
  column: fc.constantFrom<Column>('s', 'n', 'i', 'f', 'j'),
  k: fc.integer({ min: 0, max: 999 }),
  nullValue: fc.boolean(),
});

const pagesArb = fc.array(fc.array(messageArb, { minLength: 1, maxLength: 400 }), { minLength: 1, maxLength: 5 });

describe('pulled pages into the SQLite store', () => {
  let file: SqliteFile;
  afterEach(() => file?.dispose());

  it('leaves every cell with its greatest message, as value, winner and cell history, also once a local write replaces it', () => {
    fc.assert(
      fc.property(pagesArb, fc.integer({ min: 0, max: 1_000_000 }), (pages, seed) => {
        file?.dispose();
        file = sqliteFile();
        const store = file.open();
        store.open(schema);
        const best = new Map<string, Message>();
        let n = 0;
        for (const page of pages) {
          // Distinct hlcs, in an order that is not the page's: later pages may lose cells.
          const messages: Message[] = page.map((p) => ({
            hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + ((n++ * 7919 + seed) % 100_003), counter: 0, clientId: 'other' }),
            table: p.table, row: `r${p.row}`, column: p.column, value: p.nullValue ? null : valueOf(p.column, p.k),
          }));
          const plan = planMerge(schema, messages, store.winners(cellsOf(schema, messages)));
          expect(plan.problems.every((p) => p === null)).toBe(true);
          const insert: StoredMessage[] = messages.map((m) => ({ ...m, local: false, synced: true, applied: true, error: null }));
          store.commit({ insert, writes: plan.writes, meta: { cursor: String(n) } });
          for (const m of messages) {
            const key = cellKey(m.table, m.row, m.column);
            const held = best.get(key);
            if (held === undefined || m.hlc > held.hlc) best.set(key, m);
          }
        }
        // A last page of other cells pushes every message above out of the ring of recent
        // pulled ones (RECENT_PULLED): their history must come from their rows or the log.
        const flush: StoredMessage[] = Array.from({ length: RECENT_PULLED }, (_, i) => ({
          hlc: formatHlc({ millis: Date.UTC(2026, 6, 1) + i, counter: 0, clientId: 'other' }), table: 'b', row: `flush${i}`, column: 's',
          value: `flush ${i}`, local: false, synced: true, applied: true, error: null,
        }));
        store.commit({ insert: flush, writes: flush });
        const cells = [...best.values()];
        const winners = store.winners(cells);
        for (const m of cells) {
          expect(winners.get(cellKey(m.table, m.row, m.column))).toBe(m.hlc);
          expect(store.readRow(m.table, m.row)?.[m.column]).toEqual(m.value);
          const history = store.messages({ kind: 'cell', table: m.table, row: m.row, column: m.column });
          expect(history.find((h) => h.hlc === m.hlc)).toEqual({ ...m, local: false, synced: true, applied: true, error: null });
        }
        // A local write over each cell: a kept pulled message moves to the log first.
        let local = 0;
        for (const m of cells) {
          const mine: StoredMessage = {
            hlc: formatHlc({ millis: Date.UTC(2027, 0, 1) + local++, counter: 0, clientId: 'me' }), table: m.table, row: m.row, column: m.column,
            value: null, local: true, synced: false, applied: true, error: null,
          };
          store.commit({ insert: [mine], writes: [{ table: m.table, row: m.row, column: m.column, value: null, hlc: mine.hlc }] });
          const history = store.messages({ kind: 'cell', table: m.table, row: m.row, column: m.column });
          expect(history.find((h) => h.hlc === m.hlc)?.value).toEqual(m.value);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('writes rows of a table wider than the row shapes\' bits (30 columns) each with its own columns', () => {
    // Rows of one shape share a statement; the shape of a row that sets a column at position
    // 30 or later is not a number of bits but a key of its own.
    const WIDTH = 34;
    const wide = defineSchema({
      version: 1,
      tables: { w: Object.fromEntries(Array.from({ length: WIDTH }, (_, c) => [`c${c}`, { type: 'string', nullable: true }])) },
    });
    const cellArb = fc.record({ row: fc.integer({ min: 0, max: 12 }), column: fc.integer({ min: 24, max: WIDTH - 1 }), k: fc.integer({ min: 0, max: 99 }) });
    fc.assert(
      fc.property(fc.array(fc.array(cellArb, { minLength: 1, maxLength: 120 }), { minLength: 1, maxLength: 3 }), (pages) => {
        file?.dispose();
        file = sqliteFile();
        const store = file.open();
        store.open(wide);
        const best = new Map<string, Message>();
        let n = 0;
        for (const page of pages) {
          const messages: Message[] = page.map((p) => ({
            hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + n++, counter: 0, clientId: 'other' }), table: 'w', row: `r${p.row}`, column: `c${p.column}`, value: `v${p.k}`,
          }));
          const plan = planMerge(wide, messages, store.winners(cellsOf(wide, messages)));
          store.commit({ insert: messages.map((m) => ({ ...m, local: false, synced: true, applied: true, error: null })), writes: plan.writes });
          for (const m of messages) best.set(cellKey(m.table, m.row, m.column), m);
        }
        const cells = [...best.values()];
        const winners = store.winners(cells);
        for (const m of cells) {
          expect(store.readRow(m.table, m.row)?.[m.column]).toBe(m.value);
          expect(winners.get(cellKey(m.table, m.row, m.column))).toBe(m.hlc);
        }
        for (let r = 0; r <= 12; r++) {
          const row = store.readRow('w', `r${r}`);
          if (!row) continue;
          for (let c = 0; c < WIDTH; c++) expect(row[`c${c}`] ?? null, `r${r}.c${c}`).toBe(best.get(cellKey('w', `r${r}`, `c${c}`))?.value ?? null);
        }
      }),
      { numRuns: 40 },
    );
  });
});
