/**
 * This device's writes on their way to the server: which are still pending, and when each of
 * the others arrived there, as far as this device can tell. The sync client reports only how
 * many are pending; it pushes the oldest first, so after a push the pending ones are the
 * newest `pending` of them. A write the app did not make through the table repo (the device's
 * name) is not listed: while one is pending, a listed write may count as pending a little
 * longer than it is, never the other way round.
 */
export interface LocalWrite {
  readonly hlc: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
}

export interface UnsentWrites {
  /** This device wrote these messages, which are now pending (the client's status said so first). */
  wrote(messages: readonly LocalWrite[]): void;
  /** The client's pending count from a status: the writes beyond it reached the server `now`. */
  pending(count: number): void;
  isPending(hlc: string): boolean;
  /** When a write was seen to reach the server, if this process saw it. */
  reachedServerAt(hlc: string): number | undefined;
  /** The rows (of the tables `counts`) with a write not on the server yet: the changes a user made and waits to see synced. */
  rows(counts?: (table: string) => boolean): number;
  /** This device's writes to one row that it still remembers (pending, among the last MAX_REMEMBERED that arrived, or `arrivedBefore`). */
  rowWrites(table: string, row: string): readonly LocalWrite[];
  /** The rows of a table with a write this process still remembers (pending or arrived). */
  writtenRows(table: string): readonly string[];
}

/** Writes remembered with the time they reached the server; older ones are forgotten. */
const MAX_REMEMBERED = 20_000;

/**
 * `atStart`: the writes pending when the process started (`pendingAtStart` of them).
 * `arrivedBefore`: some that had reached the server before it started, when they arrived
 * unknown: kept by row for lost-edits.ts, for this process's life, never as arrived at a time.
 */
export function createUnsentWrites(now: () => number, atStart: readonly LocalWrite[], pendingAtStart: number, arrivedBefore: readonly LocalWrite[] = []): UnsentWrites {
  // Oldest first, from `head` on: a queue, since the oldest reach the server first.
  const unsent: LocalWrite[] = [];
  let head = 0;
  const pendingHlcs = new Set<string>();
  const reached = new Map<string, { readonly at: number; readonly write: LocalWrite }>();
  // The same writes (pending and remembered) by table and row: which of this device's edits a
  // delete elsewhere hid (lost-edits.ts). Looked up for every row a pull changes, so kept, not searched.
  const byRow = new Map<string, Map<string, Map<string, LocalWrite>>>();
  const remember = (w: LocalWrite): void => {
    let rows = byRow.get(w.table);
    if (!rows) byRow.set(w.table, (rows = new Map()));
    let writes = rows.get(w.row);
    if (!writes) rows.set(w.row, (writes = new Map()));
    writes.set(w.hlc, w);
  };
  const forget = (w: LocalWrite): void => {
    const rows = byRow.get(w.table);
    const writes = rows?.get(w.row);
    if (!writes?.delete(w.hlc) || writes.size > 0) return;
    rows?.delete(w.row);
    if (rows?.size === 0) byRow.delete(w.table);
  };
  // Per table, per row, how many of its writes wait: kept as writes come and go, since the
  // count is read with every status (several per write). Counted from the list each time,
  // it made a write cost O(pending): with 3,000 waiting, 7 ms a write, two thirds of it here.
  const waiting = new Map<string, Map<string, number>>();
  let count = pendingAtStart;

  const add = (w: LocalWrite): void => {
    unsent.push(w);
    pendingHlcs.add(w.hlc);
    remember(w);
    let rows = waiting.get(w.table);
    if (!rows) waiting.set(w.table, (rows = new Map()));
    rows.set(w.row, (rows.get(w.row) ?? 0) + 1);
  };
  const settle = (): void => {
    while (unsent.length - head > count) {
      const w = unsent[head++] as LocalWrite;
      pendingHlcs.delete(w.hlc);
      reached.set(w.hlc, { at: now(), write: w });
      if (reached.size > MAX_REMEMBERED) {
        const oldest = reached.keys().next().value as string;
        forget((reached.get(oldest) as { write: LocalWrite }).write);
        reached.delete(oldest);
      }
      const rows = waiting.get(w.table) as Map<string, number>;
      const left = (rows.get(w.row) as number) - 1;
      if (left > 0) rows.set(w.row, left);
      else rows.delete(w.row);
    }
    if (head > 1024 && head * 2 > unsent.length) {
      unsent.splice(0, head); // dropped in bulk, not one shift() per write
      head = 0;
    }
  };
  for (const w of arrivedBefore) remember(w);
  for (const w of atStart) add(w);

  return {
    // No settle here: no push can end between the status a write reports and its return.
    wrote(messages) {
      for (const m of messages) add(m);
    },
    pending(n) {
      count = n;
      settle();
    },
    isPending: (hlc) => pendingHlcs.has(hlc),
    reachedServerAt: (hlc) => reached.get(hlc)?.at,
    rows(counts = () => true) {
      let n = 0;
      for (const [table, rows] of waiting) if (counts(table)) n += rows.size;
      return n;
    },
    rowWrites: (table, row) => [...(byRow.get(table)?.get(row)?.values() ?? [])],
    writtenRows: (table) => [...(byRow.get(table)?.keys() ?? [])],
  };
}
