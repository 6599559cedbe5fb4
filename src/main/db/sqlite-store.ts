/**
 * The client store on SQLite (better-sqlite3): the five functions of the store contract
 * (`src/sync/store.ts`) over one database file.
 *
 * - Every commit runs in one `IMMEDIATE` transaction: all or nothing, and it takes the write
 *   lock up front, so two connections on one file (a crashed instance's and its restart's)
 *   wait for each other instead of failing half-way.
 * - Messages keep their value as JSON text, so every value round-trips exactly.
 * - Data tables hold one row per row id, one native column per declared column.
 * - SQL identifiers come only from the declared schema (see sql-columns.ts).
 */
import type { Statement } from 'better-sqlite3';
import {
  SchemaError, StoreError, cellKey,
  type Cell, type Commit, type JsonValue, type MessageQuery, type Schema, type StoreState, type StoredMessage, type SyncStore,
} from '../../sync/index.ts';
import { migrateDataTables, migrateStore } from './migrations.ts';
import type { Db } from './open-database.ts';
import { MESSAGES_TABLE as M, META_TABLE, fromSql, sqlTables, type SqlTable, type SqlValue } from './sql-columns.ts';
import { createRowWriter } from './row-writer.ts';

export type DataRow = Readonly<Record<string, JsonValue>>;

/** The store contract, synchronous (better-sqlite3 is), plus reads of the data tables. */
export interface SqliteStore extends SyncStore {
  readonly db: Db;
  open(schema: Schema): StoreState;
  winners(cells: readonly Cell[]): ReadonlyMap<string, string>;
  messages(query: MessageQuery): StoredMessage[];
  commit(commit: Commit): void;
  close(): void;
  /** One data row, decoded (tombstones included, `_deleted: true`), or undefined. */
  readRow(table: string, row: string): DataRow | undefined;
  /** Every row of a data table, decoded, by id. Tombstones are left out unless asked for. */
  rows(table: string, options?: { includeDeleted?: boolean }): Map<string, DataRow>;
}

interface MessageRow {
  hlc: string;
  tbl: string;
  row: string;
  col: string;
  value: string;
  local: number;
  synced: number;
  applied: number;
  error: string | null;
}

const toMessage = (r: MessageRow): StoredMessage => ({
  hlc: r.hlc, table: r.tbl, row: r.row, column: r.col, value: JSON.parse(r.value) as JsonValue,
  local: r.local === 1, synced: r.synced === 1, applied: r.applied === 1, error: r.error,
});

