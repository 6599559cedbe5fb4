/**
 * An in-memory store: the reference implementation of the store contract, useful for tests,
 * prototypes and apps that persist elsewhere. It is synchronous, like better-sqlite3.
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

/** A deep copy of a JSON value: nothing the caller holds is shared with the store. */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function createMemoryStore(): MemoryStore {
  let schema: Schema | null = null;
  const data = new Map<string, Map<string, Record<string, JsonValue>>>();
  const messages = new Map<string, StoredMessage>();
  const cellMessages = new Map<string, Set<string>>(); // applied hlcs per cell, for the `cell` query
  const cellHlc = new Map<string, string>(); // the hlc written with each cell's value
  const pending = new Set<string>();
  const meta = new Map<string, string>();
  let maxHlc: string | null = null;

  const isPending = (m: StoredMessage): boolean => m.local && !m.synced && m.error === null;

  function index(m: StoredMessage): void {
    if (isPending(m)) pending.add(m.hlc);
    if (!m.applied) return;
    const key = cellKey(m.table, m.row, m.column);
    let set = cellMessages.get(key);
    if (!set) cellMessages.set(key, (set = new Set()));
    set.add(m.hlc);
  }

  function unindex(m: StoredMessage): void {
    pending.delete(m.hlc);
    const key = cellKey(m.table, m.row, m.column);
    const set = cellMessages.get(key);
    if (!set) return;
    set.delete(m.hlc);
    if (set.size === 0) cellMessages.delete(key);
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
        const key = cellKey(c.table, c.row, c.column);
        const w = cellHlc.get(key);
        if (w !== undefined) out.set(key, w);
      }
      return out;
    },

    values(cells: readonly Cell[]) {
      const out = new Map<string, CellValue>();
      for (const c of cells) {
        const key = cellKey(c.table, c.row, c.column);
        const hlc = cellHlc.get(key);
        if (hlc !== undefined) out.set(key, { value: copy(data.get(c.table)?.get(c.row)?.[c.column] ?? null), hlc });
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
          return list.map((h) => copy(messages.get(h) as StoredMessage));
        }
        case 'unapplied':
          return all((m) => !m.applied && !m.local).sort(byHlc).map(copy);
        case 'rejected':
          return all((m) => m.local && !m.synced && m.error !== null).sort(byHlc).map(copy);
        case 'cell': {
          const set = cellMessages.get(cellKey(query.table, query.row, query.column)) ?? new Set();
          return [...set].map((h) => copy(messages.get(h) as StoredMessage));
        }
        case 'recent':
          return [...messages.keys()].sort().reverse().slice(0, query.limit).map((h) => copy(messages.get(h) as StoredMessage));
      }
    },

    commit(c: Commit) {
      checkWrites(c);
      // Everything is read and copied first: reading a value can fail (a value that cannot
      // be serialized), and nothing may change before it does. The commit is all or nothing.
      const remove = [...(c.remove ?? [])];
      const insert = (c.insert ?? []).map((m): StoredMessage => copy(m));
      const update = (c.update ?? []).map((u) => ({ hlc: u.hlc, synced: u.synced, applied: u.applied, error: u.error }));
      const writes = (c.writes ?? []).map((w) => ({ key: cellKey(w.table, w.row, w.column), table: w.table, row: w.row, column: w.column, value: copy(w.value), hlc: w.hlc }));
      const metaEntries = Object.entries(c.meta ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
      // Nothing below can throw.
      for (const hlc of remove) {
        const m = messages.get(hlc);
        if (!m) continue;
        unindex(m);
        messages.delete(hlc);
      }
      for (const m of insert) {
        if (messages.has(m.hlc)) continue;
        messages.set(m.hlc, m);
        index(m);
      }
      for (const u of update) {
        const m = messages.get(u.hlc);
        if (!m) continue;
        unindex(m);
        const next: StoredMessage = {
          ...m,
          ...(u.synced !== undefined ? { synced: u.synced } : {}),
          ...(u.applied !== undefined ? { applied: u.applied } : {}),
          ...(u.error !== undefined ? { error: u.error } : {}),
        };
        messages.set(u.hlc, next);
        index(next);
      }
      for (const w of writes) {
        let table = data.get(w.table);
        if (!table) data.set(w.table, (table = new Map()));
        let row = table.get(w.row);
        if (!row) table.set(w.row, (row = {}));
        row[w.column] = w.value;
        if (w.hlc === null) cellHlc.delete(w.key);
        else cellHlc.set(w.key, w.hlc);
      }
      for (const [k, v] of metaEntries) meta.set(k, v);
      if (remove.length > 0) recomputeMax();
      else for (const m of insert) if (maxHlc === null || m.hlc > maxHlc) maxHlc = m.hlc;
    },

    close() {},

    get(table, row) {
      const r = data.get(table)?.get(row);
      return r ? copy(r) : undefined;
    },

    rows(table, options = {}) {
      const out = new Map<string, Row>();
      for (const [id, r] of data.get(table) ?? []) {
        if (r._deleted === true && !options.includeDeleted) continue;
        out.set(id, copy(r));
      }
      return out;
    },
  };
}
