/**
 * What the crash tests (killed-client.test.ts, killed-server.test.ts) check once everyone
 * synced: the server's log read back in full, each cell's winner in it, and what a device
 * shows, in one comparable form.
 */
import { cellKey, type JsonValue, type Message } from 'fieldsync';
import type { ServerMessage } from 'fieldsync/server';
import type { Intent } from './crash-client.ts';

/** Every message the server holds for the token's user, with its id, read as an observer (no client of its own). */
export async function pullAll(url: string, token: string): Promise<ServerMessage[]> {
  const out: ServerMessage[] = [];
  for (let cursor = 0; ;) {
    const res = await fetch(`${url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: 'observer', cursor, limit: 5000 }),
    });
    if (res.status !== 200) throw new Error(`pull answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { messages: ServerMessage[]; cursor: number; more: boolean };
    out.push(...body.messages.map(({ id, hlc, table, row, column, value }) => ({ id, hlc, table, row, column, value })));
    cursor = body.cursor;
    if (!body.more) return out;
  }
}

const sameContent = (a: Message, b: Message): boolean =>
  a.table === b.table && a.row === b.row && a.column === b.column && JSON.stringify(a.value) === JSON.stringify(b.value);

/**
 * What the server holds more than once: an hlc, or a write's value under two hlcs (every value
 * but a tombstone's names the write that made it, so a write stored twice shows here even
 * when it was re-stamped).
 */
export function duplicates(held: readonly Message[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of held) {
    const keys = [`hlc ${m.hlc}`];
    if (m.column !== '_deleted') keys.push(`value ${cellKey(m.table, m.row, m.column)}=${JSON.stringify(m.value)}`);
    for (const k of keys) {
      if (seen.has(k)) out.push(k);
      seen.add(k);
    }
  }
  return out;
}

/** The messages of `expected` that the server does not hold exactly as written. */
export function missing(expected: readonly Message[], held: readonly Message[]): Message[] {
  const byHlc = new Map(held.map((m) => [m.hlc, m]));
  return expected.filter((m) => {
    const h = byHlc.get(m.hlc);
    return h === undefined || !sameContent(h, m);
  });
}

/** The multi-field writes the server holds in part: some of their cells, not all (a delete has one). */
export function halfWritten(intents: readonly Intent[], held: readonly Message[]): Intent[] {
  return intents.filter((w) => {
    const cells = Object.entries(w.fields).filter(([column, value]) => held.some((m) => m.row === w.row && m.column === column && m.value === value)).length;
    return w.fields._deleted === undefined && cells !== 0 && cells !== Object.keys(w.fields).length;
  });
}

/** One line per shown cell, sorted: `row.column=value`; a row's `_deleted` only when true. */
function cellsText(cells: Iterable<[string, string, JsonValue | undefined]>): string {
  const lines: string[] = [];
  for (const [row, column, value] of cells) {
    if (value === null || value === undefined || (column === '_deleted' && value !== true)) continue;
    lines.push(`${row}.${column}=${JSON.stringify(value)}`);
  }
  return lines.sort().join('\n');
}

/** Per cell, the value of the greatest-hlc message in `held`: what every device must show. */
export function modelText(held: readonly Message[]): string {
  const best = new Map<string, Message>();
  for (const m of held) {
    const key = cellKey(m.table, m.row, m.column);
    if ((best.get(key)?.hlc ?? '') < m.hlc) best.set(key, m);
  }
  return cellsText([...best.values()].map((m) => [m.row, m.column, m.value]));
}

/** What a device shows: its rows (tombstones included) over `columns` and `_deleted`. */
export function shownText(rows: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>, columns: readonly string[]): string {
  const cells: [string, string, JsonValue | undefined][] = [];
  for (const [row, values] of rows) for (const column of [...columns, '_deleted']) cells.push([row, column, values[column]]);
  return cellsText(cells);
}
