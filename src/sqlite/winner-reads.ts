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

  /** Many rows of one table: each comes back as [id, hlc of each column], `position` says which is which. */
  function winnersOf(table: SqlTable): { stmt: HlcRow; position: Map<string, number> } {
    let entry = manyRows.get(table.name);
    if (!entry) {
      const columns = [...table.columns.values()];
      const stmt = db.prepare<[string], (string | null)[]>(
        `SELECT id, ${columns.map((c) => c.hlcSql).join(', ')} FROM ${table.sql} WHERE id IN (SELECT value FROM json_each(?))`,
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
    // A pulled page: a thousand cells, mostly a row's cells one after the other, so each step
    // checks the previous cell's row before any set or map.
    const byTable = new Map<string, { cells: Cell[]; ids: Set<string> }>();
    let lastTable = '';
    let lastRow: string | undefined;
    let entry: { cells: Cell[]; ids: Set<string> } | undefined;
    for (const c of cells) {
      if (c.table !== lastTable || entry === undefined) {
        if (!tables.has(c.table)) continue; // undeclared: never written
        lastTable = c.table;
        lastRow = undefined;
        entry = byTable.get(c.table);
        if (entry === undefined) byTable.set(c.table, (entry = { cells: [], ids: new Set() }));
      }
      entry.cells.push(c);
      if (c.row !== lastRow) entry.ids.add((lastRow = c.row));
    }
    for (const [name, { cells: list, ids }] of byTable) {
      const table = tables.get(name) as SqlTable;
      const { stmt, position } = winnersOf(table);
      const found = new Map<string, (string | null)[]>();
      for (const r of stmt.all(JSON.stringify([...ids]))) found.set(r[0] as string, r);
      if (found.size === 0) continue; // none of the rows exists yet (a first sync)
      let row: string | undefined;
      let r: (string | null)[] | undefined;
      for (const c of list) {
        if (c.row !== row) r = found.get((row = c.row));
        if (r === undefined) continue;
        const at = position.get(c.column);
        const hlc = at === undefined ? null : r[at]; // an undeclared column is never written
        if (hlc) out.set(cellKey(c.table, c.row, c.column), hlc);
      }
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
