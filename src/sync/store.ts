/**
 * The store contract: five small functions that plug any local database into Fieldsync.
 *
 * The library decides everything (which message wins, what to write, when the cursor
 * moves); the store only stores, atomically. Every function may be synchronous or return
 * a promise: better-sqlite3 is synchronous, IndexedDB or expo-sqlite are not.
 *
 * What a store holds:
 * - a `messages` table: every message it has seen, keyed by `hlc`, with three flags;
 * - the app's data tables, one row per row id, one column per declared column, and with
 *   each cell the `hlc` of the message its value came from;
 * - a small string key-value `meta` table (clientId, cursor, clock correction, version).
 *
 * The suite in `fieldsync/testing` checks a store against this contract.
 *
 * One optional read completes it: `values(cells)`, the value kept in each cell with its
 * `hlc`. The library asks for it only for what it reports, never on the write or merge
 * path: the previous value of cells that a pull replaces (the `replaced` event) and the
 * names devices publish. A store without it still works; the library then reads the value
 * from the cell's winning message (`messages({ kind: 'cell' })`), which a store that keeps
 * a bounded history may no longer hold.
 *
 * And one optional fast path: `transact(cells, plan)`, a local write's `winners()` and
 * `commit()` in one transaction. A store without it works the same, one call after the other.
 */
import { invalidArgument, reading } from './errors.ts';
import { unknownOptionError } from './option-keys.ts';
import type { Message, JsonValue } from './message.ts';
import type { Schema } from './schema.ts';

export type MaybePromise<T> = T | Promise<T>;

/**
 * A message as a store keeps it. `messages()` must give each back as it was stored: the flags
 * as booleans (not SQLite's 0 and 1), `error` as a string or null, and a null `value` as null
 * (not undefined); the client refuses anything else with a `StoreError`.
 */
export interface StoredMessage extends Message {
  /** Made by this client. */
  readonly local: boolean;
  /** The server holds it. Remote messages are always synced. */
  readonly synced: boolean;
  /** It takes part in last-writer-wins: its table and column are declared and its value fits. */
  readonly applied: boolean;
  /** Why it is set aside: refused by the server, or not applicable under this schema. */
  readonly error: string | null;
}

/** One cell of a data table. */
export interface Cell {
  readonly table: string;
  readonly row: string;
  readonly column: string;
}

/** A value to write into a data table. Only declared tables and columns ever appear here. */
export interface CellWrite extends Cell {
  readonly value: JsonValue;
  /**
   * The `hlc` of the message whose value this is: the cell's new winner. Null when no
   * applied message of the cell remains (its value falls back to null). The store keeps it
   * with the value and answers `winners()` from it. A row none of whose cells has an `hlc`
   * left exists on no other device: the store deletes it, or leaves it out of its reads.
   */
  readonly hlc: string | null;
}

/** A cell's value as the store keeps it, with the `hlc` of the message it came from. */
export interface CellValue {
  readonly value: JsonValue;
  readonly hlc: string;
}

/** Flags to change on a stored message: a flag left out stays as it is; `error: null` clears the error. */
export interface MessageUpdate {
  readonly hlc: string;
  readonly synced?: boolean;
  readonly applied?: boolean;
  readonly error?: string | null;
}

/** `m` with the flags `u` sets (an update leaves the others as they are). */
export function withUpdate(m: StoredMessage, u: MessageUpdate): StoredMessage {
  return {
    ...m,
    ...(u.synced !== undefined ? { synced: u.synced } : {}),
    ...(u.applied !== undefined ? { applied: u.applied } : {}),
    ...(u.error !== undefined ? { error: u.error } : {}),
  };
}

/** Everything in one commit happens together or not at all. */
export interface Commit {
  /** New messages. A message whose `hlc` is already stored is ignored, not replaced. */
  readonly insert?: readonly StoredMessage[];
  /** Flag changes of stored messages. */
  readonly update?: readonly MessageUpdate[];
  /** Messages to delete (timestamps the server never accepted, re-issued after clock drift). */
  readonly remove?: readonly string[];
  /** Data-table cells to set, each with its winner's `hlc`. A row that does not exist yet is created. */
  readonly writes?: readonly CellWrite[];
  /** Meta entries to set. */
  readonly meta?: Readonly<Record<string, string>>;
}

export type MessageQuery =
  /** Local, not synced, not set aside; oldest `hlc` first. */
  | { readonly kind: 'pending'; readonly limit: number }
  /**
   * Remote messages not applied (`!local && !applied`): kept for a later schema, each with its
   * `error` saying why (filter on the flags, not on `error`); oldest `hlc` first.
   */
  | { readonly kind: 'unapplied' }
  /** Local messages that the server refused (`local`, not synced, `error` set); oldest `hlc` first. */
  | { readonly kind: 'rejected' }
  /** Applied messages of one cell, any order. */
  | { readonly kind: 'cell'; readonly table: string; readonly row: string; readonly column: string }
  /** The newest messages by `hlc`, newest first. */
  | { readonly kind: 'recent'; readonly limit: number };

