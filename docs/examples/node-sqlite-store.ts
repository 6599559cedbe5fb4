import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { cellKey, type Cell, type Commit, type JsonValue, type MessageQuery, type Schema, type StoredMessage, type SyncStore } from 'fieldsync';

/**
 * A store on Node's own SQLite (`node:sqlite`, Node 22.13 and later): no native module to
 * build. Messages, cells and meta in three tables; each value kept as its JSON text, parsed
 * as it is read. Without `transact`, one client at a time: open the file in one process only.
 */
export function createNodeSqliteStore(db: DatabaseSync): SyncStore & { readRow(table: string, row: string): Record<string, JsonValue> | undefined } {
  let schema: Schema;
  let sql: Record<'pending' | 'unapplied' | 'rejected' | 'cell' | 'recent' | 'winner' | 'insert' | 'update' | 'remove' | 'write' | 'meta' | 'row', StatementSync>;
  type Row = { hlc: string; tbl: string; row: string; col: string; value: string; local: number; synced: number; applied: number; error: string | null };
  // SQLite gives 0 and 1 and JSON text back: the client wants booleans and the values themselves.
  const message = (r: Row): StoredMessage => ({
    hlc: r.hlc, table: r.tbl, row: r.row, column: r.col, value: JSON.parse(r.value) as JsonValue,
    local: r.local === 1, synced: r.synced === 1, applied: r.applied === 1, error: r.error,
  });
  const cells = (list: readonly Cell[]) => list.flatMap((c) => {
    const r = sql.winner.get(c.table, c.row, c.column) as { value: string; hlc: string | null } | undefined;
    return r?.hlc ? [[cellKey(c.table, c.row, c.column), { value: JSON.parse(r.value) as JsonValue, hlc: r.hlc }] as const] : [];
  });

  return {
    open(s) {                                                  // 1. create the tables, and say what is there
      schema = s;
      db.exec(`CREATE TABLE IF NOT EXISTS fieldsync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS fieldsync_messages (hlc TEXT PRIMARY KEY, tbl TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL,
          value TEXT NOT NULL, local INTEGER NOT NULL, synced INTEGER NOT NULL, applied INTEGER NOT NULL, error TEXT) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS fieldsync_messages_cell ON fieldsync_messages (tbl, row, col);
        CREATE TABLE IF NOT EXISTS fieldsync_cells (tbl TEXT, row TEXT, col TEXT, value TEXT NOT NULL, hlc TEXT,
          PRIMARY KEY (tbl, row, col)) WITHOUT ROWID;`);
      const all = 'SELECT * FROM fieldsync_messages';
      sql = {
        pending: db.prepare(`${all} WHERE local = 1 AND synced = 0 AND error IS NULL ORDER BY hlc LIMIT ?`),
        unapplied: db.prepare(`${all} WHERE local = 0 AND applied = 0 ORDER BY hlc`),
        rejected: db.prepare(`${all} WHERE local = 1 AND synced = 0 AND error IS NOT NULL ORDER BY hlc`),
        cell: db.prepare(`${all} WHERE tbl = ? AND row = ? AND col = ? AND applied = 1`),
        recent: db.prepare(`${all} ORDER BY hlc DESC LIMIT ?`),
        winner: db.prepare('SELECT value, hlc FROM fieldsync_cells WHERE tbl = ? AND row = ? AND col = ?'),
        insert: db.prepare('INSERT OR IGNORE INTO fieldsync_messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
        // A flag left out stays as it is; `error: null` clears the error.
        update: db.prepare(`UPDATE fieldsync_messages SET synced = coalesce(?, synced), applied = coalesce(?, applied),
          error = CASE WHEN ? THEN ? ELSE error END WHERE hlc = ?`),
        remove: db.prepare('DELETE FROM fieldsync_messages WHERE hlc = ?'),
        write: db.prepare('INSERT OR REPLACE INTO fieldsync_cells VALUES (?, ?, ?, ?, ?)'),
        meta: db.prepare('INSERT OR REPLACE INTO fieldsync_meta VALUES (?, ?)'),
        row: db.prepare('SELECT col, value FROM fieldsync_cells WHERE tbl = ? AND row = ?'),
      };
      const meta: Record<string, string> = {};                 // an object, not a Map
      for (const r of db.prepare('SELECT key, value FROM fieldsync_meta').all() as { key: string; value: string }[]) meta[r.key] = r.value;
      const { maxHlc } = db.prepare('SELECT max(hlc) AS maxHlc FROM fieldsync_messages').get() as { maxHlc: string | null };
      const { n } = db.prepare('SELECT count(*) AS n FROM fieldsync_messages WHERE local = 1 AND synced = 0 AND error IS NULL').get() as { n: number };
      return { meta, maxHlc, pendingCount: n };
    },
    winners: (list) => new Map(cells(list).map(([key, v]) => [key, v.hlc])), // 2. the hlc kept with each cell
    values: (list) => new Map(cells(list)),                    // 2b. optional: each cell's value and hlc
    messages(q: MessageQuery) {                                // 3. read messages
      const rows = q.kind === 'pending' || q.kind === 'recent' ? sql[q.kind].all(q.limit)
        : q.kind === 'cell' ? sql.cell.all(q.table, q.row, q.column) : sql[q.kind].all();
      return (rows as Row[]).map(message);
    },
    commit(c: Commit) {                                        // 4. all or nothing
      for (const w of c.writes ?? []) {
        if (!schema.tables.get(w.table)?.columns.has(w.column)) throw new Error(`not in the schema: ${w.table}.${w.column}`);
      }
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const hlc of c.remove ?? []) sql.remove.run(hlc);
        for (const m of c.insert ?? []) sql.insert.run(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value), +m.local, +m.synced, +m.applied, m.error);
        for (const u of c.update ?? []) {
          sql.update.run(u.synced === undefined ? null : +u.synced, u.applied === undefined ? null : +u.applied, +(u.error !== undefined), u.error ?? null, u.hlc);
        }
        for (const w of c.writes ?? []) sql.write.run(w.table, w.row, w.column, JSON.stringify(w.value), w.hlc);
        for (const [key, value] of Object.entries(c.meta ?? {})) sql.meta.run(key, value);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
    close: () => db.close(),                                   // 5. your app calls it, after client.close()
    readRow(table, row) {                                      // a data row, tombstone included (_deleted: true)
      const rows = sql.row.all(table, row) as { col: string; value: string }[];
      return rows.length ? Object.fromEntries(rows.map((r) => [r.col, JSON.parse(r.value) as JsonValue])) : undefined;
    },
  };
}
