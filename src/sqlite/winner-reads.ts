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
    const byTable = new Map<string, Cell[]>();
    for (const c of cells) {
      if (!tables.get(c.table)?.columns.has(c.column)) continue; // undeclared: never written
      const list = byTable.get(c.table);
      if (list) list.push(c);
      else byTable.set(c.table, [c]);
    }
    for (const [name, list] of byTable) {
      const ids = [...new Set(list.map((c) => c.row))];
      const { stmt, position } = winnersOf(tables.get(name) as SqlTable);
      const found = new Map<string, (string | null)[]>();
      for (const r of stmt.all(JSON.stringify(ids))) found.set(r[0] as string, r);
      for (const c of list) {
        const r = found.get(c.row);
        const hlc = r ? r[position.get(c.column) as number] : null;
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
