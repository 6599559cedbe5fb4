/**
 * This client's pending messages kept in their data rows: a local write whose message is
 * exactly its cell's new value and hlc stores the message nowhere else, only a mark beside
 * the cell (`_pending_<column>` = 1). A local write is then one row upsert, where a message
 * row in the outbox besides the data row cost a second B-tree page in every commit.
 *
 * The message stays complete: its hlc is the cell's `_hlc_<column>`, its value the cell's
 * value (written only when it reads back exactly, see `keepsExactly`), its flags are those
 * of a pending local message. It leaves the row, to the outbox or the messages table, when
 * anything else happens to it: the cell is written again (by this client or a pull: the
 * message still has to reach the server, so it moves to the outbox), the server
 * acknowledges it (it joins the messages table, where the local history lives), it is set
 * aside, or removed.
 *
 * Finding them: an index over the marks would cost that second page again in every write,
 * so the store keeps the marked cells in memory, oldest hlc first, read from the data tables
 * when it opens (one scan of each table) and kept in step with every commit; a commit that
 * fails reads them again, and so does the store when another connection to the file has
 * committed (other-connections.ts checks `PRAGMA data_version`). The database stays the truth:
 * a crash loses nothing.
 */
import type { Statement } from 'better-sqlite3';
import { cellKey, type CellWrite, type JsonValue, type StoredMessage } from '../sync/index.ts';
import type { Db } from './open-database.ts';
import type { SqlColumn, SqlTable } from './sql-columns.ts';
import { fromSql } from './sql-values.ts';
import type { Known } from './unpushed-in-row.ts';

export interface Entry {
  readonly table: SqlTable;
  readonly row: string;
  readonly column: SqlColumn;
  readonly hlc: string;
  /**
   * Its value and more, when the local write that marked it knew them (one-cell-write.ts,
   * unpushed-in-row.ts); unknown for marks read from the database.
   */
  readonly known?: Known;
}

export type PendingCells = ReturnType<typeof createPendingCells>;