/**
 * Whether `m` is a message `q` asks for (MessageQuery above). A store's filter forgotten
 * or wrong: a pending query that answered the pulled messages too made one sync() push them
 * again and again, never settling (round 55), and `rejected()` and `history()` showed the app
 * what they were not. The store guard checks every answer with it; the memory store answers with it.
 */
export function asked(m: StoredMessage, q: MessageQuery): boolean {
  switch (q.kind) {
    case 'pending': return m.local && !m.synced && m.error === null;
    case 'rejected': return m.local && !m.synced && m.error !== null;
    case 'unapplied': return !m.local && !m.applied;
    case 'cell': return m.applied && m.table === q.table && m.row === q.row && m.column === q.column;
    default: return true;
  }
}

export interface StoreState {
  /** Every meta entry commits have set (`Commit.meta`), as strings; `{}` for a new store. */
  readonly meta: Readonly<Record<string, string>>;
  /** The greatest `hlc` of any stored message, or null. The clock restarts after it. */
  readonly maxHlc: string | null;
  /** How many messages `{ kind: 'pending' }` would return without a limit. */
  readonly pendingCount: number;
}

export interface SyncStore {
  /** 1. Prepares storage for the schema (creates or migrates tables) and reads the state. */
  open(schema: Schema): MaybePromise<StoreState>;
  /**
   * 2. For each cell, the `hlc` kept with its value: that of its last `CellWrite`. Cells
   * never written, or last written with a null `hlc`, are left out. Keys are
   * `cellKey(table, row, column)`. (The library writes a cell whenever its winner changes,
   * so this is the greatest `hlc` among the cell's applied messages.)
   */
  winners(cells: readonly Cell[]): MaybePromise<ReadonlyMap<string, string>>;
  /**
   * 2b. Optional. For each cell, the value kept in it and its `hlc` (what the last
   * `CellWrite` set). Cells never written, or last written with a null `hlc`, are left out.
   * Keys are `cellKey(table, row, column)`. Only asked for what the library reports
   * (replaced values, device names), never while merging.
   */
  values?(cells: readonly Cell[]): MaybePromise<ReadonlyMap<string, CellValue>>;
  /** 3. Reads messages (see MessageQuery). */
  messages(query: MessageQuery): MaybePromise<readonly StoredMessage[]>;
  /**
   * 4. Applies a commit atomically. A write to a table or column that the schema does not
   * declare must throw before anything is written.
   */
  commit(commit: Commit): MaybePromise<void>;
  /**
   * 4b. Optional. A local write's `winners(cells)` and `commit()` in one transaction: nothing
   * commits in between, not even another connection to the same database. `plan` gets the
   * greatest `hlc` among the cells' winners (null when none has one), or a greater one the new
   * `hlc`s must pass too: a store shared by several connections passes at least its greatest
   * once another has committed (docs/api.md, `transact`). It returns the commit, and
   * is called exactly once, synchronously, inside the transaction; if it throws, nothing is
   * written and the error is thrown. Why: a local write's new `hlc`s must beat the cells'
   * winners, and a store whose reads outside a transaction cost a transaction of their own
   * (SQLite in WAL mode) saves one. A store without it is called through `winners()` and
   * `commit()`.
   */
  transact?(cells: readonly Cell[], plan: (newest: string | null) => Commit): MaybePromise<void>;
  /** 5. Releases the database. */
  close?(): MaybePromise<void>;
}

/** Meta keys the library uses. */
export const META = {
  clientId: 'clientId',
  cursor: 'cursor',
  clockOffset: 'clockOffset',
  schemaVersion: 'schemaVersion',
  /** The tables and columns of the schema the store was last opened with (client-state.ts). */
  schemaShape: 'schemaShape',
  lastSyncAt: 'lastSyncAt',
  /** The epoch of the server's log that the cursor belongs to. */
  epoch: 'serverEpoch',
} as const;

/**
 * Whether a store's `rows(table, options)` reads tombstones too: `options` is absent, null or
 * `{ includeDeleted?: boolean }`; anything else (an array, a misspelt or unknown key such as
 * `includedeleted`, which would otherwise leave tombstones out unseen) is the app's mistake,
 * refused by `fn`'s name.
 */
export function readsDeleted(fn: string, options: unknown): boolean {
  return reading(`${fn}: reading the options`, () => includesDeleted(fn, options));
}

function includesDeleted(fn: string, options: unknown): boolean {
  if (options === undefined || options === null) return false;
  const v = (options as { includeDeleted?: unknown }).includeDeleted;
  if (typeof options !== 'object' || Array.isArray(options) || (v !== undefined && typeof v !== 'boolean')) throw invalidArgument(`${fn}: options must be { includeDeleted?: boolean }`);
  const unknown = unknownOptionError(options, { includeDeleted: true });
  if (unknown) throw invalidArgument(`${fn}: ${unknown}`);
  return v === true;
}

/**
 * The messages of a store the server has not taken: the pending ones, then those set aside
 * (in that order of calls). What a re-stamp or a new clientId must carry over (repair.ts, client-state.ts).
 */
export async function unpushed(store: SyncStore): Promise<StoredMessage[]> {
  return [...(await store.messages({ kind: 'pending', limit: Number.MAX_SAFE_INTEGER })), ...(await store.messages({ kind: 'rejected' }))];
}
