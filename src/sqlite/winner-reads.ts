/**
 * Reading winners from the data tables: the hlc kept beside each cell's value
 * (`_hlc_<column>`). A local write asks for cells of one row, which is one primary-key lookup
 * of just their hlcs; a pull asks for many rows of a table, one statement per table with the
 * ids as a JSON array. Statements are prepared once and dropped when the schema is opened again.
 */
import type { Statement } from 'better-sqlite3';
import { cellKey, type Cell } from '../sync/index.ts';
import type { Db } from './open-database.ts';
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
  read(cells: readonly Cell[], tables: Tables): Map<string, string>;
  /** The greatest winner of `cells`, or null. */
  newest(cells: readonly Cell[], tables: Tables): string | null;
  /** Forgets the prepared statements (the schema's tables may have changed). */
  clear(): void;
}

export function createWinnerReads(db: Db): WinnerReads {
  const manyRows = new Map<string, { stmt: HlcRow; position: Map<string, number> }>();
  const oneRowStatements = new Map<string, HlcRow>();

  /**
   * Many rows of one table, the ids given as a JSON array: each row found comes back as
   * [its index in that array, hlc of each column] (`position` says which column is which).
   * The index, not the id: a number instead of a string per row, and no map of ids to fill.
   */
  function winnersOf(table: SqlTable): { stmt: HlcRow; position: Map<string, number> } {
    let entry = manyRows.get(table.name);
    if (!entry) {
      const columns = [...table.columns.values()];
      const stmt = db.prepare<[string], (string | null)[]>(
        `SELECT ids.key, ${columns.map((c) => `t.${c.hlcSql}`).join(', ')} FROM json_each(?) AS ids JOIN ${table.sql} AS t ON t.id = ids.value`,
      ).raw();
      entry = { stmt, position: new Map(columns.map((c, i) => [c.name, i + 1])) };
      manyRows.set(table.name, entry);
    }
    return entry;
  }

  /** The hlcs of the given cells of one row, in their order. */
  function rowWinnersOf(table: SqlTable, cells: readonly Cell[]): HlcRow {
    let key = table.name;
    for (const c of cells) key += `\u0000${c.column}`;
    let stmt = oneRowStatements.get(key);
    if (!stmt) {
      const columns = cells.map((c) => (table.columns.get(c.column) as SqlColumn).hlcSql);
      stmt = db.prepare<[string], (string | null)[]>(`SELECT ${columns.join(', ')} FROM ${table.sql} WHERE id = ?`).raw();
      oneRowStatements.set(key, stmt);
    }
    return stmt;
  }

  /** The winners of the cells of one table (`cells[from...]` whose table is `table`) into `out`. */
  function readTable(table: SqlTable, cells: readonly Cell[], from: number, out: Map<string, string>): void {
    // A pulled page: a thousand cells, mostly a row's cells one after the other, so each step
    // checks the previous cell's row before the map of ids. `rowAt[k]` is cell k's row's index.
    const ids = new Map<string, number>();
    const rowAt: number[] = [];
    let lastRow: string | undefined;
    let at = -1;
    for (let k = from; k < cells.length; k++) {
      const c = cells[k] as Cell;
      if (c.table !== table.name) continue;
      if (c.row !== lastRow) {
        lastRow = c.row;
        const known = ids.get(c.row);
        if (known === undefined) ids.set(c.row, (at = ids.size));
        else at = known;
      }
      rowAt[k] = at;
    }
    const { stmt, position } = winnersOf(table);
    const found: ((string | null)[] | undefined)[] = [];
    for (const r of stmt.all(JSON.stringify([...ids.keys()]))) found[r[0] as unknown as number] = r;
    if (found.length === 0) return; // none of the rows exists yet (a first sync)
    for (let k = from; k < cells.length; k++) {
      const c = cells[k] as Cell;
      if (c.table !== table.name) continue;
      const r = found[rowAt[k] as number];
      if (r === undefined) continue;
      const p = position.get(c.column);
      const hlc = p === undefined ? null : r[p]; // an undeclared column is never written
      if (hlc) out.set(cellKey(c.table, c.row, c.column), hlc);
    }
  }

  function read(cells: readonly Cell[], tables: Tables): Map<string, string> {
    const out = new Map<string, string>();
    const single = oneRow(cells, tables);
    if (single) {
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
    const done = new Set<string>();
    let last: string | undefined;
    for (let k = 0; k < cells.length; k++) {
      const name = (cells[k] as Cell).table;
      if (name === last || done.has(name)) continue;
      last = name;
      done.add(name);
      const table = tables.get(name);
      if (table) readTable(table, cells, k, out); // undeclared: never written
    }
    return out;
  }

  function newest(cells: readonly Cell[], tables: Tables): string | null {
    const single = oneRow(cells, tables);
    let best: string | null = null;
    const found = single ? rowWinnersOf(single, cells).get(cells[0]?.row as string) ?? [] : read(cells, tables).values();
    for (const hlc of found) if (hlc !== null && (best === null || hlc > best)) best = hlc;
    return best;
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
