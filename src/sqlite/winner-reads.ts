/**
 * Reading winners from the data tables: the hlc kept beside each cell's value
 * (`_hlc_<column>`). A local write asks for cells of one row, which is one primary-key lookup
 * of just their hlcs; a pull asks for many rows of a table, one statement per table with the
 * ids as a JSON array, and gets the rows read as its map (page-winners.ts). Statements are
 * prepared once and dropped when the schema is opened again.
 */
import type { Statement } from 'better-sqlite3';
import { cellKey, type Cell } from '../sync/index.ts';
import type { Db } from './open-database.ts';
import { PageWinners, lazyWinners, type AskedRows } from './page-winners.ts';
import { KEPT_MARK } from './pulled-in-row.ts';
import type { SqlColumn, SqlTable } from './sql-columns.ts';

type Tables = ReadonlyMap<string, SqlTable>;
type HlcRow = Statement<[string], (string | null)[]>;

/** The table when every cell is a declared column of one row of it (a local write), else null. */
function oneRow(cells: readonly Cell[], tables: Tables): SqlTable | null {
  const first = cells[0];
  if (!first) return null;
  const table = tables.get(first.table);
  if (!table) return null;
  for (const c of cells) {
    if (c.row !== first.row || c.table !== first.table || !table.columns.has(c.column)) return null;
  }
  return table;
}

export interface WinnerReads {
  /** For each cell, the hlc kept with its value (see SyncStore.winners); cells never written are absent. */
  read(cells: readonly Cell[], tables: Tables): ReadonlyMap<string, string>;
  /**
   * For a local write: the greatest winner of `cells` (null when none has one), and whether
   * one of them may keep a pulled message in its row (mark 2, kept-moves.ts): read with the
   * hlcs for the cells of one row, and true (unknown) for any other list.
   */
  newest(cells: readonly Cell[], tables: Tables): { newest: string | null; kept: boolean };
  /** Forgets the prepared statements (the schema's tables may have changed). */
  clear(): void;
}

