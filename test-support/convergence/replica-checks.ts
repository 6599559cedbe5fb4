/**
 * What each device of the convergence suite must show while a run goes on (not only at its
 * end): its own last write to a cell until a later write (a greater hlc) reaches it.
 */
import { cellKey, type JsonValue, type Message } from 'fieldsync';
import { canonical } from 'fieldsync/testing';
import type { ClientStoreHandle } from './convergence.ts';

const ALL = 1_000_000;

/**
 * A local write wins its cells at once, whatever the device's clock says: its message is
 * the newest of each cell the device holds, and the device shows its value.
 */
export async function checkLocalWriteWins(i: number, handle: ClientStoreHandle, written: readonly Message[]): Promise<void> {
  const cells = await handle.readCells();
  for (const m of written) {
    const where = `client ${i}: its write of ${m.table}.${m.row}.${m.column} (${m.hlc})`;
    for (const other of await handle.store.messages({ kind: 'cell', table: m.table, row: m.row, column: m.column })) {
      if (other.hlc > m.hlc) throw new Error(`${where} does not win: the device already holds ${other.hlc}`);
    }
    const shown = cells.get(cellKey(m.table, m.row, m.column)) ?? null;
    if (canonical(shown) !== canonical(m.value)) throw new Error(`${where} is not shown: the device shows ${canonical(shown)}`);
  }
}

/**
 * Every cell a device shows is the value of the greatest-hlc message it holds for that cell:
 * so a device's last write stays shown until a later one reaches it, and only then.
 */
export async function checkShowsNewest(i: number, handle: ClientStoreHandle): Promise<void> {
  const newest = new Map<string, { hlc: string; value: JsonValue }>();
  for (const m of await handle.store.messages({ kind: 'recent', limit: ALL })) {
    if (!m.applied) continue;
    const key = cellKey(m.table, m.row, m.column);
    const cur = newest.get(key);
    if (!cur || m.hlc > cur.hlc) newest.set(key, { hlc: m.hlc, value: m.value });
  }
  const shown = await handle.readCells();
  for (const [key, w] of newest) {
    const value = canonical(shown.get(key) ?? null);
    if (value !== canonical(w.value)) {
      throw new Error(`client ${i}: cell ${JSON.stringify(key)} shows ${value}, but the newest message it holds (${w.hlc}) says ${canonical(w.value)}`);
    }
  }
  for (const key of shown.keys()) {
    if (!newest.has(key)) throw new Error(`client ${i}: cell ${JSON.stringify(key)} shows a value no message it holds gave it`);
  }
}

/** After quiescence: every replica shows exactly what the first one shows. */
export function checkReplicasEqual(all: readonly Map<string, JsonValue>[]): void {
  const first = all[0];
  if (!first) return;
  const show = (cells: Map<string, JsonValue>): string => canonical([...cells].map(([k, v]) => [k, v]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)));
  const reference = show(first);
  all.forEach((cells, i) => {
    if (show(cells) !== reference) throw new Error(`client ${i} differs from client 0 after quiescence: ${show(cells)} vs ${reference}`);
  });
}
