/**
 * The fast path of the commonest commit: a local write of one field. The client's commit
 * for it is one new pending message that is also its cell's write (sync-client.ts), and the
 * general applier (apply-commit.ts) would build sets, maps and filtered lists to find that
 * out. Here it is recognised by its shape and written with one statement prepared for its
 * column: the cell's value, its hlc and the pending mark 1 (pending-cells.ts).
 *
 * It does exactly what the applier does with such a commit, no less:
 * - the cell's previous message, when it is still marked pending, still has to reach the
 *   server: the same UPDATE appends it to the row's unpushed messages (unpushed-in-row.ts),
 *   so the commit touches one page; for `number` columns (no exact JSON text in SQL) it moves
 *   to the outbox first;
 * - a pulled message kept in the row (mark 2) is moved to the log first (kept-moves.ts),
 *   as for any write that replaces it, when the caller says the cell may hold one;
 * - the message must be new (greater than every hlc stored, so it cannot be stored already)
 *   and its value must read back exactly (`keepsExactly`); otherwise, and for every other
 *   shape of commit, `write` returns false having written nothing, and the caller uses the
 *   applier.
 */
import type { Statement } from 'better-sqlite3';
import { SchemaError, type Cell, type CellWrite, type Commit, type StoredMessage } from '../sync/index.ts';
import type { KeptMoves } from './kept-moves.ts';
import type { MessageLog } from './message-log.ts';
import type { Db } from './open-database.ts';
import type { PendingCells } from './pending-cells.ts';
import { jsonSql } from './pulled-in-row.ts';
import { OUTBOX_TABLE, type SqlColumn, type SqlTable } from './sql-columns.ts';
import { keepsExactly, toSql, type SqlValue } from './sql-values.ts';
import type { UnpushedInRow } from './unpushed-in-row.ts';

export interface OneCellParts {
  readonly tables: ReadonlyMap<string, SqlTable>;
  readonly log: MessageLog;
  readonly pending: PendingCells;
  readonly unpushed: UnpushedInRow;
  readonly moves: KeptMoves;
  /** Whether `hlc` is greater than every hlc stored (the applier knows). */
  readonly isNew: (hlc: string) => boolean;
  /** Tells the applier that a message with this hlc is now stored. */
  readonly stored: (hlc: string) => void;
}

export interface OneCellWrite {
  /**
   * Call inside the commit's transaction, with `winner` the greatest hlc kept with `cell`
   * (null when none). Writes `c` and returns true when it is one new pending local message
   * that is also its one write, of `cell`; returns false, having written nothing, for any
   * other commit. Throws a SchemaError for an undeclared cell. With a winner the cell was
   * written, so its row is there (a deleted row is a tombstone; only a row left with no
   * winner at all is removed, see row-writer.ts) and is updated, not upserted; should it be
   * missing after all, it is upserted. With `kept`, the cell may keep a pulled message in its
   * row, which moves to the log first.
   */
  write(c: Commit, cell: Cell, winner: string | null, kept: boolean): boolean;
}

type Write = Statement<[SqlValue, string, string]>;

