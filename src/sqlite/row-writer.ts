/**
 * Writes cells into the data tables: the cells of one commit are grouped by row, and each
 * row is an upsert of the columns it sets, each with its hidden `_hlc_` and `_pending_` columns
 * (`INSERT ... ON CONFLICT(id) DO UPDATE`), so a row that does not exist yet is created and
 * the other columns of one that does are kept. Rows that set the same columns (a pulled page
 * is mostly such rows) go in batches, several rows per statement: fewer calls into SQLite.
 * Statements are prepared once per (table, set of columns, rows per statement) and reused.
 *
 * The grouping (`rows`) is done once per commit and shared with pulled-in-row.ts, which marks
 * in it the cells that keep their pulled message: a pulled page is a thousand writes, and
 * every map or set operation per write shows in its cost.
 */
import type { Statement } from 'better-sqlite3';
import type { CellWrite } from '../sync/index.ts';
import type { Db } from './open-database.ts';
import { KEPT_MARK } from './pulled-in-row.ts';
import type { SqlColumn, SqlTable } from './sql-columns.ts';
import { toSql, type SqlValue } from './sql-values.ts';

/** The cells one commit sets in one row: only a cell's last write of the commit stays in it. */
export interface RowWrites {
  readonly table: SqlTable;
  readonly row: string;
  /** The writes by column position (`SqlColumn.position`); undefined for a column not written. */
  readonly cells: (CellWrite | undefined)[];
  /**
   * The cells that keep their pulled message in the row (mark 2, see pulled-in-row.ts), as
   * bits by position below SHAPE_BITS, and in `keptWide` (made only when needed) at later
   * positions: no array per row of a pulled page. Set with `markKept`, read with `isKept`.
   */
  keptBits: number;
  keptWide: boolean[] | null;
  /**
   * Which columns the row sets, as bits by position (positions below SHAPE_BITS), and how
   * many: rows of one shape share a statement, found by this number instead of a string
   * built per row. A row that sets a column at a later position has `wide` set.
   */
  shape: number;
  wide: boolean;
  written: number;
  /** How many of its cells are marked in `kept`. */
  keptCount: number;
}

/** Columns past this position make a row's shape a string key (a table that wide is rare). */
const SHAPE_BITS = 30;

/** Whether the row's cell at this position keeps its pulled message in the row. */
export const isKept = (r: RowWrites, position: number): boolean =>
  position < SHAPE_BITS ? (r.keptBits & (1 << position)) !== 0 : r.keptWide?.[position] === true;

/** Marks a written cell of the row as keeping its pulled message in the row. */
export function markKept(r: RowWrites, position: number): void {
  if (isKept(r, position)) return;
  if (position < SHAPE_BITS) r.keptBits |= 1 << position;
  else (r.keptWide ??= [])[position] = true;
  r.keptCount++;
}

/** A commit's writes grouped by row, in first-write order. */
export interface CommitRows {
  readonly list: readonly RowWrites[];
  /** Whether a write leaves its cell without a winner (hlc null): its row may be left empty. */
  readonly clears: boolean;
  /** The row's entry, if the commit writes it. */
  find(table: string, row: string): RowWrites | undefined;
}

export interface RowWriter {
  /** Groups writes by row. Call with writes already checked against the schema. */
  rows(writes: readonly CellWrite[]): CommitRows;
  /**
   * Call inside a transaction. Every written cell gets its mark: 1 for the writes in
   * `marked` (they keep their local message in the row, see pending-cells.ts), 2 for the
   * cells `kept` marks, NULL otherwise (a cell that held a kept message must lose its mark).
   */
  write(rows: CommitRows, marked: ReadonlySet<CellWrite>): void;
}

/** Rows per statement, largest first: a page's 200 rows of one shape are six statements of 32 and one of 8. */
const BATCHES = [32, 8, 1] as const;

/**
 * How a statement sets its rows' marks: every cell kept (2) or none (NULL) is written in the
 * statement's text, a third fewer values to bind (a pulled page's rows are mostly the one or
 * the other); any other mix is bound cell by cell.
 */
type Marks = 'kept' | 'none' | 'bound';

const MARKS: readonly Marks[] = ['none', 'kept', 'bound'];

/**
 * Rows that set the same columns of one table, with their marks alike, share statements:
 * one per number of rows, prepared once, each with its array of parameters (bound again
 * for every batch).
 */
