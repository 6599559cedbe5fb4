/**
 * How the declared schema maps to SQL: table and column names and native column types (the
 * conversion of JSON values to SQLite values and back is sql-values.ts).
 *
 * SQL identifiers come ONLY from the declared schema (`sqlTables(schema)`), never from a
 * message: a message's table and column are looked up in that map, and a name that is not
 * there is refused before any SQL is built. The names the schema allows
 * (`[A-Za-z_][A-Za-z0-9_]*`) are quoted anyway, so a name that is also an SQL keyword
 * (`order`, `group`) works as a column.
 */
import { SchemaError, type ColumnType, type Schema } from '../sync/index.ts';

/** The store's own tables; data tables may not use this prefix or SQLite's. */
export const STORE_PREFIX = 'fieldsync_';
export const MESSAGES_TABLE = 'fieldsync_messages';
export const OUTBOX_TABLE = 'fieldsync_outbox';
export const META_TABLE = 'fieldsync_meta';
/**
 * The hidden column of every data table that keeps the row's earlier unpushed messages
 * (unpushed-in-row.ts). Hidden per-column names are `_hlc_<name>` and `_pending_<name>`, and
 * declared names never start with `_`, so this name collides with none of them.
 */
export const UNPUSHED_SQL = '"_unpushed"';

export interface SqlColumn {
  readonly name: string;
  /** The quoted identifier. */
  readonly sql: string;
  /**
   * The quoted identifier of the hidden column beside it that keeps the `hlc` of the message
   * its value came from (`_hlc_<name>`): the cell's winner, read by `winners()`. Declared
   * names never start with `_`, so these never collide with them.
   */
  readonly hlcSql: string;
  /**
   * The quoted identifier of the hidden column that marks the cell's value as this client's
   * own message, not pushed yet and kept nowhere else (`_pending_<name>`, 1 or NULL): a
   * local write is then one row upsert (see pending-cells.ts).
   */
  readonly pendingSql: string;
  readonly type: ColumnType;
  /** Its position among its table's declared columns (0, 1, ...): commits index their cells by it. */
  readonly position: number;
}

export interface SqlTable {
  readonly name: string;
  readonly sql: string;
  readonly columns: ReadonlyMap<string, SqlColumn>;
}

/** A double-quoted SQL identifier. Only for names that passed the schema's identifier check. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SchemaError(`not an identifier: ${name.slice(0, 80)}`);
  return `"${name}"`;
}

/** The native SQLite type of each column type. */
export const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'TEXT',
  integer: 'INTEGER',
  number: 'REAL',
  boolean: 'INTEGER', // 0 or 1
  json: 'TEXT', // JSON text
};

/** The schema's tables as SQL names; refuses names that would collide with SQLite's or the store's own tables. */
export function sqlTables(schema: Schema): ReadonlyMap<string, SqlTable> {
  const out = new Map<string, SqlTable>();
  for (const [name, def] of schema.tables) {
    const lower = name.toLowerCase();
    if (lower.startsWith('sqlite_') || lower.startsWith(STORE_PREFIX)) {
      throw new SchemaError(`table name ${name}: names starting with sqlite_ or ${STORE_PREFIX} are reserved by the store`);
    }
    const columns = new Map<string, SqlColumn>();
    for (const [column, info] of def.columns) {
      columns.set(column, {
        name: column, sql: quoteIdent(column), hlcSql: quoteIdent(`_hlc_${column}`), pendingSql: quoteIdent(`_pending_${column}`), type: info.type, position: columns.size,
      });
    }
    out.set(name, { name, sql: quoteIdent(name), columns });
  }
  return out;
}
