/**
 * The memory store's data (memory-store.ts): tables of rows, each row one flat array. For the
 * column of index i, a row holds its value at 4i (undefined: never written), the hlc written
 * with it at 4i+1, its best pulled message at 4i+2 (a StoredMessage, IN_CELL or undefined),
 * and at 4i+3 the last `winners()` call that listed it. A row costs two objects, and one
 * lookup reaches all its cells.
 *
 * A class, not closures made per store: the lookups run once per pulled change, and V8's
 * optimized code for a closure holds that closure (and its store). A second store's first
 * pull threw that code away and compiled it again: in the `peers` bench, the first timed
 * pull of each process ran at about 250,000 changes/s and the next ones at about 400,000.
 * A class's methods are the same functions for every store, and so is their code.
 */
import type { JsonValue } from './message.ts';
import { copy, pulledMessage } from './memory-messages.ts';
import type { StoredMessage } from './store.ts';

/** A cell's best pulled message is the cell's value and hlc themselves. */
export const IN_CELL = 1;

/** One row's slots (see above). */
export type Slots = unknown[];

export interface TableState {
  /** Each column's slot (4 × its index), numbered on first write. */
  readonly columns: Map<string, number>;
  readonly rows: Map<string, Slots>;
}

export class MemoryRows {
  readonly data = new Map<string, TableState>();
  // The row last looked up, or null when it does not exist (yet): a pull's messages come row
  // by row, and a new device's first pages are all rows it does not have.
  private lastTable = '';
  private lastRow = '';
  private lastSlots: Slots | null | undefined = undefined;
  // The table last looked up: a page's messages are nearly always of one table.
  private lastName = '';
  private lastState: TableState | undefined = undefined;

  tableNamed(table: string): TableState | undefined {
    if (table !== this.lastName || this.lastState === undefined) this.lastState = this.data.get((this.lastName = table));
    return this.lastState;
  }

  tableOf(table: string): TableState {
    let t = this.tableNamed(table);
    if (t === undefined) this.data.set(table, (t = this.lastState = { columns: new Map(), rows: new Map() }));
    return t;
  }

  /** The slot of a column of `t`'s rows, numbered now if it is new. */
  columnAt(t: TableState, column: string): number {
    let at = t.columns.get(column);
    if (at === undefined) t.columns.set(column, (at = t.columns.size * 4));
    return at;
  }

  /** The slot of a column of `table`, if it was ever written. */
  slotOf(table: string, column: string): number | undefined {
    return this.tableNamed(table)?.columns.get(column);
  }

  private remember(table: string, row: string, slots: Slots | null): void {
    this.lastTable = table;
    this.lastRow = row;
    this.lastSlots = slots;
  }

  rowOf(table: string, row: string): Slots | undefined {
    if (this.lastSlots !== undefined && row === this.lastRow && table === this.lastTable) return this.lastSlots ?? undefined;
    const t = this.tableNamed(table);
    if (t === undefined) return undefined;
    const slots = t.rows.get(row);
    // Remembered absent until rowSlots makes it (and remembers it).
    this.remember(table, row, slots ?? null);
    return slots;
  }

  rowSlots(t: TableState, table: string, row: string): Slots {
    const found = this.rowOf(table, row);
    if (found !== undefined) return found;
    const slots: Slots = [];
    t.rows.set(row, slots);
    this.remember(table, row, slots);
    return slots;
  }

  /** Every cell's best pulled message, as messages: for the queries that scan. */
  *bests(): Generator<StoredMessage> {
    for (const [table, t] of this.data) {
      for (const [row, slots] of t.rows) {
        for (const [column, at] of t.columns) {
          const m = bestOf(table, row, column, slots, at);
          if (m !== undefined) yield m;
        }
      }
    }
  }
}

/** The best pulled message kept in slot `at` + 2 of a row, as a message. */
export function bestOf(table: string, row: string, column: string, slots: Slots, at: number): StoredMessage | undefined {
  const p = slots[at + 2] as StoredMessage | typeof IN_CELL | undefined;
  return p === IN_CELL ? pulledMessage(slots[at + 1] as string, table, row, column, slots[at] as JsonValue) : p;
}

/**
 * A row's values as a record (copied): the cells that have a winner. Undefined when none has
 * (before any write, or after a refused message that made the row was taken back): such a
 * row does not exist on a device that never saw that message either.
 */
export function recordOf(t: TableState, slots: Slots): Readonly<Record<string, JsonValue>> | undefined {
  let out: Record<string, JsonValue> | undefined;
  for (const [column, at] of t.columns) if (slots[at + 1] !== undefined) (out ??= {})[column] = copy(slots[at] as JsonValue);
  return out;
}