interface Shape {
  readonly table: SqlTable;
  readonly columns: readonly SqlColumn[];
  readonly marks: Marks;
  /** 1 (the id) + 2 or 3 parameters per column. */
  readonly width: number;
  readonly statements: Map<number, { readonly stmt: Statement<[readonly SqlValue[]]>; readonly params: SqlValue[] }>;
}

function rowOf(table: SqlTable, row: string): RowWrites {
  const width = table.columns.size;
  return {
    table, row, cells: new Array<CellWrite | undefined>(width).fill(undefined), keptBits: 0, keptWide: null, shape: 0, wide: false, written: 0, keptCount: 0,
  };
}

/** Sets a row's cell: a later write of the commit replaces an earlier one. */
function setCell(entry: RowWrites, position: number, w: CellWrite): void {
  if (entry.cells[position] === undefined) {
    entry.written++;
    if (position < SHAPE_BITS) entry.shape |= 1 << position;
    else entry.wide = true;
  }
  entry.cells[position] = w;
}

function groupRows(writes: readonly CellWrite[], tables: ReadonlyMap<string, SqlTable>): CommitRows {
  if (writes.length === 1) {
    // One cell (most local writes): no maps.
    const w = writes[0] as CellWrite;
    const table = tables.get(w.table) as SqlTable;
    const only = rowOf(table, w.row);
    setCell(only, (table.columns.get(w.column) as SqlColumn).position, w);
    return { list: [only], clears: w.hlc === null, find: (t, row) => (row === only.row && t === table.name ? only : undefined) };
  }
  const list: RowWrites[] = [];
  let clears = false;
  const byTable = new Map<string, Map<string, RowWrites>>();
  // The writes of one row come one after the other (the library plans them row by row):
  // the last row is checked first, before any map.
  let last: RowWrites | undefined;
  const find = (table: string, row: string): RowWrites | undefined => {
    if (last !== undefined && last.row === row && last.table.name === table) return last;
    const found = byTable.get(table)?.get(row);
    if (found !== undefined) last = found;
    return found;
  };
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i] as CellWrite;
    let entry = find(w.table, w.row);
    if (entry === undefined) {
      let rows = byTable.get(w.table);
      if (rows === undefined) byTable.set(w.table, (rows = new Map()));
      entry = rowOf(tables.get(w.table) as SqlTable, w.row);
      rows.set(w.row, entry);
      list.push(entry);
      last = entry;
    }
    setCell(entry, (entry.table.columns.get(w.column) as SqlColumn).position, w);
    if (w.hlc === null) clears = true;
  }
  return { list, clears, find };
}

