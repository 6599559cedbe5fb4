/**
 * This client's earlier unpushed messages of a row, kept in the row itself for a while. A
 * local write that replaces a cell whose message was never pushed cannot drop that message
 * (every local change reaches the server), and moving it to the outbox cost a second B-tree
 * page (the outbox's) in every such commit: an offline user editing the same fields again
 * and again paid it on every keystroke. Instead the write appends the replaced message to a
 * hidden column of the row (`_unpushed`), in the same UPDATE that writes the cell: one page.
 *
 * The column holds the list's generation, then per message its hlc, column and value, each
 * after a NUL (`char(0)`), which no field can hold: hlcs and column names cannot, the store
 * keeps no string with a NUL in a row (`keepsExactly`), and JSON text escapes it. A value is
 * a type letter and the value as SQL prints it (`s` string, `i` integer, `b` boolean 0/1,
 * `j` JSON text), or `n` for null. Plain concatenation: building JSON in SQL
 * (`json_array`, `json_quote`) cost about 1 µs more per write, and SQL's `json_each` about
 * 35 µs per row read back. A `number` column has no exact text in SQL (SQLite prints a REAL
 * with fewer digits than JavaScript): its replaced messages go to the outbox as before.
 *
 * It is a buffer in front of the outbox, not another place to read from:
 * - all rows' entries are copied to the outbox, in one commit, once rows hold `UNPUSHED_MAX`
 *   messages or one cell has appended about `UNPUSHED_CHARS` characters. All at once, because
 *   messages buffered meanwhile have neighbouring hlcs: they fill a few pages at the
 *   outbox's end. The rows are not written then (that would be a page per row again): the
 *   commit moves the generation on (kept in the meta table), which makes every row's
 *   entries stale, and the next write that keeps a message in a row starts its list afresh;
 * - every other use of pending messages copies them first: a commit (acks, refusals,
 *   removals, pulls), a local write that updates or removes messages, the `pending`,
 *   `recent` and `cell` queries (push, epoch re-push, history, the inspector). Everything
 *   that reads or changes pending messages therefore finds them in the outbox, in hlc
 *   order, as before;
 * - `count` adds them to the pending count on open.
 *
 * The current entries are also kept in memory (the replaced message's value is the one the
 * write before it wrote, pending-cells.ts `known`; read from the rows on open, again after
 * another connection committed or a commit failed), so that a copy reads no row (reading
 * them back cost about 2 µs a row). The database stays the truth: entries and the
 * generation are written in the commits that make them, so a crash loses nothing and
 * copies nothing twice, and an app of an older store version refuses the file
 * (migrations.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database.ts';
import type { ColumnType, JsonValue } from '../sync/index.ts';
import { META_TABLE, OUTBOX_TABLE, UNPUSHED_SQL, quoteIdent, type SqlColumn, type SqlTable } from './sql-columns.ts';
import type { SqlValue } from './sql-values.ts';

/**
 * Rows hold at most this many messages before they are all copied to the outbox: a copy of
 * 1,024 costs about 1-2 ms, once per 1,024 writes, so it stays out of the p99 (a copy every
 * 256 writes did not). Smaller lists did not make a write cheaper (measured at 128 and 256).
 */
export const UNPUSHED_MAX = 1024;
/** About how many characters one cell appends to its row's list at most before they are all copied. */
export const UNPUSHED_CHARS = 2048;
/** The meta key of the current generation (the store leaves it out of the meta it reports). */
export const GENERATION_KEY = '_unpushedGeneration';
/** Copied messages are inserted this many per statement. */
const BATCH = 64;

export type UnpushedInRow = ReturnType<typeof createUnpushedInRow>;

/** Generation (twice), value, hlc, id. */
type Append = Statement<[number, number, SqlValue, string, string]>;

const NUL = '\u0000';
/** The type letter of a column's values in a list; none for `number`. */
const TAGS: Readonly<Record<ColumnType, string | null>> = { string: 's', integer: 'i', boolean: 'b', json: 'j', number: null };

