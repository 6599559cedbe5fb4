/**
 * Last-writer-wins, decided here and only here. Given incoming messages and the current
 * winner of each cell they touch, it works out which messages are applied and which cell
 * values change. It is pure: the same inputs give the same plan, whatever their order, and
 * a message seen twice changes nothing the second time.
 */
import { rowKey, type Message } from './message.ts';
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
 * cells: a cell may appear more than once, and stores take that in their stride). A batch
 * whose every message is declared (a pull page, as a rule) is its own list: no copy.
 */
export function cellsOf(schema: Schema, messages: readonly Message[]): readonly Cell[] {
  let out: Cell[] | undefined;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message;
    const declared = schema.tables.get(m.table)?.columns.has(m.column) === true;
    if (!declared) out ??= messages.slice(0, i);
    else if (out) out.push(m);
  }
  return out ?? messages;
}

/**
 * Plans how a batch of messages changes the data.
 * @param winners current winning `hlc` per cell key (see `SyncStore.winners`).
 */
export function planMerge(schema: Schema, messages: readonly Message[], winners: ReadonlyMap<string, string>): MergePlan {
  const problems: (string | null)[] = new Array<string | null>(messages.length);
  // The cells to write, each with the batch's best message so far (a message is a cell write
  // already: its cell, value and hlc), in the order their cells first won.
  const writes: Message[] = [];
  // Where each cell's write is, without a key per message: by table and row (strings the
  // messages hold), the index of the row's latest cell in `writes`; `next[k]`, the row's cell
  // before `writes[k]` (-1: none). A row has few cells in one batch. Runs for every pulled message.
  const at = new Map<string, Map<string, number>>();
  const next: number[] = [];
  let table: string | undefined;
  let byRow: Map<string, number> | undefined;
  // Cells that never had a winner (a new device's first pull) need no lookup in `winners`.
  const anyWinner = winners.size !== 0;
  // The cell keys of the row last looked up start the same (see rowKey).
  let keyTable = '';
  let keyRow = '';
  let keyStart = '';
  let maxHlc: string | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message;
    if (maxHlc === null || m.hlc > maxHlc) maxHlc = m.hlc;
    const problem = schemaValueError(schema, m.table, m.column, m.value);
    problems[i] = problem;
    if (problem) continue;
    if (m.table !== table || byRow === undefined) {
      byRow = at.get(m.table);
      if (!byRow) at.set(m.table, (byRow = new Map()));
      table = m.table;
    }
    const latest = byRow.get(m.row) ?? -1;
    let k = latest;
    while (k >= 0 && (writes[k] as Message).column !== m.column) k = next[k] as number;
    if (k >= 0) {
      // The cell is in the batch already: the better of the two.
      if (m.hlc > (writes[k] as Message).hlc) writes[k] = m;
      continue;
    }
    if (anyWinner && (m.row !== keyRow || m.table !== keyTable)) {
      keyTable = m.table;
      keyRow = m.row;
      keyStart = rowKey(m.table, m.row);
    }
    const current = anyWinner ? winners.get(keyStart + m.column) : undefined;
    if (current === undefined || m.hlc > current) {
      byRow.set(m.row, writes.length);
      next.push(latest);
      writes.push(m);
    }
  }
  const changes: Record<string, string[]> = {};
  // Messages come row by row, so a row is mostly the one before: no set operation for it.
  let lastTable = '';
  let lastRow = '';
  let rows: Set<string> | undefined;
  const rowsByTable = new Map<string, Set<string>>();
  for (const w of writes) {
    if (w.row === lastRow && w.table === lastTable) continue;
    if (w.table !== lastTable) {
      rows = rowsByTable.get(w.table);
      if (!rows) rowsByTable.set(w.table, (rows = new Set()));
    }
    (rows as Set<string>).add(w.row);
    lastTable = w.table;
    lastRow = w.row;
  }
  for (const [table, set] of rowsByTable) changes[table] = [...set];
  return { problems, writes, changes, maxHlc };
}
