/**
 * Two stores written the way an app developer writes one from docs/api.md ("For a store
 * author", `SyncStore`, `Commit`, `CellWrite`, `MessageQuery`) without copying the shipped
 * examples: one over plain Maps, one over node:sqlite with a real SQL table per app table
 * (one row per row id, one column per declared column, each cell's `hlc` beside it).
 * custom-store-from-docs.test.ts syncs them through the reference server.
 */
import type { DatabaseSync } from 'node:sqlite';
import { cellKey, type Cell, type CellValue, type Commit, type JsonValue, type MessageQuery, type Schema, type StoredMessage, type SyncStore } from '../../index.ts';

export type RowReader = { readRow(table: string, row: string): Record<string, JsonValue> | undefined };

/** The query's filter, as MessageQuery's section of docs/api.md gives it. */
function select(all: StoredMessage[], q: MessageQuery): StoredMessage[] {
  switch (q.kind) {
    case 'pending': return all.filter((m) => m.local && !m.synced && m.error === null).slice(0, q.limit);
    case 'unapplied': return all.filter((m) => !m.local && !m.applied);
    case 'rejected': return all.filter((m) => m.local && !m.synced && m.error !== null);
    case 'cell': return all.filter((m) => m.applied && m.table === q.table && m.row === q.row && m.column === q.column);
    case 'recent': return [...all].reverse().slice(0, q.limit);
  }
}