export function createPendingCells(db: Db) {
  /** Oldest hlc first once `sort()` has run; local writes append in that order anyway. */
  let byHlc = new Map<string, Entry>();
  /**
   * cellKey → the hlc of its marked message; null when a local write of one cell has
   * changed the marks since (`replace`), built again from `byHlc` when next asked.
   */
  let cells: Map<string, string> | null = new Map();
  const byCell = (): Map<string, string> => {
    if (cells === null) {
      cells = new Map();
      for (const e of byHlc.values()) cells.set(cellKey(e.table.name, e.row, e.column.name), e.hlc);
    }
    return cells;
  };
  let newest: string | null = null;
  let sorted = true;
  const reads = new Map<string, Statement<[string], unknown>>();
  const clears = new Map<string, Statement<[string]>>();

  const statementKey = (e: Entry): string => `${e.table.name}\u0000${e.column.name}`;

  function valueOf(e: Entry): JsonValue {
    const key = statementKey(e);
    let stmt = reads.get(key);
    if (!stmt) reads.set(key, (stmt = db.prepare<[string], unknown>(`SELECT ${e.column.sql} FROM ${e.table.sql} WHERE id = ?`).pluck()));
    return fromSql(e.column.type, stmt.get(e.row));
  }

  // A message this session's fast path wrote has its value in memory: that is the message's
  // value even when its row is gone (the app deleted it through `db`), where a read gave null.
  const messageOf = (e: Entry): StoredMessage => ({
    hlc: e.hlc, table: e.table.name, row: e.row, column: e.column.name,
    value: e.known === undefined ? valueOf(e) : e.known.json !== undefined ? (JSON.parse(e.known.json) as JsonValue) : e.known.value,
    local: true, synced: false, applied: true, error: null,
  });

  function forget(e: Entry): void {
    byHlc.delete(e.hlc);
    cells?.delete(cellKey(e.table.name, e.row, e.column.name));
    if (byHlc.size === 0) {
      newest = null;
      sorted = true;
    }
  }

  function remember(e: Entry): void {
    byHlc.set(e.hlc, e);
    cells?.set(cellKey(e.table.name, e.row, e.column.name), e.hlc);
    if (newest !== null && e.hlc < newest) sorted = false;
    if (newest === null || e.hlc > newest) newest = e.hlc;
  }

  function sort(): void {
    if (sorted) return;
    byHlc = new Map([...byHlc].sort(([a], [b]) => (a < b ? -1 : 1)));
    sorted = true;
  }

  return {
    get count(): number {
      return byHlc.size;
    },
    /** The greatest hlc of a marked message, or null. */
    get newest(): string | null {
      return newest;
    },

    /** Reads every marked cell of the schema's tables (on open, and after a failed commit). */
    load(tables: ReadonlyMap<string, SqlTable>): void {
      byHlc = new Map();
      cells = new Map();
      newest = null;
      sorted = false;
      reads.clear();
      clears.clear();
      for (const table of tables.values()) {
        const columns = [...table.columns.values()];
        const marked = columns.map((c) => `${c.pendingSql} = 1`).join(' OR '); // 2 marks a pulled message (pulled-in-row.ts)
        const sql = `SELECT id, ${columns.map((c) => `${c.pendingSql}, ${c.hlcSql}`).join(', ')} FROM ${table.sql} WHERE ${marked}`;
        for (const r of db.prepare(sql).raw().iterate() as IterableIterator<unknown[]>) {
          columns.forEach((column, i) => {
            const hlc = r[2 + 2 * i];
            if (r[1 + 2 * i] === 1 && typeof hlc === 'string') remember({ table, row: r[0] as string, column, hlc });
          });
        }
      }
      sort();
    },

    has: (hlc: string): boolean => byHlc.has(hlc),
    /** The hlc of the cell's marked message, if it has one. */
    markedIn: (table: string, row: string, column: string): string | undefined => (byHlc.size === 0 ? undefined : byCell().get(cellKey(table, row, column))),
    get(hlc: string): StoredMessage | undefined {
      const e = byHlc.get(hlc);
      return e ? messageOf(e) : undefined;
    },

    /**
     * The marked message, taken out of its row: read, and forgotten. With `clear` its mark is
     * cleared too; without, the caller writes the cell (and its mark) in the same commit.
     */
    take(hlc: string, options: { clear: boolean }): StoredMessage | undefined {
      const e = byHlc.get(hlc);
      if (!e) return undefined;
      const m = messageOf(e);
      if (options.clear) {
        const key = statementKey(e);
        let stmt = clears.get(key);
        if (!stmt) clears.set(key, (stmt = db.prepare<[string]>(`UPDATE ${e.table.sql} SET ${e.column.pendingSql} = NULL WHERE id = ?`)));
        stmt.run(e.row);
      }
      forget(e);
      return m;
    },

    /**
     * A new local message (greater than every hlc stored), whose value is `known`, now marks
     * its cell, whose winner was `winner` (one-cell-write.ts). A cell's mark is always that
     * of its winner, so the message it marked before, if any, is `winner`'s: found by its
     * hlc, with no key built for the cell. Returns that message, forgotten: the caller moves
     * it out of the mark (to the row's unpushed list or the outbox) before writing the row.
     */
    replace(table: SqlTable, column: SqlColumn, row: string, hlc: string, winner: string | null, known: Entry['known']): Entry | undefined {
      const found = winner === null ? undefined : byHlc.get(winner);
      const old = found && found.row === row && found.column.name === column.name && found.table.name === table.name ? found : undefined;
      if (old) byHlc.delete(old.hlc);
      byHlc.set(hlc, { table, row, column, hlc, known });
      cells = null; // built again when next asked for (pulls, history): not on every local write
      newest = hlc;
      return old;
    },
    /** A marked message as the store gives it (read from its row: call before the row changes). */
    read: (e: Entry): StoredMessage => messageOf(e),

    /** A write whose cell now holds a marked message (the row writer has set the mark). */
    add(table: SqlTable, w: CellWrite): void {
      remember({ table, row: w.row, column: table.columns.get(w.column) as SqlColumn, hlc: w.hlc as string });
    },

    /** The oldest `limit` marked messages, oldest first. */
    oldest(limit: number): StoredMessage[] {
      sort();
      const out: StoredMessage[] = [];
      for (const e of byHlc.values()) {
        if (out.length >= limit) break;
        out.push(messageOf(e));
      }
      return out;
    },

    /** The newest `limit` marked messages, newest first. */
    newestFirst(limit: number): StoredMessage[] {
      sort();
      const all = [...byHlc.values()];
      return all.slice(Math.max(0, all.length - limit)).reverse().map(messageOf);
    },

    /** The marked message of one cell, as a list (the `cell` query). */
    ofCell(table: string, row: string, column: string): StoredMessage[] {
      const hlc = byHlc.size === 0 ? undefined : byCell().get(cellKey(table, row, column));
      const e = hlc === undefined ? undefined : byHlc.get(hlc);
      return e ? [messageOf(e)] : [];
    },
  };
}
