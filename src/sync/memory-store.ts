/**
 * An in-memory store: the reference implementation of the store contract, useful for tests,
 * prototypes and apps that persist elsewhere. It is synchronous, like better-sqlite3.
 *
 * Its memory grows with the cells, not with the history: a pull of a million changes keeps
 * what the data needs. Every message of this client is kept (pending, rejected, its own
 * history), and so is every message set aside (`unapplied`), in one map by hlc. Of the
 * messages pulled from other clients and applied, it keeps the best of each cell (what a
 * rejected local write falls back to, and what `recent` orders by) and the latest
 * RECENT_PULLED in a ring; older ones that lost their cell are forgotten, which bounds the
 * history the inspector shows for them. Pulled messages are never indexed: the queries that
 * want them (a cell's history, the latest messages) are rare, and scan (memory-query.ts).
 *
 * Laid out for a pull of many rows: a row is one flat array (value, hlc and best pulled
 * message of each column, by the column's index in its table; memory-rows.ts), so a row
 * costs two objects and a lookup reaches all its cells. A cell's best pulled message is
 * usually the cell's own value and hlc: then it is marked IN_CELL, not copied, and only
 * copied out when another write replaces the value. The ring keeps its messages' fields in
 * arrays, not as objects.
 */
import { SchemaError, StoreError, errorText, invalidArgument } from './errors.ts';
import { cellKey, type JsonValue } from './message.ts';
import type { Schema } from './schema.ts';
import { copy, copyMessage, PulledRing, pulledMessage, withValue } from './memory-messages.ts';
import { everyMessage, queryMessages } from './memory-query.ts';
import { IN_CELL, MemoryRows, recordOf, type Slots, type TableState } from './memory-rows.ts';
import { listedWinners } from './memory-winners.ts';
import { checkStoreCall as check } from './store-calls.ts';
import { ownMemoryStore } from './store-guard.ts';
import { readsDeleted, withUpdate, type Cell, type CellValue, type CellWrite, type Commit, type StoreState, type StoredMessage, type SyncStore } from './store.ts';

export type Row = Readonly<Record<string, JsonValue>>;

export interface MemoryStore extends SyncStore {
  /** One row of a data table (deleted rows included, with `_deleted: true`), or undefined. */
  get(table: string, row: string): Row | undefined;
  /** All rows of a data table, keyed by row id. Deleted rows are left out unless asked for. */
  rows(table: string, options?: { includeDeleted?: boolean }): ReadonlyMap<string, Row>;
}

/** How many of the latest pulled (and applied) messages are kept besides each cell's best. */
export const RECENT_PULLED = 1000;

/** A stored message: the store's own copy. */
type Kept = StoredMessage;

const isPulled = (m: StoredMessage): boolean => !m.local && m.applied;
const isPending = (m: StoredMessage): boolean => m.local && !m.synced && m.error === null;

/**
 * The store's state and its contract's methods, as a class rather than closures made per
 * store, for the reason memory-rows.ts gives: a second store's pulls then run the code the
 * first one's optimized.
 */
class MemoryState {
  schema: Schema | null = null;
  readonly cells = new MemoryRows();
  // Local messages and those set aside (besides: each cell's best pulled one, and the ring).
  readonly messages = new Map<string, Kept>();
  readonly pending = new Set<string>();
  readonly meta = new Map<string, string>();
  // The latest pulled messages, by arrival.
  readonly ring = new PulledRing(RECENT_PULLED);
  maxHlc: string | null = null;
  // The commit's list of pulled messages that became their cell's best (see commit), kept
  // between commits: a page's list, grown anew on every commit, was 50 B per pulled change.
  readonly held: unknown[] = [];
  winnersCalls = 0;

