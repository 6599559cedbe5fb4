/**
 * Pulled messages kept only in their data rows. A message pulled from another client that
 * wins its cell is exactly the cell's new value and hlc: the store keeps it there, marked
 * (`_pending_<column>` = 2, beside the pending mark 1 of pending-cells.ts), and writes no
 * message row for it. That row in `fieldsync_messages` was most of what a pull cost.
 *
 * What is kept of them, as in the memory store (its history is bounded the same way):
 * - each cell's winner, in the row. A newer pulled message that replaces it forgets it.
 *   Anything else that replaces it (a local write, a fallback after a refusal) first moves
 *   it to the message log, in SQL (kept-moves.ts): a local write the server refuses falls
 *   back to it, as it would with every message logged;
 * - the latest RECENT_PULLED of them, in a ring kept in the meta table (one value written
 *   per pull commit), for `recent` and the inspector;
 * - the one with the greatest hlc, also in the meta table: the clock restarts after it.
 *
 * A message pulled again while its cell keeps it (a client starting over after the server's
 * epoch changed, two connections to the file pulling one page) is stored already: the
 * applier leaves it out of the log (`holds`).
 *
 * Only values whose JSON SQL can rebuild exactly are kept so: not `number` columns
 * (SQLite prints a REAL in JSON with fewer digits than JavaScript), and only values that
 * read back exactly (`keepsExactly`). Every other message goes to the log as before.
 */
import type { Statement } from 'better-sqlite3';
import type { ColumnType, JsonValue, StoredMessage } from '../sync/index.ts';
import type { Db } from './open-database.ts';
import { markKept, type CommitRows } from './row-writer.ts';
import { META_TABLE, type SqlColumn, type SqlTable } from './sql-columns.ts';
import { fromSql, keepsExactly } from './sql-values.ts';

/** How many of the latest pulled messages kept in rows are also kept in the ring. */
export const RECENT_PULLED = 256;
/** The mark of a cell whose value is a pulled message kept nowhere else. */
export const KEPT_MARK = 2;
/** Meta keys of this file: the store leaves them out of the meta it reports. */
export const RING_KEY = '_pulledRecent';
export const NEWEST_KEY = '_pulledNewest';

/** A kept message in the meta table: [hlc, table, row, column, value]. */
type Entry = [string, string, string, string, JsonValue];

const isPulledApplied = (m: StoredMessage): boolean => !m.local && m.synced && m.applied && m.error === null;
const toEntry = (m: StoredMessage): Entry => [m.hlc, m.table, m.row, m.column, m.value];
const fromEntry = (e: Entry): StoredMessage => ({
  hlc: e[0], table: e[1], row: e[2], column: e[3], value: e[4], local: false, synced: true, applied: true, error: null,
});

/** The JSON text of a column's value, in SQL (`v` is e.g. `old."<column>"`); null where it cannot be exact. */
export function jsonSql(column: SqlColumn, v: string): string | null {
  switch (column.type) {
    case 'string':
    case 'integer':
      return `json_quote(${v})`;
    case 'boolean':
      return `CASE ${v} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END`;
    case 'json':
      return `coalesce(${v}, 'null')`;
    case 'number':
      return null;
  }
}

/** Whether a cell of a column of this type may keep a pulled message in its row (asked once per type). */
const KEEPABLE = new Map<ColumnType, boolean>();
const keepable = (column: SqlColumn): boolean => {
  let yes = KEEPABLE.get(column.type);
  if (yes === undefined) KEEPABLE.set(column.type, (yes = jsonSql(column, 'x') !== null));
  return yes;
};

export type PulledInRow = ReturnType<typeof createPulledInRow>;

/**
 * A commit's pulled messages kept in their rows: which of its inserts they are, and how many
 * (no list of them: on a pulled page that is every insert, and only the ring's last few are
 * ever read again).
 */
interface Kept {
  readonly insert: readonly StoredMessage[];
  /** By position in `insert`: 1 for a message kept in its row. */
  readonly at: Uint8Array;
  count: number;
  /** The kept one with the greatest hlc (found in the same pass: `record` and the applier's clock need it). */
  newest: StoredMessage;
}

