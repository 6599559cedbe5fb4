/**
 * An in-memory store: the reference implementation of the store contract, useful for tests,
 * prototypes and apps that persist elsewhere. It is synchronous, like better-sqlite3.
 *
 * Its memory grows with the cells, not with the history: a pull of a million changes keeps
 * what the data needs. Every message of this client is kept (pending, rejected, its own
 * history), and so is every message set aside (`unapplied`). Of the messages pulled from
 * other clients and applied, it keeps the best of each cell (what a rejected local write
 * falls back to, and what `recent` orders by) and the last RECENT_PULLED; older ones that
 * lost their cell are forgotten, which bounds the history the inspector shows for them.
 */
import { SchemaError, StoreError } from './errors.ts';
import { cellKey, type JsonValue } from './message.ts';
import type { Schema } from './schema.ts';
import type { Cell, CellValue, Commit, MessageQuery, StoreState, StoredMessage, SyncStore } from './store.ts';

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

/** A stored message, with where it stands among the pulled ones. */
interface Kept extends StoredMessage {
  /** Its place in the order pulled messages arrived (-1: not a pulled, applied message). */
  seq: number;
  /** It is the best pulled message of its cell. */
  best: boolean;
}

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
const keep = (m: StoredMessage): Kept => ({
  hlc: m.hlc, table: m.table, row: m.row, column: m.column, value: copy(m.value),
  local: m.local, synced: m.synced, applied: m.applied, error: m.error, seq: -1, best: false,
});

const isPulled = (m: StoredMessage): boolean => !m.local && m.applied;

export function createMemoryStore(): MemoryStore {
  let schema: Schema | null = null;
  const data = new Map<string, Map<string, RowState>>();
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

  /** Forgets a pulled message that is neither its cell's best nor among the latest. */
  function forget(m: Kept): void {
    if (messages.get(m.hlc) === m) messages.delete(m.hlc);
  }

  /** Keeps track of a pulled, applied message: the best of its cell, and the latest ones. */
  function notePulled(m: Kept): void {
    m.seq = pulledCount++;
    const state = rowState(m.table, m.row);
    const best = state.pulled[m.column];
    if (best === undefined || m.hlc > best.hlc) {
      state.pulled[m.column] = m;
      m.best = true;
      if (best !== undefined) {
        best.best = false;
        if (best.seq < pulledCount - RECENT_PULLED) forget(best);
      }
    }
    const slot = m.seq % RECENT_PULLED;
    const oldest = recent[slot];
    recent[slot] = m;
    if (oldest !== undefined && !oldest.best) forget(oldest);
  }

  /** Forgets that `m` is its cell's best pulled message, if it was. */
  function dropPulled(m: Kept): void {
    const state = rowOf(m.table, m.row);
    if (state?.pulled[m.column] === m) delete state.pulled[m.column];
    m.best = false;
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
    for (const h of messages.keys()) if (maxHlc === null || h > maxHlc) maxHlc = h;
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
          return all((m) => m.applied && m.column === column && m.row === row && m.table === table).map(copyMessage);
        }
        case 'recent':
          return [...messages.keys()].sort().reverse().slice(0, query.limit).map((h) => copyMessage(messages.get(h) as StoredMessage));
      }
    },

    commit(c: Commit) {
      checkWrites(c);
      // Everything is read and copied first: reading a value can fail (a value that cannot
      // be serialized), and nothing may change before it does. The commit is all or nothing.
      const remove = [...(c.remove ?? [])];
      const insert = (c.insert ?? []).map(keep);
      const update = (c.update ?? []).map((u) => ({ hlc: u.hlc, synced: u.synced, applied: u.applied, error: u.error }));
      const writes = (c.writes ?? []).map((w) => ({ table: w.table, row: w.row, column: w.column, value: copy(w.value), hlc: w.hlc }));
      const metaEntries = Object.entries(c.meta ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
      // Nothing below can throw.
      for (const hlc of remove) {
        const m = messages.get(hlc);
        if (!m) continue;
        pending.delete(hlc);
        dropPulled(m);
        messages.delete(hlc);
      }
      for (const m of insert) {
        if (messages.has(m.hlc)) continue;
        messages.set(m.hlc, m);
        if (isPending(m)) pending.add(m.hlc);
        if (isPulled(m)) notePulled(m);
      }
      for (const u of update) {
        const m = messages.get(u.hlc);
        if (!m) continue;
        const next: Kept = {
          ...m,
          ...(u.synced !== undefined ? { synced: u.synced } : {}),
          ...(u.applied !== undefined ? { applied: u.applied } : {}),
          ...(u.error !== undefined ? { error: u.error } : {}),
          seq: -1,
          best: false,
        };
        messages.set(u.hlc, next);
        if (isPending(next)) pending.add(next.hlc);
        else pending.delete(next.hlc);
        dropPulled(m);
        if (isPulled(next)) {
          // Applied by an update (a schema that now fits it): the best of its cell if it is.
          const state = rowState(next.table, next.row);
          const best = state.pulled[next.column];
          if (best === undefined || next.hlc > best.hlc) {
            if (best !== undefined) best.best = false;
            state.pulled[next.column] = next;
            next.best = true;
          }
        }
      }
      for (const w of writes) {
        const state = rowState(w.table, w.row);
        state.values[w.column] = w.value;
        if (w.hlc === null) delete state.hlcs[w.column];
        else state.hlcs[w.column] = w.hlc;
      }
      for (const [k, v] of metaEntries) meta.set(k, v);
      if (remove.length > 0) recomputeMax();
      else for (const m of insert) if (maxHlc === null || m.hlc > maxHlc) maxHlc = m.hlc;
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