/** A store over Maps: what an app keeping its data in memory (or saving it elsewhere) writes. */
export function createMapStore(): SyncStore & RowReader {
  let schema: Schema | undefined;
  let messages = new Map<string, StoredMessage>();
  let cells = new Map<string, CellValue>();
  let rows = new Map<string, Map<string, Record<string, JsonValue>>>();
  let meta: Record<string, string> = {};
  const sorted = () => [...messages.values()].sort((a, b) => (a.hlc < b.hlc ? -1 : 1));
  const found = <T>(list: readonly Cell[], pick: (v: CellValue) => T) => new Map(list.flatMap((c) => {
    const v = cells.get(cellKey(c.table, c.row, c.column));
    return v ? [[cellKey(c.table, c.row, c.column), pick(v)] as const] : [];
  }));
  return {
    open(s) {
      schema = s;
      const all = sorted();
      return { meta: { ...meta }, maxHlc: all[all.length - 1]?.hlc ?? null, pendingCount: select(all, { kind: 'pending', limit: Infinity }).length };
    },
    winners: (list) => found(list, (v) => v.hlc),
    values: (list) => found(list, (v) => v),
    messages: (q) => select(sorted(), q),
    commit(c: Commit) {
      // A write outside the schema throws before anything is written.
      for (const w of c.writes ?? []) if (!schema?.tables.get(w.table)?.columns.has(w.column)) throw new Error(`not in the schema: ${w.table}.${w.column}`);
      // All or nothing: applied to copies, kept only once every part applied (what it reads
      // may throw partway; the conformance suite's case found the first version's half-commit).
      const before = { messages, cells, rows, meta };
      messages = new Map(messages);
      cells = new Map(cells);
      rows = new Map([...rows].map(([t, m]) => [t, new Map(m)]));
      meta = { ...meta };
      try {
        apply(c);
      } catch (err) {
        ({ messages, cells, rows, meta } = before);
        throw err;
      }
    },
    close() {},
    readRow: (table, row) => rows.get(table)?.get(row),
  };
  function apply(c: Commit): void {
      for (const hlc of c.remove ?? []) messages.delete(hlc);
      for (const m of c.insert ?? []) if (!messages.has(m.hlc)) messages.set(m.hlc, m);
      for (const u of c.update ?? []) {
        const m = messages.get(u.hlc);
        if (!m) continue;
        messages.set(u.hlc, { ...m, ...(u.synced !== undefined && { synced: u.synced }), ...(u.applied !== undefined && { applied: u.applied }), ...(u.error !== undefined && { error: u.error }) });
      }
      for (const w of c.writes ?? []) {
        const key = cellKey(w.table, w.row, w.column);
        if (w.hlc === null) cells.delete(key);
        else cells.set(key, { value: w.value, hlc: w.hlc });
        const table = rows.get(w.table) ?? rows.set(w.table, new Map()).get(w.table)!;
        const row = { ...table.get(w.row), [w.column]: w.value };
        // A row none of whose cells keeps an hlc exists on no other device: deleted.
        const alive = [...schema!.tables.get(w.table)!.columns.keys()].some((col) => cells.has(cellKey(w.table, w.row, col)));
        if (alive) table.set(w.row, row);
        else table.delete(w.row);
      }
      Object.assign(meta, c.meta);
  }
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * A store on node:sqlite with one SQL table per app table, as store.ts describes the data:
 * `todos(id, title, title__hlc, done, done__hlc, ...)`. Values are kept as JSON text (a
 * boolean as `true`, not 1), and messages in a table of their own.
 */
export function createSqlTablesStore(db: DatabaseSync): SyncStore & RowReader {
  let schema: Schema | undefined;
  type Row = { hlc: string; tbl: string; row: string; col: string; value: string; local: number; synced: number; applied: number; error: string | null };
  const message = (r: Row): StoredMessage => ({
    hlc: r.hlc, table: r.tbl, row: r.row, column: r.col, value: JSON.parse(r.value) as JsonValue,
    local: r.local === 1, synced: r.synced === 1, applied: r.applied === 1, error: r.error,
  });
  const cell = (c: Cell): { value: string; hlc: string | null } | undefined => {
    if (!schema?.tables.get(c.table)?.columns.has(c.column)) return undefined;
    return db.prepare(`SELECT ${q(c.column)} AS value, ${q(`${c.column}__hlc`)} AS hlc FROM ${q(`app_${c.table}`)} WHERE id = ?`).get(c.row) as { value: string; hlc: string | null } | undefined;
  };
  const found = <T>(list: readonly Cell[], pick: (v: CellValue) => T) => new Map(list.flatMap((c) => {
    const r = cell(c);
    return r?.hlc ? [[cellKey(c.table, c.row, c.column), pick({ value: JSON.parse(r.value) as JsonValue, hlc: r.hlc })] as const] : [];
  }));
  const all = 'SELECT * FROM messages';
  return {
    open(s) {
      schema = s;
      db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS messages (hlc TEXT PRIMARY KEY, tbl TEXT, row TEXT, col TEXT, value TEXT NOT NULL,
          local INTEGER, synced INTEGER, applied INTEGER, error TEXT);`);
      for (const [table, spec] of s.tables) {
        db.exec(`CREATE TABLE IF NOT EXISTS ${q(`app_${table}`)} (id TEXT PRIMARY KEY)`);
        const have = new Set((db.prepare(`PRAGMA table_info(${q(`app_${table}`)})`).all() as { name: string }[]).map((c) => c.name));
        for (const column of spec.columns.keys()) {
          // A later schema version's new column: added, never dropped.
          if (!have.has(column)) db.exec(`ALTER TABLE ${q(`app_${table}`)} ADD COLUMN ${q(column)} TEXT; ALTER TABLE ${q(`app_${table}`)} ADD COLUMN ${q(`${column}__hlc`)} TEXT`);
        }
      }
      const meta: Record<string, string> = {};
      for (const r of db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]) meta[r.key] = r.value;
      const { maxHlc } = db.prepare('SELECT max(hlc) AS maxHlc FROM messages').get() as { maxHlc: string | null };
      const { n } = db.prepare('SELECT count(*) AS n FROM messages WHERE local = 1 AND synced = 0 AND error IS NULL').get() as { n: number };
      return { meta, maxHlc, pendingCount: n };
    },
    winners: (list) => found(list, (v) => v.hlc),
    values: (list) => found(list, (v) => v),
    messages(query) {
      const rows = query.kind === 'pending' ? db.prepare(`${all} WHERE local = 1 AND synced = 0 AND error IS NULL ORDER BY hlc LIMIT ?`).all(query.limit)
        : query.kind === 'recent' ? db.prepare(`${all} ORDER BY hlc DESC LIMIT ?`).all(query.limit)
          : query.kind === 'unapplied' ? db.prepare(`${all} WHERE local = 0 AND applied = 0 ORDER BY hlc`).all()
            : query.kind === 'rejected' ? db.prepare(`${all} WHERE local = 1 AND synced = 0 AND error IS NOT NULL ORDER BY hlc`).all()
              : db.prepare(`${all} WHERE tbl = ? AND row = ? AND col = ? AND applied = 1`).all(query.table, query.row, query.column);
      return (rows as Row[]).map(message);
    },
    commit(c) {
      for (const w of c.writes ?? []) if (!schema?.tables.get(w.table)?.columns.has(w.column)) throw new Error(`not in the schema: ${w.table}.${w.column}`);
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const hlc of c.remove ?? []) db.prepare('DELETE FROM messages WHERE hlc = ?').run(hlc);
        for (const m of c.insert ?? []) {
          db.prepare('INSERT OR IGNORE INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value), +m.local, +m.synced, +m.applied, m.error);
        }
        for (const u of c.update ?? []) {
          if (u.synced !== undefined) db.prepare('UPDATE messages SET synced = ? WHERE hlc = ?').run(+u.synced, u.hlc);
          if (u.applied !== undefined) db.prepare('UPDATE messages SET applied = ? WHERE hlc = ?').run(+u.applied, u.hlc);
          if (u.error !== undefined) db.prepare('UPDATE messages SET error = ? WHERE hlc = ?').run(u.error, u.hlc);
        }
        for (const w of c.writes ?? []) {
          const t = q(`app_${w.table}`);
          db.prepare(`INSERT INTO ${t} (id, ${q(w.column)}, ${q(`${w.column}__hlc`)}) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET ${q(w.column)} = excluded.${q(w.column)}, ${q(`${w.column}__hlc`)} = excluded.${q(`${w.column}__hlc`)}`).run(w.row, JSON.stringify(w.value), w.hlc);
          if (w.hlc === null) {
            const hlcs = [...schema!.tables.get(w.table)!.columns.keys()].map((col) => `${q(`${col}__hlc`)} IS NULL`).join(' AND ');
            db.prepare(`DELETE FROM ${t} WHERE id = ? AND ${hlcs}`).run(w.row);
          }
        }
        for (const [key, value] of Object.entries(c.meta ?? {})) db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)').run(key, value);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
    close: () => db.close(),
    readRow(table, row) {
      const spec = schema?.tables.get(table);
      const r = spec && db.prepare(`SELECT * FROM ${q(`app_${table}`)} WHERE id = ?`).get(row) as Record<string, string | null> | undefined;
      if (!spec || !r) return undefined;
      const out: Record<string, JsonValue> = {};
      for (const col of spec.columns.keys()) if (r[col] !== null && r[col] !== undefined) out[col] = JSON.parse(r[col]) as JsonValue;
      return out;
    },
  };
}
