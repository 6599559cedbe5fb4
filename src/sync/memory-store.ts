/**
 * An in-memory store: the reference implementation of the store contract, useful for tests,
 * prototypes and apps that persist elsewhere. It is synchronous, like better-sqlite3.
 *
 * Its memory grows with the cells, not with the history: a pull of a million changes keeps
 * what the data needs. Every message of this client is kept (pending, rejected, its own
 * history), and so is every message set aside (`unapplied`), in one map by hlc. Of the
 * messages pulled from other clients and applied, it keeps the best of each cell, beside the
 * cell's value (what a rejected local write falls back to, and what `recent` orders by),
 * and the latest RECENT_PULLED in a ring; older ones that lost their cell are forgotten,
 * which bounds the history the inspector shows for them. Pulled messages are never indexed:
 * the queries that want them (a cell's history, the latest messages) are rare, and scan.
 */
import { SchemaError, StoreError } from './errors.ts';
import { cellKey, type JsonValue } from './message.ts';
import type { Schema } from './schema.ts';
import { withUpdate, type Cell, type CellValue, type CellWrite, type Commit, type MessageQuery, type StoreState, type StoredMessage, type SyncStore } from './store.ts';

export type Row = Readonly<Record<string, JsonValue>>;

export interface MemoryStore extends SyncStore {
  /** One row of a data table (deleted rows included, with `_deleted: true`), or undefined. */
  get(table: string, row: string): Row | undefined;
  /** All rows of a data table, keyed by row id. Deleted rows are left out unless asked for. */
  rows(table: string, options?: { includeDeleted?: boolean }): ReadonlyMap<string, Row>;
}

/** How many of the latest pulled (and applied) messages are kept besides each cell's best. */
export const RECENT_PULLED = 1000;

/** One row: its values, the hlc written with each, and the best pulled message of each cell. */
interface RowState {
  readonly values: Record<string, JsonValue>;
  readonly hlcs: Record<string, string>;
  readonly pulled: Record<string, Kept>;
}

/** A stored message: the store's own copy. */
type Kept = StoredMessage;

/**
 * A copy of a JSON value that shares nothing with the caller: strings, numbers, booleans
 * and null are immutable, so only objects and arrays (rare in a field) are copied deeply.
 */
const copy = <T>(v: T): T => (v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as T));

/** A message's own copy: its nine fields, nothing else, and its value copied. */
const copyMessage = (m: StoredMessage): StoredMessage => ({
  hlc: m.hlc, table: m.table, row: m.row, column: m.column, value: copy(m.value),
  local: m.local, synced: m.synced, applied: m.applied, error: m.error,
});
const keep = copyMessage;

const isPulled = (m: StoredMessage): boolean => !m.local && m.applied;