export function createWinnerReads(db: Db): WinnerReads {
  const manyRows = new Map<string, { stmt: HlcRow; position: Map<string, number>; names: string[] }>();
  const oneRowStatements = new Map<string, HlcRow>();

  /**
   * Many rows of one table, the ids given as a JSON array: each row found comes back as
   * [its index in that array, hlc of each column] (`position` says which column is which).
   * The index, not the id: a number instead of a string per row, and no map of ids to fill.
   */
  function winnersOf(table: SqlTable): { stmt: HlcRow; position: Map<string, number>; names: string[] } {
    let entry = manyRows.get(table.name);
    if (!entry) {
      const columns = [...table.columns.values()];
      const stmt = db.prepare<[string], (string | null)[]>(
        `SELECT ids.key, ${columns.map((c) => `t.${c.hlcSql}`).join(', ')} FROM json_each(?) AS ids JOIN ${table.sql} AS t ON t.id = ids.value`,
      ).raw();
      entry = { stmt, position: new Map(columns.map((c, i) => [c.name, i + 1])), names: ['', ...columns.map((c) => c.name)] };
      manyRows.set(table.name, entry);
    }
    return entry;
  }

  /** The hlcs of the given cells of one row, in their order; with `marks`, their marks after them. */
  function rowWinnersOf(table: SqlTable, cells: readonly Cell[], marks = false): HlcRow {
    let key = marks ? `+${table.name}` : table.name;
    for (const c of cells) key += `\u0000${c.column}`;
    let stmt = oneRowStatements.get(key);
    if (!stmt) {
      const columns = cells.map((c) => (table.columns.get(c.column) as SqlColumn).hlcSql);
      if (marks) columns.push(...cells.map((c) => (table.columns.get(c.column) as SqlColumn).pendingSql));
      stmt = db.prepare<[string], (string | null)[]>(`SELECT ${columns.join(', ')} FROM ${table.sql} WHERE id = ?`).raw();
      oneRowStatements.set(key, stmt);
    }
    return stmt;
  }

  /**
   * The rows of one table that `cells[from...]` ask about, and their hlcs. A pulled page: a
   * thousand cells, mostly a row's cells one after the other, so each step checks the
   * previous cell's row before the map of ids.
   */
  function readTable(table: SqlTable, cells: readonly Cell[], from: number): AskedRows {
    const { stmt, position, names } = winnersOf(table);
    const index = new Map<string, number>();
    const ids: string[] = [];
    const asked: number[] = [];
    let lastRow: string | undefined;
    let at = -1;
    for (let k = from; k < cells.length; k++) {
      const c = cells[k] as Cell;
      if (c.table !== table.name) continue;
      if (c.row !== lastRow) {
        lastRow = c.row;
        const known = index.get(c.row);
        if (known === undefined) {
          index.set(c.row, (at = ids.length));
          ids.push(c.row);
          asked.push(0);
        } else {
          at = known;
        }
      }
      const p = position.get(c.column);
      // An undeclared column is never written. (Bits only mean something for tables of fewer
      // than 30 columns, which PageWinners takes; wider ones are read cell by cell.)
      if (p !== undefined) asked[at] = (asked[at] as number) | (1 << p);
    }
    const found: (string | null)[][] = [];
    const rows = stmt.all(JSON.stringify(ids));
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as (string | null)[];
      found[r[0] as unknown as number] = r;
    }
    return { table: table.name, index, ids, asked, found, position, names };
  }

  function read(cells: readonly Cell[], tables: Tables): ReadonlyMap<string, string> {
    const single = oneRow(cells, tables);
    if (single) {
      const out = new Map<string, string>();
      const r = rowWinnersOf(single, cells).get(cells[0]?.row as string);
      if (r) {
        cells.forEach((c, i) => {
          const hlc = r[i];
          if (hlc) out.set(cellKey(c.table, c.row, c.column), hlc);
        });
      }
      return out;
    }
    // One statement per table, from the table's first cell on (a page is mostly one table).
    const pages: AskedRows[] = [];
    const done = new Set<string>();
    let last: string | undefined;
    let lazy = true;
    for (let k = 0; k < cells.length; k++) {
      const name = (cells[k] as Cell).table;
      if (name === last || done.has(name)) continue;
      last = name;
      done.add(name);
      const table = tables.get(name);
      if (!table) continue; // undeclared: never written
      pages.push(readTable(table, cells, k));
      lazy &&= lazyWinners(table.columns.size);
    }
    if (lazy) return new PageWinners(pages);
    // A table too wide for PageWinners: the cells in a Map.
    const out = new Map<string, string>();
    for (const t of pages) {
      for (const c of cells) {
        if (c.table !== t.table) continue;
        const at = t.index.get(c.row);
        const r = at === undefined ? undefined : t.found[at];
        const p = t.position.get(c.column);
        const hlc = r === undefined || p === undefined ? null : r[p];
        if (typeof hlc === 'string' && hlc !== '') out.set(cellKey(c.table, c.row, c.column), hlc);
      }
    }
    return out;
  }

  function newest(cells: readonly Cell[], tables: Tables): { newest: string | null; kept: boolean } {
    const single = oneRow(cells, tables);
    let best: string | null = null;
    if (!single) {
      for (const hlc of read(cells, tables).values()) if (best === null || hlc > best) best = hlc;
      return { newest: best, kept: true };
    }
    const r = rowWinnersOf(single, cells, true).get(cells[0]?.row as string);
    if (r === undefined) return { newest: null, kept: false }; // no row: nothing kept in it
    let kept = false;
    for (let i = 0; i < cells.length; i++) {
      const hlc = r[i] as string | null;
      if (hlc !== null && (best === null || hlc > best)) best = hlc;
      if ((r[cells.length + i] as unknown) === KEPT_MARK) kept = true;
    }
    return { newest: best, kept };
  }

  return {
    read,
    newest,
    clear() {
      manyRows.clear();
      oneRowStatements.clear();
    },
  };
}