export function createOneCellWrite(db: Db, parts: OneCellParts): OneCellWrite {
  const { tables, log, pending, unpushed, moves, isNew, stored } = parts;
  /** Per column: an update of an existing row, and an upsert (both bind value, hlc, id). */
  const statements = new Map<SqlColumn, { update: Write; upsert: Write }>();

  function statementsOf(table: SqlTable, column: SqlColumn): { update: Write; upsert: Write } {
    let entry = statements.get(column);
    if (!entry) {
      const { sql, hlcSql, pendingSql } = column;
      entry = {
        // An UPDATE costs less than an upsert, whose insert attempt comes first.
        update: db.prepare(`UPDATE ${table.sql} SET ${sql} = ?, ${hlcSql} = ?, ${pendingSql} = 1 WHERE id = ?`),
        upsert: db.prepare(`INSERT INTO ${table.sql} (${sql}, ${hlcSql}, ${pendingSql}, id) VALUES (?, ?, 1, ?)
          ON CONFLICT(id) DO UPDATE SET ${sql} = excluded.${sql}, ${hlcSql} = excluded.${hlcSql}, ${pendingSql} = 1`),
      };
      statements.set(column, entry);
    }
    return entry;
  }

  /**
   * Per column: moves the cell's marked message from its row to the outbox, in SQL (no read
   * into JavaScript and back), when the column's values have an exact JSON text in SQL
   * (kept-moves.ts builds it the same way); null for the others (`number`).
   * Names are declared identifiers (sql-columns.ts), so they can be SQL string literals.
   */
  const toOutbox = new Map<SqlColumn, Statement<[string, string]> | null>();

  function moveOf(table: SqlTable, column: SqlColumn): Statement<[string, string]> | null {
    let stmt = toOutbox.get(column);
    if (stmt === undefined) {
      const json = jsonSql(column, column.sql);
      stmt = json === null ? null : db.prepare<[string, string]>(`INSERT INTO ${OUTBOX_TABLE} (hlc, tbl, row, col, value, applied, error)
        SELECT ${column.hlcSql}, '${table.name}', id, '${column.name}', ${json}, 1, NULL FROM ${table.sql}
        WHERE id = ? AND ${column.hlcSql} = ? AND ${column.pendingSql} = 1 ON CONFLICT(hlc) DO NOTHING`);
      toOutbox.set(column, stmt);
    }
    return stmt;
  }

  return {
    write(c, cell, winner, kept) {
      const insert = c.insert;
      const writes = c.writes;
      if (insert?.length !== 1 || writes?.length !== 1 || c.update?.length || c.remove?.length || c.meta) return false;
      const m = insert[0] as StoredMessage;
      const w = writes[0] as CellWrite;
      if (m !== w && (m.hlc !== w.hlc || m.value !== w.value || m.table !== w.table || m.row !== w.row || m.column !== w.column)) return false;
      if (!m.local || m.synced || !m.applied || m.error !== null) return false;
      if (m.row !== cell.row || m.column !== cell.column || m.table !== cell.table) return false; // `winner` is the asked cell's
      const table = tables.get(m.table);
      const column = table?.columns.get(m.column);
      if (!table || !column) {
        throw new SchemaError(`store: ${String(m.table).slice(0, 80)}.${String(m.column).slice(0, 80)} is not in the schema`);
      }
      if (typeof m.hlc !== 'string' || !isNew(m.hlc) || !keepsExactly(column.type, m.value)) return false;
      const value = toSql(column.type, m.value);
      // A json value as the text just written (the app may change its object afterwards).
      const json = column.type === 'json' && typeof value === 'string' ? value : undefined;
      const known = { value: json === undefined ? m.value : null, json, size: typeof value === 'string' ? value.length : 8, chain: 0, generation: -1 };
      const old = pending.replace(table, column, m.row, m.hlc, winner, known);
      if (old !== undefined) {
        // Replaced before it was pushed: it still has to reach the server. Kept in its row's
        // unpushed list when its value is known (this session's fast path wrote it), else
        // moved to the outbox: a mark read on open, a `number` column, or a row the app
        // deleted through `db`.
        if (old.known !== undefined && unpushed.append(table, column, m.row, value, m.hlc, old.hlc, old.known, known)) {
          stored(m.hlc);
          return true;
        }
        const move = moveOf(table, column);
        if (move === null || move.run(m.row, old.hlc).changes !== 1) log.insert([pending.read(old)]);
      } else if (kept) {
        moves.cell(table, column, m.row); // its mark was 2 or none, never 1 (that is `old`'s)
      }
      const { update, upsert } = statementsOf(table, column);
      if (winner === null || update.run(value, m.hlc, m.row).changes === 0) upsert.run(value, m.hlc, m.row);
      stored(m.hlc);
      return true;
    },
  };
}