/**
 * What the store knows of a pending mark's message that a local write of this session made
 * (pending-cells.ts): its value, about how many characters that takes, and how many
 * characters its cell has appended to its row's list in a generation.
 */
export interface Known {
  readonly value: JsonValue;
  /**
   * The JSON text written for a `json` column's value. An object or array is the app's own
   * and may change after the write: the message keeps the text, not the object.
   */
  readonly json?: string;
  readonly size: number;
  chain: number;
  generation: number;
}

/** A message kept in a row, as the outbox will keep it: its value, or the value's JSON text. */
interface Held {
  readonly hlc: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
  readonly value?: JsonValue;
  readonly json?: string;
}

/** A value of a list (type letter and text) as the JSON text the outbox keeps. */
function jsonText(field: string): string {
  const text = field.slice(1);
  switch (field[0]) {
    case 's': return JSON.stringify(text);
    case 'i': return text; // as SQLite prints an INTEGER: digits, maybe a sign
    case 'b': return text === '0' ? 'false' : 'true';
    case 'j': return text; // JSON text already (toSql wrote JSON.stringify's)
    default: return 'null';
  }
}

export function createUnpushedInRow(db: Db) {
  let tables: ReadonlyMap<string, SqlTable> = new Map();
  let generation = 0;
  /** The current entries, also in memory: a copy reads no row. Read from the rows only by `load`. */
  let held: Held[] = [];
  /** Messages copied since `takeCopied` last asked (the WAL's bound counts them, checkpoints.ts). */
  let copied = 0;
  const appends = new Map<SqlColumn, Append | null>();
  let meta: { get: Statement<[string], string>; set: Statement<[string, string]> } | null = null;
  const metaStatements = () => (meta ??= {
    get: db.prepare<[string], string>(`SELECT value FROM ${META_TABLE} WHERE key = ?`).pluck(),
    set: db.prepare<[string, string]>(`INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
  });

  /** Inserts into the outbox `n` messages per statement (5 values each: hlc, table, row, column, JSON text). */
  const inserts = new Map<number, Statement<string[]>>();
  function insertOf(n: number): Statement<string[]> {
    let stmt = inserts.get(n);
    if (!stmt) {
      const tuples = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, 1, NULL)').join(', ');
      inserts.set(n, (stmt = db.prepare<string[]>(`INSERT INTO ${OUTBOX_TABLE} (hlc, tbl, row, col, value, applied, error) VALUES ${tuples} ON CONFLICT(hlc) DO NOTHING`)));
    }
    return stmt;
  }

  function appendOf(table: SqlTable, column: SqlColumn): Append | null {
    let stmt = appends.get(column);
    if (stmt === undefined) {
      const { sql, hlcSql, pendingSql } = column;
      const tag = TAGS[column.type];
      // SET expressions read the row as it was: the cell's marked message is appended to the
      // row's list of this generation, or starts it (a list of an older one is stale).
      // Only a cell marked 1 (its message unpushed), which stays 1: no kept pulled message
      // to move (kept-moves.ts), and the mark is left out of the SET.
      // Names are declared identifiers (sql-columns.ts): safe as SQL string literals.
      stmt = tag === null ? null : db.prepare<[number, number, SqlValue, string, string]>(`UPDATE ${table.sql}
        SET ${UNPUSHED_SQL} = (CASE WHEN CAST(${UNPUSHED_SQL} AS INTEGER) = ? THEN ${UNPUSHED_SQL} ELSE ? END)
            || char(0) || ${hlcSql} || char(0) || '${column.name}' || char(0) || coalesce('${tag}' || ${sql}, 'n'),
          ${sql} = ?, ${hlcSql} = ?
        WHERE id = ? AND ${pendingSql} = 1`);
      appends.set(column, stmt);
    }
    return stmt;
  }

  /**
   * Every table of the file with lists, by name and quoted name: the declared ones, and those
   * a newer schema declared (an older app version opened the file). Their lists must be read
   * too: a copy moves the generation on, which would leave them stale, their messages lost.
   * An undeclared name is used in SQL only if it is an identifier the schema could declare.
   */
  function dataTables(): [string, string][] {
    const out: [string, string][] = [...tables.values()].map((t) => [t.name, t.sql]);
    const names = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 10) <> 'fieldsync_' AND substr(name, 1, 7) <> 'sqlite_'").pluck().all();
    for (const name of names) {
      if (tables.has(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      const columns = db.pragma(`table_info(${quoteIdent(name)})`) as { name: string }[];
      if (columns.some((c) => c.name === '_unpushed')) out.push([name, quoteIdent(name)]);
    }
    return out;
  }

  /**
   * Call inside a write transaction: every row's current entries are copied to the outbox,
   * in hlc order (neighbours in its B-tree), and the generation moves on.
   */
  function copyAll(): void {
    if (held.length === 0) return;
    const entries = held.sort((x, y) => (x.hlc < y.hlc ? -1 : 1));
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch = entries.slice(i, i + BATCH);
      insertOf(batch.length).run(...batch.flatMap((h) => [h.hlc, h.table, h.row, h.column, h.json ?? JSON.stringify(h.value)]));
    }
    copied += entries.length;
    generation++;
    metaStatements().set.run(GENERATION_KEY, String(generation));
    held = [];
  }

  return {
    /** How many messages rows hold. */
    get count(): number {
      return held.length;
    },

    /** Reads which rows hold current entries (on open, and when the database changed under the store). */
    load(schemaTables: ReadonlyMap<string, SqlTable>): void {
      tables = schemaTables;
      copied = 0;
      held = [];
      appends.clear();
      generation = Number(metaStatements().get.get(GENERATION_KEY) ?? 0);
      for (const [name, sql] of dataTables()) {
        // Only the lists of the current generation: older ones were copied already (stale).
        const select = `SELECT id, ${UNPUSHED_SQL} FROM ${sql} WHERE ${UNPUSHED_SQL} IS NOT NULL AND CAST(${UNPUSHED_SQL} AS INTEGER) = ?`;
        for (const [id, text] of db.prepare(select).raw().iterate(generation) as IterableIterator<[string, string]>) {
          const fields = text.split(NUL); // the generation, then hlc, column and value per message
          for (let i = 1; i + 2 < fields.length; i += 3) {
            held.push({ hlc: fields[i] as string, table: name, row: id, column: fields[i + 1] as string, json: jsonText(fields[i + 2] as string) });
          }
        }
      }
    },

    /**
     * Call inside the commit's transaction: writes `value` with `hlc` into the cell, its
     * pending mark, and appends the cell's marked message (`old`, with what is known of it)
     * to the row's entries; `mark` is what is known of the new message, whose count of the
     * characters its cell has appended in this generation it sets. Returns false, having
     * written nothing, when the column's values have no exact text in SQL (`number`) or the
     * row is not there with the cell marked 1. Past a bound, every row's entries are then copied to the outbox.
     */
    append(table: SqlTable, column: SqlColumn, row: string, value: SqlValue, hlc: string, old: string, known: Known, mark: Known): boolean {
      const stmt = appendOf(table, column);
      if (stmt === null || stmt.run(generation, generation, value, hlc, row).changes !== 1) return false;
      // Counted per cell (in its mark), not per row: no map to look up in every write. A
      // row's list is then at most about UNPUSHED_CHARS per column written.
      mark.chain = (known.generation === generation ? known.chain : 0) + old.length + column.name.length + known.size + 4;
      mark.generation = generation;
      held.push(known.json !== undefined
        ? { hlc: old, table: table.name, row, column: column.name, json: known.json }
        : { hlc: old, table: table.name, row, column: column.name, value: known.value });
      if (mark.chain > UNPUSHED_CHARS || held.length >= UNPUSHED_MAX) copyAll();
      return true;
    },

    copyAll,

    /** How many messages were copied to the outbox since last asked. */
    takeCopied(): number {
      const n = copied;
      copied = 0;
      return n;
    },
  };
}