function prepareStatements(db: Db) {
  return {
    meta: db.prepare<[], { key: string; value: string }>(`SELECT key, value FROM ${META_TABLE}`),
    setMeta: db.prepare<[string, string]>(`INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
    maxHlc: db.prepare<[], string | null>(`SELECT max(hlc) FROM ${M}`).pluck(),
    pendingCount: db.prepare<[], number>(`SELECT count(*) FROM ${M} WHERE local = 1 AND synced = 0 AND error IS NULL`).pluck(),
    pending: db.prepare<[number], MessageRow>(`SELECT * FROM ${M} WHERE local = 1 AND synced = 0 AND error IS NULL ORDER BY hlc LIMIT ?`),
    unapplied: db.prepare<[], MessageRow>(`SELECT * FROM ${M} WHERE applied = 0 AND local = 0 ORDER BY hlc`),
    rejected: db.prepare<[], MessageRow>(`SELECT * FROM ${M} WHERE error IS NOT NULL AND local = 1 AND synced = 0 ORDER BY hlc`),
    cell: db.prepare<[string, string, string], MessageRow>(`SELECT * FROM ${M} WHERE tbl = ? AND row = ? AND col = ? AND applied = 1`),
    recent: db.prepare<[number], MessageRow>(`SELECT * FROM ${M} ORDER BY hlc DESC LIMIT ?`),
    // The winners of many cells of one column, in one statement: the row ids go in as one
    // JSON array and each is one seek in the partial (tbl, row, col, hlc) index.
    winners: db.prepare<[{ tbl: string; col: string; rows: string }], [number, string | null]>(`
      SELECT j.key, (
        SELECT max(m.hlc) FROM ${M} m WHERE m.tbl = @tbl AND m.row = j.value AND m.col = @col AND m.applied = 1
      ) FROM json_each(@rows) j`).raw(),
    insert: db.prepare<SqlValue[]>(`
      INSERT INTO ${M} (hlc, tbl, row, col, value, local, synced, applied, error)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hlc) DO NOTHING`),
    // A flag left out of an update (null here) keeps its value.
    update: db.prepare<[{ hlc: string; synced: number | null; applied: number | null; setError: number; error: string | null }]>(`
      UPDATE ${M} SET
        synced = coalesce(@synced, synced),
        applied = coalesce(@applied, applied),
        error = CASE WHEN @setError = 1 THEN @error ELSE error END
      WHERE hlc = @hlc`),
    remove: db.prepare<[string]>(`DELETE FROM ${M} WHERE hlc = ?`),
  };
}

const flag = (b: boolean | undefined): number | null => (b === undefined ? null : b ? 1 : 0);

export function createSqliteStore(db: Db): SqliteStore {
  let tables: ReadonlyMap<string, SqlTable> | null = null;
  let st: ReturnType<typeof prepareStatements> | null = null;
  let writer: ReturnType<typeof createRowWriter> | null = null;
  const rowStatements = new Map<string, Statement<[string]>>();

  const ready = () => {
    if (!st || !tables || !writer) throw new StoreError('the store is not open');
    return { st, tables, writer };
  };

  function checkWrites(c: Commit, known: ReadonlyMap<string, SqlTable>): void {
    for (const w of c.writes ?? []) {
      if (!known.get(w.table)?.columns.has(w.column)) {
        throw new SchemaError(`store: ${String(w.table).slice(0, 80)}.${String(w.column).slice(0, 80)} is not in the schema`);
      }
    }
  }

  function decodeRow(table: SqlTable, raw: Record<string, unknown>): DataRow {
    const out: Record<string, JsonValue> = {};
    for (const c of table.columns.values()) out[c.name] = fromSql(c.type, raw[c.name]);
    return out;
  }

  const applyCommit = db.transaction((c: Commit) => {
    const { st, writer } = ready();
    for (const hlc of c.remove ?? []) st.remove.run(hlc);
    for (const m of c.insert ?? []) {
      st.insert.run(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value), m.local ? 1 : 0, m.synced ? 1 : 0, m.applied ? 1 : 0, m.error);
    }
    for (const u of c.update ?? []) {
      st.update.run({ hlc: u.hlc, synced: flag(u.synced), applied: flag(u.applied), setError: u.error === undefined ? 0 : 1, error: u.error ?? null });
    }
    if (c.writes?.length) writer.write(c.writes);
    for (const [k, v] of Object.entries(c.meta ?? {})) st.setMeta.run(k, v);
  });

  return {
    db,

    open(schema: Schema): StoreState {
      const next = sqlTables(schema); // throws on reserved table names, before anything changes
      db.transaction(() => {
        migrateStore(db);
        migrateDataTables(db, next);
      }).immediate();
      tables = next;
      st ??= prepareStatements(db);
      writer = createRowWriter(db, next);
      rowStatements.clear();
      const meta: Record<string, string> = {};
      for (const { key, value } of st.meta.all()) meta[key] = value;
      return { meta, maxHlc: st.maxHlc.get() ?? null, pendingCount: st.pendingCount.get() ?? 0 };
    },

    winners(cells: readonly Cell[]) {
      const { st } = ready();
      const out = new Map<string, string>();
      // One query per (table, column) of the batch: a pulled page touches a handful.
      const groups = new Map<string, { tbl: string; col: string; rows: string[] }>();
      for (const c of cells) {
        const key = `${c.table}\u0000${c.column}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { tbl: c.table, col: c.column, rows: [] }));
        g.rows.push(c.row);
      }
      for (const g of groups.values()) {
        for (const [i, hlc] of st.winners.all({ tbl: g.tbl, col: g.col, rows: JSON.stringify(g.rows) })) {
          if (hlc !== null) out.set(cellKey(g.tbl, g.rows[i] as string, g.col), hlc);
        }
      }
      return out;
    },

    messages(q: MessageQuery) {
      const { st } = ready();
      switch (q.kind) {
        case 'pending': return st.pending.all(q.limit).map(toMessage);
        case 'unapplied': return st.unapplied.all().map(toMessage);
        case 'rejected': return st.rejected.all().map(toMessage);
        case 'cell': return st.cell.all(q.table, q.row, q.column).map(toMessage);
        case 'recent': return st.recent.all(q.limit).map(toMessage);
      }
    },

    commit(c: Commit) {
      checkWrites(c, ready().tables); // nothing is written for a commit that touches an undeclared cell
      applyCommit.immediate(c);
    },

    close() {
      if (db.open) db.close();
    },

    readRow(table, row) {
      const t = ready().tables.get(table);
      if (!t) return undefined;
      let stmt = rowStatements.get(table);
      if (!stmt) rowStatements.set(table, (stmt = db.prepare<[string]>(`SELECT * FROM ${t.sql} WHERE id = ?`)));
      const raw = stmt.get(row) as Record<string, unknown> | undefined;
      return raw ? decodeRow(t, raw) : undefined;
    },

    rows(table, options = {}) {
      const out = new Map<string, DataRow>();
      const t = ready().tables.get(table);
      if (!t) return out;
      for (const raw of db.prepare(`SELECT * FROM ${t.sql}`).iterate() as IterableIterator<Record<string, unknown>>) {
        const decoded = decodeRow(t, raw);
        if (decoded._deleted === true && !options.includeDeleted) continue;
        out.set(raw.id as string, decoded);
      }
      return out;
    },
  };
}