export function createPulledInRow(db: Db) {
  // Prepared once the store's tables exist (open() creates them).
  let prepared: { get: Statement<[string], string>; set: Statement<[string, string]> } | null = null;
  const st = () => (prepared ??= {
    get: db.prepare<[string], string>(`SELECT value FROM ${META_TABLE} WHERE key = ?`).pluck(),
    set: db.prepare<[string, string]>(`INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
  });
  const cellStatements = new Map<string, Statement<[string], unknown[]>>();
  const holdStatements = new Map<string, Statement<[string, string], number>>();

  function read<T>(key: string, fallback: T): T {
    const text = st().get.get(key);
    if (text === undefined) return fallback;
    try {
      return JSON.parse(text) as T;
    } catch {
      return fallback; // only this store writes it; a damaged value costs history, not data
    }
  }

  return {
    /**
     * The pulled messages of a commit that stay in their rows only, null when there are
     * none: each is marked in `rows` (`kept`), for the row writer. Call with the commit's
     * writes grouped (row-writer.ts), after they were checked against the schema.
     */
    kept(insert: readonly StoredMessage[], rows: CommitRows): Kept | null {
      let out: Kept | null = null;
      for (let i = 0; i < insert.length; i++) {
        const m = insert[i] as StoredMessage;
        if (!isPulledApplied(m)) continue;
        const r = rows.find(m.table, m.row);
        const column = r?.table.columns.get(m.column);
        if (r === undefined || column === undefined) continue;
        // The cell's last write of the commit (only that one stays in the cell) must be this message.
        const w = r.cells[column.position];
        if (w === undefined || w.hlc !== m.hlc || w.value !== m.value) continue;
        if (!keepable(column) || !keepsExactly(column.type, w.value)) continue;
        out ??= { insert, at: new Uint8Array(insert.length), count: 0, newest: m };
        markKept(r, column.position);
        out.count++;
        out.at[i] = 1;
        if (m.hlc > out.newest.hlc) out.newest = m;
      }
      return out;
    },

    /**
     * Call inside the commit's transaction: the ring and the newest take the kept messages.
     * Returns how many characters it wrote (for the WAL's bound, see apply-commit.ts).
     */
    record({ insert, at, count, newest }: Kept): number {
      if (count === 0) return 0;
      // The last RECENT_PULLED kept ones, in order, walked from the end.
      const fresh: Entry[] = new Array<Entry>(Math.min(count, RECENT_PULLED));
      for (let i = insert.length - 1, j = fresh.length - 1; j >= 0 && i >= 0; i--) if (at[i] === 1) fresh[j--] = toEntry(insert[i] as StoredMessage);
      const ring = fresh.length >= RECENT_PULLED ? fresh : [...read<Entry[]>(RING_KEY, []), ...fresh].slice(-RECENT_PULLED);
      const text = JSON.stringify(ring);
      st().set.run(RING_KEY, text);
      const stored = read<Entry | null>(NEWEST_KEY, null);
      if (stored === null || newest.hlc > stored[0]) st().set.run(NEWEST_KEY, JSON.stringify(toEntry(newest)));
      return text.length;
    },

    /** The greatest hlc of a kept message, or null. */
    newestHlc(): string | null {
      return read<Entry | null>(NEWEST_KEY, null)?.[0] ?? null;
    },

    /** The latest kept messages and the newest one (a message may appear twice). */
    recent(): StoredMessage[] {
      const newest = read<Entry | null>(NEWEST_KEY, null);
      return [...read<Entry[]>(RING_KEY, []), ...(newest ? [newest] : [])].map(fromEntry);
    },

    /**
     * Whether `m`'s cell keeps `m` in its row: then it is stored already, and a copy of it
     * in the log (a page pulled again, after the server's epoch changed or by a second
     * connection to the file) would only be a second copy. One row read.
     */
    holds(table: SqlTable, m: StoredMessage): boolean {
      const column = table.columns.get(m.column);
      if (column === undefined || !keepable(column)) return false; // a `number` cell keeps none
      const key = `${table.name}\u0000${column.name}`;
      let stmt = holdStatements.get(key);
      if (!stmt) {
        stmt = db.prepare<[string, string], number>(`SELECT 1 FROM ${table.sql} WHERE id = ? AND ${column.hlcSql} = ? AND ${column.pendingSql} = ${KEPT_MARK}`).pluck();
        holdStatements.set(key, stmt);
      }
      return stmt.get(m.row, m.hlc) !== undefined;
    },

    /** The kept messages of one cell: its value's, when kept, and any in the ring. */
    ofCell(table: SqlTable, row: string, column: SqlColumn): StoredMessage[] {
      const key = `${table.name}\u0000${column.name}`;
      let stmt = cellStatements.get(key);
      if (!stmt) {
        stmt = db.prepare<[string], unknown[]>(`SELECT ${column.sql}, ${column.hlcSql} FROM ${table.sql} WHERE id = ? AND ${column.pendingSql} = ${KEPT_MARK}`).raw();
        cellStatements.set(key, stmt);
      }
      const out: StoredMessage[] = [];
      const r = stmt.get(row);
      if (r && typeof r[1] === 'string') out.push(fromEntry([r[1], table.name, row, column.name, fromSql(column.type, r[0])]));
      for (const m of this.recent()) if (m.row === row && m.column === column.name && m.table === table.name) out.push(m);
      return out;
    },
  };
}