export function createMemoryStore(): MemoryStore {
  let schema: Schema | null = null;
  const data = new Map<string, Map<string, RowState>>();
  // Local messages and those set aside (besides: each cell's best pulled one, and the ring).
  const messages = new Map<string, Kept>();
  const pending = new Set<string>();
  const meta = new Map<string, string>();
  // The latest pulled messages: a ring of RECENT_PULLED, by arrival.
  const recent: (Kept | undefined)[] = new Array<Kept | undefined>(RECENT_PULLED);
  let pulledCount = 0;
  let maxHlc: string | null = null;
  // The row last looked up: a pull's messages come row by row.
  let lastTable = '';
  let lastRow = '';
  let lastState: RowState | undefined;

  const isPending = (m: StoredMessage): boolean => m.local && !m.synced && m.error === null;

  function rowOf(table: string, row: string): RowState | undefined {
    if (lastState !== undefined && row === lastRow && table === lastTable) return lastState;
    const state = data.get(table)?.get(row);
    if (state !== undefined) [lastTable, lastRow, lastState] = [table, row, state];
    return state;
  }

  function rowState(table: string, row: string): RowState {
    const found = rowOf(table, row);
    if (found !== undefined) return found;
    let rows = data.get(table);
    if (!rows) data.set(table, (rows = new Map()));
    const state: RowState = { values: {}, hlcs: {}, pulled: {} };
    rows.set(row, state);
    [lastTable, lastRow, lastState] = [table, row, state];
    return state;
  }

  /** Keeps a pulled, applied message, unless it is kept already: returns false then. */
  function keepPulled(m: Kept): boolean {
    const state = rowState(m.table, m.row);
    const best = state.pulled[m.column];
    if (best !== undefined && best.hlc === m.hlc) return false;
    if (best === undefined || m.hlc > best.hlc) state.pulled[m.column] = m;
    recent[pulledCount++ % RECENT_PULLED] = m;
    return true;
  }

  /** Every message kept, each once: for the queries that scan (never on the merge path). */
  function everyMessage(): Kept[] {
    const seen = new Set<string>();
    const out: Kept[] = [];
    const add = (m: Kept | undefined): void => {
      if (m === undefined || seen.has(m.hlc)) return;
      seen.add(m.hlc);
      out.push(m);
    };
    for (const m of messages.values()) add(m);
    for (const m of recent) add(m);
    for (const rows of data.values()) for (const state of rows.values()) for (const column in state.pulled) add(state.pulled[column]);
    return out;
  }

  function checkWrites(c: Commit): void {
    if (!schema) throw new StoreError('the store is not open');
    for (const w of c.writes ?? []) {
      // Even in memory, a store only writes what the schema declares.
      if (!schema.tables.get(w.table)?.columns.has(w.column)) {
        throw new SchemaError(`store: ${w.table}.${w.column} is not in the schema`);
      }
    }
  }

  function recomputeMax(): void {
    maxHlc = null;
    for (const m of everyMessage()) if (maxHlc === null || m.hlc > maxHlc) maxHlc = m.hlc;
  }

  return {
    open(s) {
      schema = s;
      const state: StoreState = { meta: Object.fromEntries(meta), maxHlc, pendingCount: pending.size };
      return state;
    },

    winners(cells: readonly Cell[]) {
      const out = new Map<string, string>();
      for (const c of cells) {
        const w = rowOf(c.table, c.row)?.hlcs[c.column];
        if (w !== undefined) out.set(cellKey(c.table, c.row, c.column), w);
      }
      return out;
    },

    values(cells: readonly Cell[]) {
      const out = new Map<string, CellValue>();
      for (const c of cells) {
        const state = rowOf(c.table, c.row);
        const hlc = state?.hlcs[c.column];
        if (hlc !== undefined) out.set(cellKey(c.table, c.row, c.column), { value: copy(state?.values[c.column] ?? null), hlc });
      }
      return out;
    },

    messages(query: MessageQuery) {
      // Local messages and those set aside are all in the map; pulled ones may be elsewhere.
      const all = (pred: (m: StoredMessage) => boolean): StoredMessage[] => {
        const out: StoredMessage[] = [];
        for (const m of messages.values()) if (pred(m)) out.push(m);
        return out;
      };
      // Oldest first; two messages never share an hlc.
      const byHlc = (a: StoredMessage, b: StoredMessage): number => (a.hlc < b.hlc ? -1 : 1);
      switch (query.kind) {
        case 'pending': {
          const list = [...pending].sort().slice(0, query.limit);
          return list.map((h) => copyMessage(messages.get(h) as StoredMessage));
        }
        case 'unapplied':
          return all((m) => !m.applied && !m.local).sort(byHlc).map(copyMessage);
        case 'rejected':
          return all((m) => m.local && !m.synced && m.error !== null).sort(byHlc).map(copyMessage);
        case 'cell': {
          // A scan, not an index: asked for one cell's history or a rejected write's fallback,
          // never while merging, and the messages kept are bounded by the cells.
          const { table, row, column } = query;
          const out = all((m) => m.applied && m.column === column && m.row === row && m.table === table);
          const seen = new Set(out.map((m) => m.hlc));
          const best = rowOf(table, row)?.pulled[column];
          for (const m of [best, ...recent]) {
            if (m === undefined || seen.has(m.hlc) || m.column !== column || m.row !== row || m.table !== table) continue;
            seen.add(m.hlc);
            out.push(m);
          }
          return out.map(copyMessage);
        }
        case 'recent':
          return everyMessage().sort(byHlc).reverse().slice(0, query.limit).map(copyMessage);
      }
    },

    commit(c: Commit) {
      checkWrites(c);
      // Everything is read and copied first: reading a value can fail (a value that cannot
      // be serialized), and nothing may change before it does. The commit is all or nothing.
      const remove = [...(c.remove ?? [])];
      const insert = (c.insert ?? []).map(keep);
      const update = (c.update ?? []).map((u) => ({ hlc: u.hlc, synced: u.synced, applied: u.applied, error: u.error }));
      const writes = c.writes ?? [];
      const values = writes.map((w) => copy(w.value));
      const metaEntries = Object.entries(c.meta ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
      // Nothing below can throw.
      for (const hlc of remove) {
        // Only local messages are ever removed (re-issued after a clock_drift): all in the map.
        pending.delete(hlc);
        messages.delete(hlc);
      }
      for (const m of insert) {
        if (messages.has(m.hlc)) continue;
        if (isPulled(m)) {
          if (keepPulled(m) && (maxHlc === null || m.hlc > maxHlc)) maxHlc = m.hlc;
          continue;
        }
        messages.set(m.hlc, m);
        if (isPending(m)) pending.add(m.hlc);
        if (maxHlc === null || m.hlc > maxHlc) maxHlc = m.hlc;
      }
      for (const u of update) {
        // Flags change for local messages and those set aside (all in the map); a pulled,
        // applied message is final.
        const m = messages.get(u.hlc);
        if (!m) continue;
        const next = withUpdate(m, u);
        messages.set(u.hlc, next);
        if (isPending(next)) pending.add(next.hlc);
        else pending.delete(next.hlc);
      }
      for (let i = 0; i < writes.length; i++) {
        const w = writes[i] as CellWrite;
        const state = rowState(w.table, w.row);
        state.values[w.column] = values[i] as JsonValue;
        if (w.hlc === null) delete state.hlcs[w.column];
        else state.hlcs[w.column] = w.hlc;
      }
      for (const [k, v] of metaEntries) meta.set(k, v);
      if (remove.length > 0) recomputeMax();
    },

    close() {},

    get(table, row) {
      const r = data.get(table)?.get(row);
      return r && hasValues(r) ? copy(r.values) : undefined;
    },

    rows(table, options = {}) {
      const out = new Map<string, Row>();
      for (const [id, r] of data.get(table) ?? []) {
        if (!hasValues(r) || (r.values._deleted === true && !options.includeDeleted)) continue;
        out.set(id, copy(r.values));
      }
      return out;
    },
  };
}

/** A row exists once a value was written to it (pulled messages alone do not make one). */
function hasValues(r: RowState): boolean {
  for (const _ in r.values) return true;
  return false;
}