  checkWrites(c: Commit): void {
    const schema = this.schema;
    if (!schema) throw new StoreError('the store is not open');
    const writes = c.writes ?? [];
    let table: string | undefined;
    let columns: ReadonlyMap<string, unknown> | undefined;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i] as CellWrite;
      // Even in memory, a store only writes what the schema declares (one table looked up per run of its writes).
      if (!(w.table === table ? columns : (columns = schema.tables.get((table = w.table))?.columns))?.has(w.column)) {
        throw new SchemaError(`store: ${w.table}.${w.column} is not in the schema`);
      }
    }
  }

  open(s: Schema): StoreState {
    this.schema = s;
    return { meta: Object.fromEntries(this.meta), maxHlc: this.maxHlc, pendingCount: this.pending.size };
  }

  winners(cells: readonly Cell[]): ReadonlyMap<string, string> {
    // The cells that have a winner, and their hlcs: no key per cell (see listedWinners).
    // Each cell once, as a Map would hold it: a cell listed by this call is marked with it.
    // `found` has room for the rest of the cells from the first found (a page's cells mostly
    // all have winners, or none: a new device's first pages), trimmed at the end; `hlcs` is
    // pushed to, since an array with holes allocates per element when iterated (values()).
    let found: Cell[] = [];
    const hlcs: string[] = [];
    const call = ++this.winnersCalls;
    const rows = this.cells;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i] as Cell;
      const slots = rows.rowOf(c.table, c.row);
      const at = slots && rows.slotOf(c.table, c.column);
      const w = at === undefined ? undefined : (slots as Slots)[at + 1];
      if (w === undefined || (slots as Slots)[(at as number) + 3] === call) continue;
      (slots as Slots)[(at as number) + 3] = call;
      if (hlcs.length === 0) found = new Array<Cell>(cells.length - i);
      found[hlcs.push(w as string) - 1] = c;
    }
    found.length = hlcs.length;
    return listedWinners(found, hlcs);
  }

  values(cells: readonly Cell[]): Map<string, CellValue> {
    const out = new Map<string, CellValue>();
    for (const c of cells) {
      const slots = this.cells.rowOf(c.table, c.row);
      const at = slots && this.cells.slotOf(c.table, c.column);
      const hlc = at === undefined ? undefined : (slots as Slots)[at + 1];
      if (hlc !== undefined) out.set(cellKey(c.table, c.row, c.column), { value: copy(((slots as Slots)[at as number] ?? null) as JsonValue), hlc: hlc as string });
    }
    return out;
  }

  commit(c: Commit): void {
    this.checkWrites(c);
    // Everything is read and copied first: reading a value can fail (a value that cannot
    // be serialized), and nothing may change before it does. The commit is all or nothing.
    const remove = [...(c.remove ?? [])];
    const inserts = c.insert ?? [];
    // Messages kept in the map are copied now; pulled, applied ones below, and only if need be.
    const insert = inserts.map((m) => (isPulled(m) ? m : copyMessage(m)));
    // The ring's copies of object values (a pulled message's other fields are strings).
    const ringValues = inserts.map((m) => (isPulled(m) ? copy(m.value) : undefined));
    const update = (c.update ?? []).map((u) => ({ hlc: u.hlc, synced: u.synced, applied: u.applied, error: u.error }));
    const writes = c.writes ?? [];
    const values = writes.map((w) => copy(w.value));
    const metaEntries = Object.entries(c.meta ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
    // Nothing below can throw.
    const { messages, pending, cells: rows, held } = this;
    for (const hlc of remove) {
      // Only local messages are ever removed (re-issued after a clock_drift): all in the map.
      pending.delete(hlc);
      messages.delete(hlc);
    }
    // Pulled messages that became their cell's best in this commit, still the caller's objects
    // (in `held`, the store's own list, reused: three entries each, the row, the slot and the
    // message's index; rows are never dropped, so what it still holds from before keeps nothing alive).
    let n = 0;
    for (let i = 0; i < inserts.length; i++) {
      const m = insert[i] as Kept;
      if (messages.size > 0 && messages.has(m.hlc)) continue;
      if (m === inserts[i]) {
        // Pulled and applied: the cell's best (unless kept already), and the ring.
        const t = rows.tableOf(m.table);
        const slots = rows.rowSlots(t, m.table, m.row);
        const at = rows.columnAt(t, m.column);
        const p = slots[at + 2] as Kept | typeof IN_CELL | undefined;
        const best = p === IN_CELL ? (slots[at + 1] as string) : p?.hlc;
        if (best === m.hlc) continue;
        if (best === undefined || m.hlc > best) {
          slots[at + 2] = m;
          held[n++] = slots;
          held[n++] = at;
          held[n++] = i;
        }
        this.ring.add(m.hlc, m.table, m.row, m.column, ringValues[i] as JsonValue);
      } else {
        messages.set(m.hlc, m);
        if (isPending(m)) pending.add(m.hlc);
      }
      if (this.maxHlc === null || m.hlc > this.maxHlc) this.maxHlc = m.hlc;
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
      const t = rows.tableOf(w.table);
      const slots = rows.rowSlots(t, w.table, w.row);
      const at = rows.columnAt(t, w.column);
      const hlc = w.hlc ?? undefined;
      const p = slots[at + 2] as Kept | typeof IN_CELL | undefined;
      // The value about to go was the best pulled message's: it is copied out first.
      if (p === IN_CELL && slots[at + 1] !== hlc) slots[at + 2] = pulledMessage(slots[at + 1] as string, w.table, w.row, w.column, slots[at] as JsonValue);
      // The best pulled message is the value written: kept as the cell itself.
      else if (p !== undefined && p !== IN_CELL && p.hlc === hlc && p.value === w.value) slots[at + 2] = IN_CELL;
      slots[at] = values[i] as JsonValue;
      slots[at + 1] = hlc;
    }
    // The rest of this commit's best pulled messages are copied (their values were, above):
    // nothing is shared with the caller.
    for (let k = 0; k < n; k += 3) {
      // Three reads, not a destructured array: that array cost 150 B per pulled change.
      const slots = held[k] as Slots;
      const at = held[k + 1] as number;
      const i = held[k + 2] as number;
      const m = inserts[i] as Kept;
      if (slots[at + 2] === m) slots[at + 2] = withValue(m, ringValues[i] as JsonValue);
    }
    for (const [k, v] of metaEntries) this.meta.set(k, v);
    if (remove.length > 0) this.recomputeMax();
  }

  private recomputeMax(): void {
    this.maxHlc = null;
    for (const m of everyMessage(this)) if (this.maxHlc === null || m.hlc > this.maxHlc) this.maxHlc = m.hlc;
  }

  /**
   * A data table's rows for a read, if any. Once open, a table the schema does not declare is
   * a SchemaError: a misspelt name read as a table with no rows. Before, nothing is written.
   */
  private readTable(table: string): TableState | undefined {
    if (this.schema !== null && !this.schema.tables.has(table)) {
      throw new SchemaError(`store: no table ${errorText(table).slice(0, 100)} in the schema`);
    }
    return this.cells.data.get(table);
  }

  get(table: string, row: string): Row | undefined {
    const t = this.readTable(table);
    if (typeof row !== 'string') throw invalidArgument('get(table, row): row must be a string');
    const slots = t?.rows.get(row);
    return t && slots ? recordOf(t, slots) : undefined;
  }

  rows(table: string, options?: { includeDeleted?: boolean }): Map<string, Row> {
    const out = new Map<string, Row>();
    const t = this.readTable(table);
    const withDeleted = readsDeleted('rows(table, options)', options);
    for (const [id, slots] of t?.rows ?? []) {
      const r = recordOf(t as TableState, slots);
      if (r === undefined || (r._deleted === true && !withDeleted)) continue;
      out.set(id, r);
    }
    return out;
  }
}

export function createMemoryStore(): MemoryStore {
  const s = new MemoryState();
  // The contract's methods as the store's own (a caller may copy them off the object).
  // What an app's own call passes is checked (store-calls.ts): the client's calls pass the contract's.
  return ownMemoryStore({
    open: (schema) => (check('open', schema), s.open(schema)),
    winners: (cells) => (check('winners', cells), s.winners(cells)),
    values: (cells) => (check('values', cells), s.values(cells)),
    messages: (query) => (check('messages', query), queryMessages(s, query)),
    commit: (c) => (check('commit', c), s.commit(c)),
    close() {},
    get: (table, row) => s.get(table, row),
    rows: (table, options) => s.rows(table, options),
  });
}
