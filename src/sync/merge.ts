/**
 * Last-writer-wins, decided here and only here. Given incoming messages and the current
 * winner of each cell they touch, it works out which messages are applied and which cell
 * values change. It is pure: the same inputs give the same plan, whatever their order, and
 * a message seen twice changes nothing the second time.
 */
import { cellKey, type Message } from './message.ts';
import { schemaValueError, type Schema } from './schema.ts';
import type { Cell, CellWrite } from './store.ts';

export interface MergePlan {
  /** For each input message, null when it takes part in LWW, or why it is kept unapplied. */
  readonly problems: readonly (string | null)[];
  /** The cell values to write: one per cell whose winner changed, with the new winner's value. */
  readonly writes: readonly CellWrite[];
  /** The rows whose data changed, by table. */
  readonly changes: Readonly<Record<string, string[]>>;
  /** The greatest `hlc` among the input messages, or null for no input. */
  readonly maxHlc: string | null;
}

/**
 * The cells that the applicable messages of a batch touch (the messages themselves serve as
 * cells: a cell may appear more than once, and stores take that in their stride): the batch
 * itself when every message is declared, as a pull page's are.
 */
export function cellsOf(schema: Schema, messages: readonly Message[]): readonly Cell[] {
  // The table last asked about: a batch's messages are nearly always of one table.
  let table: string | undefined;
  let columns: ReadonlyMap<string, unknown> | undefined;
  const declared = (m: Message): boolean => (m.table === table ? columns : (columns = schema.tables.get((table = m.table))?.columns))?.has(m.column) === true;
  return messages.every(declared) ? messages : messages.filter(declared);
}

/** The greatest hlc among a store's winners, or null when there are none. */
export function newestOf(winners: ReadonlyMap<string, string>): string | null {
  let newest: string | null = null;
  for (const hlc of winners.values()) if (newest === null || hlc > newest) newest = hlc;
  return newest;
}

/**
 * Plans how a batch of messages changes the data.
 * @param winners current winning `hlc` per cell key (see `SyncStore.winners`).
 */
export function planMerge(schema: Schema, messages: readonly Message[], winners: ReadonlyMap<string, string>): MergePlan {
  const problems: (string | null)[] = new Array<string | null>(messages.length);
  // A message is a cell write already (its cell, value and hlc): no copy per write. The
  // batch's best message per cell, in the order the cells first come.
  const writes: Message[] = [];
  // Each row's cells, as positions in `writes`: a batch comes row by row, and a row has a
  // few cells, so a cell is found by its column among its row's. Rows are found by table,
  // then by row id: no key string built and hashed per row (a fifth of the merge, more with
  // longer row ids). `order` lists the rows as they first come.
  const tables = new Map<string, Map<string, number[]>>();
  const order: number[][] = [];
  let table: string | undefined;
  let rows!: Map<string, number[]>;
  let row: string | undefined;
  let cells!: number[];
  // A message newer than every winner the store has wins its cell without a lookup: a pull
  // that catches up on newer changes (the usual one), and a new device's first, which has none.
  const newest = newestOf(winners);
  let maxHlc: string | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message;
    if (maxHlc === null || m.hlc > maxHlc) maxHlc = m.hlc;
    const problem = schemaValueError(schema, m.table, m.column, m.value);
    problems[i] = problem;
    if (problem) continue;
    if (m.table !== table) {
      rows = tables.get((table = m.table)) as Map<string, number[]>;
      if (!rows) tables.set(table, (rows = new Map()));
      row = undefined;
    }
    if (m.row !== row) {
      cells = rows.get((row = m.row)) as number[];
      if (!cells) {
        rows.set(row, (cells = []));
        order.push(cells);
      }
    }
    let j = 0;
    while (j < cells.length && (writes[cells[j] as number] as Message).column !== m.column) j++;
    const inBatch = j < cells.length ? writes[cells[j] as number] : undefined;
    const current = inBatch !== undefined ? inBatch.hlc : newest !== null && m.hlc <= newest ? winners.get(cellKey(m.table, m.row, m.column)) : undefined;
    if (current !== undefined && m.hlc <= current) continue;
    if (inBatch !== undefined) writes[cells[j] as number] = m;
    else cells.push(writes.push(m) - 1);
  }
  // The rows written, each once.
  const changes: Record<string, string[]> = {};
  for (const at of order) {
    const w = writes[at[0] as number];
    // An own list: a table may be named like an Object member (`constructor`, `toString`).
    if (w !== undefined) (Object.hasOwn(changes, w.table) ? (changes[w.table] as string[]) : (changes[w.table] = [])).push(w.row);
  }
  return { problems, writes, changes, maxHlc };
}