export function createRowWriter(db: Db, tables: ReadonlyMap<string, SqlTable>): RowWriter {
  /** Each table's columns by position. */
  const columnsOf = new Map<SqlTable, SqlColumn[]>();
  for (const t of tables.values()) columnsOf.set(t, [...t.columns.values()]);
  /** Each table's shapes, by `shape * 3 + marks` (a string key for rows of a wide table). */
  const shapesOf = new Map<SqlTable, Map<number | string, Shape>>();

  function prepare(table: SqlTable, columns: readonly SqlColumn[], rows: number, marks: Marks): Statement<[readonly SqlValue[]]> {
    const names = columns.flatMap((c) => [c.sql, c.hlcSql, c.pendingSql]);
    const mark = marks === 'bound' ? ', ?' : marks === 'kept' ? `, ${KEPT_MARK}` : ', NULL';
    const tuple = `(?${columns.map(() => `, ?, ?${mark}`).join('')})`;
    // better-sqlite3 binds an array argument as the statement's parameters, in order.
    return db.prepare<[readonly SqlValue[]]>(`INSERT INTO ${table.sql} (id, ${names.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}
        ON CONFLICT(id) DO UPDATE SET ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`);
  }

  /** A statement of `rows` rows of this shape, and its parameters' array. */
  function statementOf(shape: Shape, rows: number): { readonly stmt: Statement<[readonly SqlValue[]]>; readonly params: SqlValue[] } {
    let entry = shape.statements.get(rows);
    if (!entry) {
      entry = { stmt: prepare(shape.table, shape.columns, rows, shape.marks), params: new Array<SqlValue>(rows * shape.width).fill(null) };
      shape.statements.set(rows, entry);
    }
    return entry;
  }

  function shapeOf(r: RowWrites, marks: Marks): Shape {
    let shapes = shapesOf.get(r.table);
    if (!shapes) shapesOf.set(r.table, (shapes = new Map()));
    const m = MARKS.indexOf(marks);
    let key: number | string;
    if (r.wide) {
      key = '';
      for (let i = 0; i < r.cells.length; i++) if (r.cells[i] !== undefined) key += `${i},`;
      key += m;
    } else {
      key = r.shape * 3 + m;
    }
    let shape = shapes.get(key);
    if (!shape) {
      const columns = (columnsOf.get(r.table) as SqlColumn[]).filter((c) => r.cells[c.position] !== undefined);
      shape = { table: r.table, columns, marks, width: 1 + (marks === 'bound' ? 3 : 2) * columns.length, statements: new Map() };
      shapes.set(key, shape);
    }
    return shape;
  }

  /** Binds one row's parameters at `params[at...]`: id, then value, hlc (and mark, when bound) of each column. */
  function bind(params: SqlValue[], at: number, columns: readonly SqlColumn[], r: RowWrites, marked: ReadonlySet<CellWrite>, marks: Marks): void {
    params[at] = r.row;
    const anyMarked = marked.size > 0;
    const step = marks === 'bound' ? 3 : 2;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as SqlColumn;
      const w = r.cells[column.position] as CellWrite;
      const p = at + 1 + step * i;
      params[p] = toSql(column.type, w.value);
      params[p + 1] = w.hlc;
      if (step === 3) params[p + 2] = anyMarked && marked.has(w) ? 1 : isKept(r, column.position) ? KEPT_MARK : null;
    }
  }

  /** The marks of a row's cells: all the same (in the statement's text), or bound one by one. */
  const marksOf = (r: RowWrites, marked: ReadonlySet<CellWrite>): Marks =>
    marked.size > 0 ? 'bound' : r.keptCount === 0 ? 'none' : r.keptCount === r.written ? 'kept' : 'bound';

  /**
   * Per table: deletes a row none of whose cells has a winner. A write with a null hlc takes
   * a cell's only applied message back (the server refused it): when that message made the
   * row, the row must go again, as on every device that never saw it (an app reads rows
   * with a plain SELECT, and an empty one is a todo with no title). Its `_unpushed` list
   * is stale by then: every commit but a local write copies those messages to the outbox
   * first (unpushed-in-row.ts).
   */
  const emptyRow = new Map<SqlTable, Statement<[string]>>();
  function dropIfEmpty(r: RowWrites): void {
    if (!r.cells.some((w) => w !== undefined && w.hlc === null)) return;
    let stmt = emptyRow.get(r.table);
    if (!stmt) {
      const none = (columnsOf.get(r.table) as SqlColumn[]).map((c) => `${c.hlcSql} IS NULL`).join(' AND ');
      emptyRow.set(r.table, (stmt = db.prepare<[string]>(`DELETE FROM ${r.table.sql} WHERE id = ? AND ${none}`)));
    }
    stmt.run(r.row);
  }

  const single = new Map<SqlColumn, Statement<[readonly SqlValue[]]>>();
  const singleParams: SqlValue[] = [null, null, null, null];

  return {
    rows: (writes) => groupRows(writes, tables),

    write(commitRows, marked) {
      const first = commitRows.list[0];
      if (commitRows.list.length === 1 && first !== undefined && first.written === 1) {
        // One cell of one row (most local writes): its statement found by its column.
        const w = first.cells.find((c) => c !== undefined) as CellWrite;
        const column = first.table.columns.get(w.column) as SqlColumn;
        let stmt = single.get(column);
        if (!stmt) single.set(column, (stmt = prepare(first.table, [column], 1, 'bound')));
        bind(singleParams, 0, [column], first, marked, 'bound');
        stmt.run(singleParams);
        if (commitRows.clears) dropIfEmpty(first);
        return;
      }
      // Rows of one shape share a statement (a pulled page is mostly such rows).
      const groups = new Map<Shape, RowWrites[]>();
      for (let i = 0; i < commitRows.list.length; i++) {
        const r = commitRows.list[i] as RowWrites;
        const shape = shapeOf(r, marksOf(r, marked));
        const list = groups.get(shape);
        if (list) list.push(r);
        else groups.set(shape, [r]);
      }
      for (const [shape, list] of groups) {
        const { columns, marks, width } = shape;
        let i = 0;
        for (const size of BATCHES) {
          if (list.length - i < size) continue;
          const { stmt, params } = statementOf(shape, size);
          for (; i + size <= list.length; i += size) {
            for (let j = 0; j < size; j++) bind(params, j * width, columns, list[i + j] as RowWrites, marked, marks);
            stmt.run(params);
          }
        }
      }
      if (commitRows.clears) for (const r of commitRows.list) dropIfEmpty(r);
    },
  };
}
