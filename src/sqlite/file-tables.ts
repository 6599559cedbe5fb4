/**
 * The data tables as the file holds them, whatever schema is declared now: a file keeps the
 * tables and columns of every schema version that opened it (columns are never dropped),
 * and what they hold still matters: an unpushed local write of a column the schema no longer
 * declares must still reach the server (stranded-marks.ts), and a retyped column's values
 * were written with its earlier type (retype-column.ts).
 *
 * Only names the schema could declare are taken (`[A-Za-z_][A-Za-z0-9_]*`, not the store's
 * or SQLite's prefixes): they are safe as SQL identifiers, quoted.
 */
import type { Db } from './open-database.ts';
import { STORE_PREFIX, quoteIdent } from './sql-columns.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface FileTable {
  readonly name: string;
  /** The quoted identifier. */
  readonly sql: string;
  /** Its value columns (those with an `_hlc_<name>` beside them), each with its declared SQL type. */
  readonly columns: ReadonlyMap<string, string>;
  /** Every column name, hidden ones included. */
  readonly names: ReadonlySet<string>;
}

/** The file's data tables by name. Call inside the open transaction. */
export function fileTables(db: Db): Map<string, FileTable> {
  const out = new Map<string, FileTable>();
  const names = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (!IDENTIFIER.test(name) || lower.startsWith(STORE_PREFIX) || lower.startsWith('sqlite_')) continue;
    const sql = quoteIdent(name);
    const info = db.pragma(`table_info(${sql})`) as { name: string; type: string }[];
    const all = new Set(info.map((c) => c.name));
    const columns = new Map<string, string>();
    for (const c of info) if (all.has(`_hlc_${c.name}`)) columns.set(c.name, c.type.toUpperCase());
    out.set(name, { name, sql, columns, names: all });
  }
  return out;
}
